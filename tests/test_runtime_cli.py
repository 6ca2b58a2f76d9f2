"""Tests of the runtime that need a fresh process: the import hook, ``isolate`` mode and ``flytemigrate run``."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

PY = sys.executable

PROGRAM = '''
from dataclasses import dataclass
from typing import NamedTuple, Optional

import flyte
import flyte.errors

env = flyte.TaskEnvironment(name="shop")
SEEN = []  # module state: shared in one process, not across containers


class Totals(NamedTuple):
    total: float
    label: str


@dataclass
class Order:
    qty: int
    price: float


@env.task
def remember(x: int) -> int:
    SEEN.append(x)
    return len(SEEN)


@env.task
def count_seen() -> int:
    return len(SEEN)


@env.task
def pipeline(n: int) -> int:
    for i in range(n):
        remember(i)
    return count_seen()


@env.task
def price(order: Order, discount: Optional[float] = None, rush: bool = False) -> Totals:
    if order.qty < 0:
        raise ValueError("negative quantity")
    total = order.qty * order.price * (1 - (discount or 0.0))
    return Totals(total, "rush" if rush else "normal")
'''


def _write(tmp_path: Path) -> Path:
    path = tmp_path / "shop.py"
    path.write_text(PROGRAM)
    return path


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PY, "-m", "flytemigrate", "run", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_import_hook_and_isolate_in_a_fresh_process(tmp_path):
    _write(tmp_path)
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        import flytemigrate.runtime as rt
        rt.activate(); rt.activate()  # idempotent
        import flyte, flyte.io, flyte.errors
        assert flyte.FLYTEMIGRATE_RUNTIME and flyte.errors.RuntimeUserError.__module__ == "flyte.errors"
        # start-up stays light: heavy modules load only when a feature needs them
        heavy = [m for m in ("pandas", "sqlite3", "asyncio", "pickle") if m in sys.modules]
        assert not heavy, heavy
        import shop
        shared = rt.execute(shop.pipeline, {{"n": 3}})
        isolated = rt.execute(shop.pipeline, {{"n": 3}}, isolate=True)
        print(shared.outputs[0], isolated.outputs[0])
        try:
            import flyte.not_a_module
        except ModuleNotFoundError as e:
            print("missing ok" if "flytemigrate runtime" in str(e) else e)
        """
    )
    out = subprocess.run([PY, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["3", "0", "missing", "ok"]

    real_first = "import flyte\nimport flytemigrate.runtime as rt\ntry:\n    rt.activate()\nexcept RuntimeError as e:\n    print('refused:', 'already imported' in str(e))\n"
    out = subprocess.run([PY, "-c", real_first], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "refused: True", out.stderr
    # Installing flytemigrate never shadows the real SDK: without activate(), `flyte` is the real package.
    out = subprocess.run([PY, "-c", "import flytemigrate.runtime, flyte; print(hasattr(flyte, 'FLYTEMIGRATE_RUNTIME'))"],
                         capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "False", out.stderr


def test_run_command(tmp_path):
    _write(tmp_path)
    record = tmp_path / "record.json"
    ok = _cli("shop.py", "price", "--order", '{"qty": 2, "price": 2.5}', "--discount", "0.5", "--rush", "true",
              "--record", str(record), "--run-dir", str(tmp_path / "rd"), cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.splitlines() == ["o0: 2.5", "o1: 'rush'"]
    data = json.loads(record.read_text())
    assert data["name"] == "shop.price" and data["outputs"] == [2.5, "rush"]
    assert data["inputs"]["order"] == {"qty": 2, "price": 2.5}

    failed = _cli("shop.py", "price", "--order", '{"qty": -1, "price": 1.0}', cwd=tmp_path)
    assert failed.returncode == 1
    assert "RuntimeUserError [ValueError]: negative quantity" in failed.stderr
    assert 'raise ValueError("negative quantity")' in failed.stderr  # the user's traceback...
    assert "flytemigrate/runtime" not in failed.stderr  # ...without the runtime's frames

    for bad in (["shop.py", "nope"], ["shop.py", "price"], ["shop.py", "price", "--order", "{}", "--zzz", "1"],
                ["missing.py", "price"], ["shop.py", "price", "--order", "not json"]):
        usage = _cli(*bad, cwd=tmp_path)
        assert usage.returncode == 2, (bad, usage.stdout, usage.stderr)


def test_run_command_imports_packages_and_isolates_their_modules(tmp_path):
    flows = tmp_path / "proj" / "flows"
    flows.mkdir(parents=True)
    (tmp_path / "proj" / "__init__.py").write_text("")
    (flows / "__init__.py").write_text("")
    (flows / "util.py").write_text("CALLS = []\n\n\ndef bump():\n    CALLS.append(1)\n    return len(CALLS)\n")
    (flows / "wf.py").write_text(
        textwrap.dedent(
            """
            import flyte

            from .util import bump

            env = flyte.TaskEnvironment(name="pkg")


            @env.task
            def leaf(x: int) -> int:
                return x + bump()


            @env.task
            def main(n: int) -> list[int]:
                return [leaf(i) for i in range(n)]
            """
        )
    )
    shared = _cli("proj/flows/wf.py", "main", "--n", "3", "--json", cwd=tmp_path)
    isolated = _cli("proj/flows/wf.py", "main", "--n", "3", "--json", "--isolate", cwd=tmp_path)
    assert (shared.stdout.strip(), isolated.stdout.strip()) == ("[[1, 3, 5]]", "[[1, 2, 3]]"), shared.stderr
    assert not list(tmp_path.rglob("__pycache__"))  # nothing written beside the user's code
