"""A deterministic corpus of Flyte 1 source files for the rewrite and lint benchmarks.

``ensure_corpus(path, n)`` writes ``n`` files into ``path`` (default ``bench/_corpus``, gitignored)
and returns them; a second call with the same ``n`` and generator version reuses them. File ``i``
only depends on ``(SEED, i)``, so every machine benchmarks the same bytes.

The shapes follow real Flyte 1 repositories: mostly modules with a few configured tasks and one
or two workflows, some with ``map_task`` (often over a ``functools.partial``), ``conditional``,
``@dynamic``, ``@eager``, launch plans, dataclass/NamedTuple types, module-level ``Resources``, and
all three import styles (``import flytekit as fl``, ``from flytekit import task``, deep imports
such as ``from flytekit.core.task import task``). About one file in seven is plain Python with no
Flyte code at all (helpers, configs), as in any monorepo. Every file is compiled while it is
generated, so the corpus always parses.

Run ``python -m bench.corpus [-n N] [PATH]`` to (re)generate it by hand.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PATH = ROOT / "bench" / "_corpus"
DEFAULT_SIZE = 2000
SEED = 20240611
# Bump when the generator changes so stale corpora are regenerated instead of silently reused.
VERSION = 3
MANIFEST = "corpus.json"

NOUNS = [
    "orders", "users", "events", "images", "features", "metrics", "invoices", "sensors", "reviews",
    "sessions", "claims", "trades", "clicks", "documents", "shipments", "patients", "tickets", "logs",
]
VERBS = [
    "load", "clean", "score", "aggregate", "normalize", "validate", "enrich", "split", "merge",
    "train", "evaluate", "export", "dedupe", "featurize", "summarize", "filter", "rank", "bucket",
]


@dataclass
class Style:
    """How a generated module spells flytekit names (the import style varies per file)."""

    kind: str  # "alias", "from" or "deep"
    alias: str = "fl"
    used: set[str] = field(default_factory=set)

    # Deep import locations of the names the generator uses.
    DEEP = {
        "task": "flytekit.core.task",
        "workflow": "flytekit.core.workflow",
        "dynamic": "flytekit.core.dynamic_workflow_task",
        "map_task": "flytekit.core.array_node_map_task",
        "conditional": "flytekit.core.condition",
        "Resources": "flytekit.core.resources",
        "LaunchPlan": "flytekit.core.launch_plan",
        "eager": "flytekit.core.task",
        "ImageSpec": "flytekit.image_spec",
        "Secret": "flytekit.models.security",
        "current_context": "flytekit",
    }

    def name(self, symbol: str) -> str:
        self.used.add(symbol)
        return f"{self.alias}.{symbol}" if self.kind == "alias" else symbol

    def imports(self) -> list[str]:
        if self.kind == "alias":
            return [f"import flytekit as {self.alias}"]
        if self.kind == "from":
            return [f"from flytekit import {', '.join(sorted(self.used))}"]
        by_module: dict[str, list[str]] = {}
        for symbol in sorted(self.used):
            by_module.setdefault(self.DEEP[symbol], []).append(symbol)
        return [f"from {module} import {', '.join(names)}" for module, names in sorted(by_module.items())]


class ModuleBuilder:
    """Builds one Flyte 1 module from randomly chosen, realistic blocks."""

    def __init__(self, rng: random.Random, index: int) -> None:
        self.rng = rng
        self.index = index
        self.style = Style(kind=rng.choice(["alias", "alias", "from", "from", "deep"]), alias=rng.choice(["fl", "flytekit", "fk"]))
        self.typing_names: set[str] = set()
        self.extra_imports: set[str] = set()
        self.blocks: list[str] = []
        self.int_tasks: list[str] = []  # tasks (x: int) -> int
        self.list_tasks: list[str] = []  # tasks (n: int) -> List[int]
        self.reduce_tasks: list[str] = []  # tasks (values: List[int]) -> int
        self.workflows: list[str] = []
        self.counter = 0

    def fresh(self, stem: str) -> str:
        self.counter += 1
        return f"{stem}_{self.counter}"

    def T(self, name: str) -> str:  # noqa: N802 - reads like the typing name it returns
        self.typing_names.add(name)
        return f"typing.{name}"

    # --- blocks ---------------------------------------------------------------------------

    def resources_constant(self) -> str:
        name = self.rng.choice(["DEFAULT_RESOURCES", "SMALL", "GPU_RESOURCES", "HEAVY"])
        cpu = self.rng.choice(["500m", "1", "2", "4"])
        mem = self.rng.choice(["512Mi", "1Gi", "4Gi", "16Gi"])
        gpu = ', gpu="1"' if name == "GPU_RESOURCES" else ""
        self.blocks.append(f"# Shared resource profile.\n{name} = {self.style.name('Resources')}(cpu=\"{cpu}\", mem=\"{mem}\"{gpu})")
        return name

    def task_kwargs(self, resources: str | None) -> str:
        options = []
        rng = self.rng
        if resources and rng.random() < 0.6:
            options.append(f"requests={resources}")
        if rng.random() < 0.35:
            options.append(f"retries={rng.randint(1, 5)}")
        if rng.random() < 0.3:
            options.append(f'cache=True, cache_version="{rng.randint(1, 9)}.{rng.randint(0, 9)}"')
        if rng.random() < 0.15:
            options.append(f'container_image="ghcr.io/acme/{rng.choice(NOUNS)}:{rng.randint(1, 40)}"')
        if rng.random() < 0.15:
            options.append(f'environment={{"LOG_LEVEL": "{rng.choice(["INFO", "DEBUG"])}"}}')
        if rng.random() < 0.1:
            options.append(f'secret_requests=[{self.style.name("Secret")}(group="db", key="password")]')
        if rng.random() < 0.1:
            options.append("timeout=600")
        if not options:
            return ""
        if len(options) > 2 and rng.random() < 0.5:
            inner = "".join(f"    {o},\n" for o in options)
            return f"(\n{inner})"
        return f"({', '.join(options)})"

    def add_task(self, shape: str, resources: str | None) -> str:
        verb, noun = self.rng.choice(VERBS), self.rng.choice(NOUNS)
        name = self.fresh(f"{verb}_{noun}")
        decorator = f"@{self.style.name('task')}{self.task_kwargs(resources)}"
        k = self.rng.randint(2, 9)
        if shape == "int":
            body = (
                f'def {name}(x: int) -> int:\n    """{verb.capitalize()} one batch of {noun}."""\n'
                f"    if x < 0:\n        raise ValueError(f\"negative input: {{x}}\")\n    return (x * {k} + {self.rng.randint(0, 9)}) % 1000\n"
            )
            self.int_tasks.append(name)
        elif shape == "list":
            body = (
                f"def {name}(n: int) -> {self.T('List')}[int]:\n    # Deterministic stand-in for reading {noun}.\n"
                f"    return [i * {k} for i in range(n)]\n"
            )
            self.list_tasks.append(name)
        else:
            body = (
                f"def {name}(values: {self.T('List')}[int]) -> int:\n"
                f"    total = 0\n    for value in values:\n        total += value\n    return total\n"
            )
            self.reduce_tasks.append(name)
        self.blocks.append(f"{decorator}\n{body}")
        return name

    def add_dataclass(self) -> str:
        self.extra_imports.add("from dataclasses import dataclass")
        name = self.rng.choice(NOUNS).capitalize().rstrip("s") + "Config"
        name = self.fresh(name).replace("_", "")
        self.blocks.append(
            f"@dataclass\nclass {name}:\n    learning_rate: float = 0.01\n    epochs: int = {self.rng.randint(1, 50)}\n"
            f"    name: str = \"{self.rng.choice(NOUNS)}\"\n"
        )
        task = self.fresh("train_with")
        self.blocks.append(
            f"@{self.style.name('task')}\ndef {task}(config: {name}, x: int) -> float:\n"
            f"    return config.learning_rate * config.epochs * x\n"
        )
        return name

    def add_namedtuple(self) -> None:
        if not self.list_tasks:
            return
        name = self.fresh("Stats").replace("_", "")
        self.blocks.append(f"class {name}({self.T('NamedTuple')}):\n    total: int\n    largest: int\n")
        task = self.fresh("describe")
        self.blocks.append(
            f"@{self.style.name('task')}\ndef {task}(values: {self.T('List')}[int]) -> {name}:\n"
            f"    return {name}(total=sum(values), largest=max(values) if values else 0)\n"
        )
        # Field access on a NamedTuple output: a construct the rewrite must handle.
        self.blocks.append(
            f"@{self.style.name('workflow')}\ndef {task}_wf(n: int = 5) -> int:\n"
            f"    stats = {task}(values={self.list_tasks[0]}(n=n))\n    return stats.total\n"
        )

    def add_workflow(self) -> None:
        name = self.fresh(f"{self.rng.choice(NOUNS)}_pipeline")
        wf = self.style.name("workflow")
        lines = [f"@{wf}", f"def {name}(x: int = {self.rng.randint(1, 20)}, n: int = {self.rng.randint(1, 8)}) -> int:"]
        current = "x"
        for task in self.rng.sample(self.int_tasks, k=min(len(self.int_tasks), self.rng.randint(1, 4))):
            var = self.fresh("step")
            lines.append(f"    {var} = {task}(x={current})")
            current = var
        if self.list_tasks and self.reduce_tasks and self.rng.random() < 0.7:
            values = self.fresh("values")
            lines.append(f"    {values} = {self.rng.choice(self.list_tasks)}(n=n)")
            if self.int_tasks and self.rng.random() < 0.6:
                mapped = self.fresh("mapped")
                lines.append(f"    {mapped} = {self.style.name('map_task')}({self.rng.choice(self.int_tasks)})(x={values})")
                values = mapped
            total = self.fresh("total")
            lines.append(f"    {total} = {self.rng.choice(self.reduce_tasks)}(values={values})")
            if self.rng.random() < 0.3:
                lines.append(f"    {current} >> {total}" if current != "x" else f"    # {total} has no upstream task")
        lines.append(f"    return {current}")
        self.blocks.append("\n".join(lines) + "\n")
        self.workflows.append(name)

    def add_partial_map(self) -> None:
        self.extra_imports.add("import functools")
        task = self.fresh("scale")
        self.blocks.append(
            f"@{self.style.name('task')}\ndef {task}(x: int, factor: int, offset: int) -> int:\n    return x * factor + offset\n"
        )
        wf = self.fresh("scale_all")
        source = self.list_tasks[0] if self.list_tasks else None
        values = f"{source}(n=n)" if source else "[1, 2, 3]"
        self.blocks.append(
            f"@{self.style.name('workflow')}\ndef {wf}(n: int = 4, factor: int = 3) -> {self.T('List')}[int]:\n"
            f"    return {self.style.name('map_task')}(\n"
            f"        functools.partial({task}, factor=factor, offset=1),  # offset is fixed\n"
            f"        concurrency={self.rng.randint(1, 10)},\n"
            f"        min_success_ratio={self.rng.choice(['0.5', '0.9', '1.0'])},\n"
            f"    )(x={values})\n"
        )

    def add_conditional(self) -> None:
        if len(self.int_tasks) < 2:
            return
        a, b = self.rng.sample(self.int_tasks, 2)
        wf = self.fresh("route")
        fail = self.rng.random() < 0.4
        tail = '.else_().fail("x out of range")' if fail else f".else_().then({b}(x=x))"
        self.blocks.append(
            f"@{self.style.name('workflow')}\ndef {wf}(x: int = 3, limit: int = 10) -> int:\n"
            f"    return (\n        {self.style.name('conditional')}(\"{wf}\")\n"
            f"        .if_(x < limit)\n        .then({a}(x=x))\n"
            f"        .elif_(x == limit)\n        .then({b}(x=limit))\n        {tail}\n    )\n"
        )

    def add_dynamic(self) -> None:
        if not self.int_tasks or not self.reduce_tasks:
            return
        name = self.fresh("fan_out")
        self.blocks.append(
            f"@{self.style.name('dynamic')}\ndef {name}(xs: {self.T('List')}[int]) -> int:\n"
            f"    results = []\n    for x in xs:\n        if x % 2 == 0:\n            results.append({self.rng.choice(self.int_tasks)}(x=x))\n"
            f"    return {self.rng.choice(self.reduce_tasks)}(values=results)\n"
        )

    def add_eager(self) -> None:
        if not self.int_tasks:
            return
        self.extra_imports.add("import asyncio")
        name = self.fresh("eager_driver")
        task = self.rng.choice(self.int_tasks)
        self.blocks.append(
            f"@{self.style.name('eager')}\nasync def {name}(x: int = 1, rounds: int = 3) -> int:\n"
            f"    for _ in range(rounds):\n        try:\n            x = {task}(x=x)\n        except ValueError:\n            break\n"
            f"    await asyncio.sleep(0)\n    return x\n"
        )

    def add_launch_plan(self) -> None:
        if not self.workflows:
            return
        wf = self.rng.choice(self.workflows)
        self.blocks.append(
            f"{wf}_lp = {self.style.name('LaunchPlan')}.get_or_create(\n    workflow={wf},\n"
            f"    name=\"module_{self.index}.{wf}_daily\",\n    default_inputs={{\"x\": {self.rng.randint(1, 9)}}},\n)\n"
        )

    def add_context_use(self) -> None:
        task = self.fresh("log_run")
        self.blocks.append(
            f"@{self.style.name('task')}\ndef {task}(message: str) -> str:\n"
            f"    ctx = {self.style.name('current_context')}()\n    return f\"{{ctx.execution_id}}: {{message}}\"\n"
        )

    # --- assembly -------------------------------------------------------------------------

    def build(self) -> str:
        rng = self.rng
        resources = self.resources_constant() if rng.random() < 0.5 else None
        for _ in range(rng.randint(1, 4)):
            self.add_task("int", resources)
        for _ in range(rng.randint(0, 2)):
            self.add_task("list", resources)
        for _ in range(rng.randint(0, 2)):
            self.add_task("reduce", resources)
        if rng.random() < 0.3:
            self.add_dataclass()
        if rng.random() < 0.2:
            self.add_namedtuple()
        if rng.random() < 0.1:
            self.add_context_use()
        for _ in range(rng.randint(1, 3)):
            self.add_workflow()
        if rng.random() < 0.3:
            self.add_partial_map()
        if rng.random() < 0.3:
            self.add_conditional()
        if rng.random() < 0.25:
            self.add_dynamic()
        if rng.random() < 0.1:
            self.add_eager()
        if rng.random() < 0.2:
            self.add_launch_plan()
        header = [f'"""Generated benchmark module {self.index}: {rng.choice(VERBS)} {rng.choice(NOUNS)}."""', ""]
        stdlib = set(self.extra_imports) | ({"import typing"} if self.typing_names else set())
        # isort order: plain imports, then from-imports.
        ordered = sorted(i for i in stdlib if i.startswith("import ")) + sorted(i for i in stdlib if i.startswith("from "))
        # The style's imports are computed last: only names actually used are imported.
        header += ordered + ([""] if ordered else []) + self.style.imports() + ["", "", ""]
        body = "\n\n".join(block for block in self.blocks if block)
        main = ""
        if self.workflows and rng.random() < 0.3:
            main = f"\n\nif __name__ == \"__main__\":\n    print({self.workflows[0]}(x=3))\n"
        return "\n".join(header) + body + main


def plain_module(rng: random.Random, index: int) -> str:
    """A non-Flyte helper module (most files of a monorepo never mention flytekit)."""
    noun = rng.choice(NOUNS)
    functions = []
    for i in range(rng.randint(2, 8)):
        verb = rng.choice(VERBS)
        functions.append(
            f"def {verb}_{noun}_{i}(rows: list[dict], key: str = \"id\") -> list[dict]:\n"
            f'    """{verb.capitalize()} {noun} rows by {{key}}."""\n'
            f"    seen = set()\n    out = []\n    for row in rows:\n        if row.get(key) in seen:\n            continue\n"
            f"        seen.add(row.get(key))\n        out.append({{**row, \"{verb}\": True}})\n    return out\n"
        )
    return f'"""Helpers for {noun} (generated benchmark module {index}, no Flyte code)."""\n\nimport json\nimport os\n\nDEFAULT_PATH = os.path.join("data", "{noun}.json")\n\n\n' + "\n\n".join(functions)


def generate_source(index: int) -> str:
    """The source of corpus file ``index`` (pure function of SEED and index)."""
    rng = random.Random(SEED * 1_000_003 + index)
    if rng.random() < 0.14:
        return plain_module(rng, index)
    return ModuleBuilder(rng, index).build()


def _file_name(index: int) -> str:
    return f"pkg_{index // 100:03d}/module_{index:05d}.py"


def ensure_corpus(path: Path | str = DEFAULT_PATH, n: int = DEFAULT_SIZE) -> list[Path]:
    """Make sure ``path`` holds exactly the ``n``-file corpus; return the file paths in order."""
    path = Path(path)
    files = [path / _file_name(i) for i in range(n)]
    manifest = path / MANIFEST
    try:
        current = json.loads(manifest.read_text())
    except (OSError, ValueError):
        current = None
    if current == {"version": VERSION, "seed": SEED, "n": n} and all(f.exists() for f in files):
        return files
    if path.exists():
        shutil.rmtree(path)
    for index, target in enumerate(files):
        source = generate_source(index)
        compile(source, str(target), "exec")  # the generator must never emit invalid Python
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source, encoding="utf-8")
    manifest.write_text(json.dumps({"version": VERSION, "seed": SEED, "n": n}))
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.corpus", description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(DEFAULT_PATH))
    parser.add_argument("-n", type=int, default=DEFAULT_SIZE, help="number of files (default %(default)s)")
    args = parser.parse_args(argv)
    files = ensure_corpus(args.path, args.n)
    total = sum(f.stat().st_size for f in files)
    print(f"{len(files)} files, {total / 1e6:.1f} MB in {args.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
