"""Unit tests of ``flytemigrate.lint.analysis``: task/trace/driver detection and call chains."""

from __future__ import annotations

import textwrap

import libcst as cst
from libcst.metadata import MetadataWrapper

from flytemigrate.lint.analysis import analyze


def run(source: str):
    return analyze(MetadataWrapper(cst.parse_module(textwrap.dedent(source))))


PIPELINE = """
import asyncio
import time
import flyte as fl
from concurrent.futures import ThreadPoolExecutor

env = fl.TaskEnvironment(name="x")
gpu = env.clone_with(name="gpu")
CACHE = {}

@env.task
def train(x: int) -> int:
    CACHE[x] = 1
    return x

@gpu.task(cache="auto")
async def evaluate(x: int) -> int:
    return x

@fl.trace
async def fetch(x: int) -> int:
    return train(x)

def fit_all(xs):
    return [train(x) for x in xs]

def outer(xs):
    return fit_all(xs)

@env.task
def pipeline(xs: list[int]) -> list[int]:
    return outer(xs)

@env.task
async def amain(xs: list[int]) -> int:
    await asyncio.gather(*[evaluate(x) for x in xs])
    return await fetch(1)

@env.task
def pooled(xs: list[int]) -> None:
    with ThreadPoolExecutor() as pool:
        pool.submit(train, 1)

@env.task
def overridden(x: int) -> int:
    return train.override(retries=2)(x=x)

@env.task
async def via_aio(x: int) -> int:
    return await train.aio(x)

@env.task
def mapped(xs: list[int]) -> list[int]:
    return list(fl.map(train, xs))

@env.task
def only_trace() -> int:
    return fetch(1)
"""


def test_kinds_envs_and_async():
    a = run(PIPELINE)
    assert a.envs == {"env", "gpu"}
    assert set(a.tasks) == {"train", "evaluate", "pipeline", "amain", "pooled", "overridden", "via_aio", "mapped", "only_trace"}
    assert set(a.traces) == {"fetch"}
    assert a.functions["fit_all"].kind == "helper"
    assert a.functions["evaluate"].is_async and a.functions["evaluate"].env == "gpu"
    assert not a.functions["train"].is_async


def test_drivers_and_chains():
    a = run(PIPELINE)
    assert set(a.drivers) == {"pipeline", "amain", "pooled", "overridden", "via_aio", "mapped"}
    # A trace that calls a task does not make its caller a driver; traces are not drivers.
    assert "only_trace" in a.leaf_tasks and "fetch" not in a.drivers
    assert a.driver_chains["pipeline"] == ["pipeline", "outer", "fit_all", "train"]
    assert a.describe_driver("pipeline") == "driver `pipeline` calls task `train` via helper `outer` -> `fit_all`"
    assert a.replayed["fit_all"] == ["pipeline", "outer", "fit_all"]
    assert a.describe("fit_all") == "driver `pipeline` via helper `outer` -> `fit_all`"
    kinds = {c.kind for q in ("pooled", "overridden", "via_aio", "mapped") for c in a.task_calls(a.functions[q])}
    assert kinds == {"passed", "override", "aio", "map"}
    assert [c.awaited for c in a.task_calls(a.functions["via_aio"])] == [True]


def test_module_bindings_and_global_users():
    a = run(PIPELINE)
    assert "CACHE" in a.bindings and isinstance(a.bindings["CACHE"].value, cst.Dict)
    assert a.global_users["CACHE"] == {"train"}
    assert [m.name for m in a.functions["train"].mutations] == ["CACHE"]


def test_flytekit_decorators_and_aliases():
    a = run(
        """
        import flytekit as fk
        from flytekit.core.workflow import workflow as wf
        from flytekit import dynamic, map_task

        @fk.task(retries=2)
        def t(x: int) -> int:
            return x

        @wf
        def w(x: int) -> int:
            return t(x=x)

        @dynamic
        def d(xs: list[int]) -> list[int]:
            return map_task(t)(x=xs)

        @fk.workflow
        def empty() -> None:
            pass
        """
    )
    assert a.functions["t"].decorator == "flytekit.task"
    assert set(a.drivers) == {"w", "d", "empty"}
    assert a.task_calls(a.functions["d"])[0].kind == "map"
    assert a.leaf_tasks.keys() == {"t"}


def test_not_flyte_decorators_and_shadowing():
    a = run(
        """
        import flyte
        from celery import task

        class Env:
            def task(self, f):
                return f

        env = Env()

        @task
        def a() -> None: ...

        @env.task
        def b() -> None: ...

        def outer():
            def b():
                return 1
            return b()
        """
    )
    assert a.tasks == {}
    # The nested `b` shadows the module-level one inside `outer`.
    call = [c for c in a.functions["outer"].calls if c.target][0]
    assert call.target == "outer.<locals>.b"


def test_decorator_calls_are_not_body_calls():
    a = run(
        """
        import flyte
        env = flyte.TaskEnvironment(name="x")

        @env.task
        def leaf() -> int:
            return 1

        @env.task(cache=flyte.Cache(behavior="auto"))
        def other(x: int = leaf) -> int:
            return x
        """
    )
    assert a.functions["other"].calls == []
    assert "other" not in a.drivers


def test_recursive_helpers_terminate():
    a = run(
        """
        import flyte
        env = flyte.TaskEnvironment(name="x")

        @env.task
        def leaf() -> int:
            return 1

        def ping(n):
            return pong(n - 1) if n else leaf()

        def pong(n):
            return ping(n)

        @env.task
        def main() -> int:
            return pong(3)
        """
    )
    assert a.driver_chains["main"] == ["main", "pong", "ping", "leaf"]
    assert set(a.replayed) == {"main", "pong", "ping"}


def test_imported_tasks_used_like_tasks_make_drivers():
    a = run(
        """
        import asyncio
        import flyte
        from .tasks import clean, train, helper_fn

        env = flyte.TaskEnvironment(name="x")

        @env.task
        async def main(xs: list[int]) -> list[int]:
            await asyncio.gather(*(train(x) for x in xs))
            return [await clean.aio(x) for x in xs]

        @env.task
        def plain(x: int) -> int:
            return helper_fn(x)
        """
    )
    assert a.external_tasks == {"clean"}
    # `train` is only called directly, but `clean.aio` marks `main` as a driver already.
    assert a.driver_chains["main"] == ["main", "clean"]
    assert "plain" in a.leaf_tasks


def test_only_the_first_map_argument_is_a_function():
    a = run(
        """
        import flyte
        env = flyte.TaskEnvironment(name="x")

        @env.task
        def sq(x: int) -> int:
            return x * x

        def xs() -> list[int]:
            return [1]

        @env.task
        def main(items: list[int]) -> list[int]:
            return list(flyte.map(sq, items, xs))
        """
    )
    derived = [c for c in a.functions["main"].calls if c.derived]
    assert [(c.kind, c.target) for c in derived] == [("map", "sq")]


def test_callee_names_ignore_calls_in_the_chain():
    a = run(
        """
        import numpy as np
        import flyte
        env = flyte.TaskEnvironment(name="x")

        @env.task
        def leaf(seed: int) -> float:
            return float(np.random.default_rng(seed).random())
        """
    )
    names = [sorted(c.names) for c in a.functions["leaf"].calls]
    assert ["numpy.random.default_rng"] in names
    assert not any(n and n[0].startswith("numpy.random.default_rng.") for n in names)


def test_flyte_group_marks_a_driver():
    a = run(
        """
        import flyte
        from .tasks import train

        env = flyte.TaskEnvironment(name="x")

        @env.task
        def main(xs: list[int]) -> int:
            with flyte.group("training"):
                return sum(train(x) for x in xs)
        """
    )
    assert a.driver_chains == {"main": ["main"]}
    assert a.describe_driver("main") == "driver `main`"
    assert a.describe("main") == "driver `main`"


def test_tasks_registered_by_call():
    a = run(
        """
        import flyte
        env = flyte.TaskEnvironment(name="x")

        def _train(x: int) -> int:
            return x

        def _fetch(x: int) -> int:
            return x

        train = env.task(_train)
        fetch = flyte.trace(_fetch)
        cached = env.task(cache="auto")(_train)

        @env.task
        def main(x: int) -> int:
            return train(fetch(x)) + cached(x)
        """
    )
    assert a.functions["_train"].kind == "task" and a.functions["_fetch"].kind == "trace"
    assert a.driver_chains["main"][-1] == "_train"
    assert {c.target for c in a.functions["main"].calls if c.target} == {"_train", "_fetch"}


def test_tasks_imported_from_project_files(tmp_path):
    package = tmp_path / "shop"
    (package / "steps").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "steps" / "__init__.py").write_text("")
    (package / "steps" / "tasks.py").write_text(
        "import flyte\nenv = flyte.TaskEnvironment(name='s')\n\n"
        "@env.task\nasync def load(day: str) -> int:\n    return 1\n\n"
        "def util(x):\n    return x\n\n"
        "def _total(x: int) -> int:\n    return x\n\ntotal = env.task(_total)\n"
    )
    driver = package / "flows.py"
    source = (
        "import flyte\nfrom shop.steps.tasks import load as fetch, util\nfrom .steps.tasks import total\n"
        "env = flyte.TaskEnvironment(name='f')\n\n"
        "@env.task\nasync def daily(day: str) -> int:\n    return util(await fetch(day))\n\n"
        "@env.task\ndef weekly(x: int) -> int:\n    return total(x)\n\n"
        "@env.task\ndef plain(x: int) -> int:\n    return util(x)\n"
    )
    driver.write_text(source)
    a = analyze(MetadataWrapper(cst.parse_module(source)), str(driver))
    assert a.external_tasks == {"fetch", "total"}
    assert a.driver_chains == {"daily": ["daily", "fetch"], "weekly": ["weekly", "total"]}
    # Without a path nothing outside the module is read.
    assert run(source).driver_chains == {}


def test_tuple_bindings_at_module_level():
    a = run(
        """
        import flyte
        env = flyte.TaskEnvironment(name="x")
        CACHE, LIMIT = {}, 3
        first, *rest = [1, 2, 3]

        @env.task
        def f(k: str) -> int:
            CACHE[k] = LIMIT
            return len(CACHE)
        """
    )
    assert isinstance(a.bindings["CACHE"].value, cst.Dict)
    assert isinstance(a.bindings["LIMIT"].value, cst.Integer)
    assert "first" not in a.bindings
    assert a.global_users["CACHE"] == {"f"}


def test_environments_imported_from_project_files(tmp_path):
    package = tmp_path / "jobs"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "settings.py").write_text(
        "import flyte as fl\nbase: fl.TaskEnvironment = fl.TaskEnvironment(name='jobs')\n"
        "big = base.clone_with(name='jobs-big')\nNOT_ENV = dict(name='x')\n"
    )
    # A re-export in between, as packages do with `env.py` / `__init__.py`.
    (package / "env.py").write_text("from .settings import base as env, big, NOT_ENV\n")
    source = textwrap.dedent(
        """
        from .env import env, big as large, NOT_ENV
        from jobs.settings import base

        wide = large.clone_with(name="jobs-wide")

        @env.task
        def a(x: int) -> int:
            return x

        @wide.task
        def b(x: int) -> int:
            return a(x)

        @base.task(cache="auto")
        def c(x: int) -> int:
            return x

        @NOT_ENV.task
        def d(x: int) -> int:
            return a(x)
        """
    )
    flows = package / "flows.py"
    flows.write_text(source)
    a = analyze(MetadataWrapper(cst.parse_module(source)), str(flows))
    assert set(a.tasks) == {"a", "b", "c"}
    assert a.functions["d"].kind == "helper"
    assert a.driver_chains == {"b": ["b", "a"]}
    assert {"env", "large", "wide", "base"} <= a.envs and "NOT_ENV" not in a.envs
    # Without a path (stdin) nothing is read: the imported names stay unknown.
    assert set(run(source).tasks) == set()


def test_method_calls_through_self_and_local_instances():
    a = run(
        """
        import flyte
        env = flyte.TaskEnvironment(name="x")

        @env.task
        async def load(n: int) -> int:
            return n

        class Loader:
            def __init__(self, n: int) -> None:
                self.n = n

            async def one(self) -> int:
                return await load(n=self.n)

            async def many(self) -> list[int]:
                return [await self.one() for _ in range(3)]

            @staticmethod
            def describe(self) -> str:
                return self.one()

        class Other:
            async def many(self) -> list[int]:
                return []

        class Cached(Loader):
            async def all(self) -> list[int]:
                return await self.many()

        @env.task
        async def inherited(n: int) -> int:
            return len(await Cached(n).all())

        @env.task
        async def main(n: int) -> int:
            loader = Loader(n)
            return len(await loader.many())

        @env.task
        async def inline(n: int) -> int:
            return len(await Loader(n).many())

        @env.task
        async def rebound(n: int) -> int:
            loader = Loader(n)
            loader = Other()
            return len(await loader.many())
        """
    )
    assert a.driver_chains["main"] == ["main", "Loader.many", "Loader.one", "load"]
    assert a.driver_chains["inline"] == ["inline", "Loader.many", "Loader.one", "load"]
    assert a.driver_chains["inherited"] == ["inherited", "Cached.all", "Loader.many", "Loader.one", "load"]
    assert a.describe("Loader.one") == "driver `main` via helper `Loader.many` -> `Loader.one`"
    # `self` of a staticmethod is an ordinary parameter; `loader` rebound to another class.
    assert "Loader.describe" not in a.reaches_task
    assert "rebound" not in a.driver_chains


def test_tasks_and_envs_of_modules_imported_whole(tmp_path):
    """`from . import tasks` / `import shop.envs as envs`: tasks used as `tasks.load(...)`,
    environments as `@envs.default.task`."""
    package = tmp_path / "shop"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "envs.py").write_text("import flyte\ndefault = flyte.TaskEnvironment(name='shop')\n")
    (package / "tasks.py").write_text(
        "from .envs import default\n\n@default.task\nasync def load(day: str) -> int:\n    return 1\n\n"
        "@default.task\ndef total(xs: list[int]) -> int:\n    return sum(xs)\n\ndef util(x):\n    return x\n"
    )
    source = textwrap.dedent(
        """
        import flyte
        import shop.envs as envs
        from . import tasks

        big = envs.default.clone_with(name="shop-big")

        @envs.default.task
        async def daily(day: str) -> int:
            return await tasks.load(day) + await tasks.total.aio([1])

        @big.task
        def weekly(days: list[str]) -> list[int]:
            return list(flyte.map(tasks.total, [[1], [2]]))

        @envs.default.task
        def plain(x: int) -> int:
            return tasks.util(x)
        """
    )
    flows = package / "flows.py"
    flows.write_text(source)
    a = analyze(MetadataWrapper(cst.parse_module(source)), str(flows))
    assert set(a.tasks) == {"daily", "weekly", "plain"}
    assert a.functions["weekly"].env == "big"
    assert a.driver_chains == {"daily": ["daily", "tasks.load"], "weekly": ["weekly", "tasks.total"]}
    assert a.external_kinds["tasks.load"] == (True, False) and a.external_kinds["tasks.total"] == (False, False)


def test_environments_from_factories_and_class_attributes():
    a = run(
        """
        import flyte

        IMAGE = flyte.Image.from_debian_base()

        def make_env(name: str, cpu: int = 1) -> flyte.TaskEnvironment:
            return flyte.TaskEnvironment(name=name, image=IMAGE, resources=flyte.Resources(cpu=cpu))

        def make_config(name: str) -> dict:
            return {"name": name}

        class Envs:
            cpu = make_env("cpu")
            gpu = flyte.TaskEnvironment(name="gpu")
            settings = make_config("x")

        train_env = make_env("train", cpu=4)
        conf = make_config("y")

        @train_env.task
        def train(x: int) -> int:
            return x

        @Envs.gpu.task
        def infer(x: int) -> int:
            return train(x)

        @Envs.cpu.task
        def prep(x: int) -> int:
            return x

        @Envs.settings.task
        def not_a_task(x: int) -> int:
            return train(x)
        """
    )
    assert set(a.tasks) == {"train", "infer", "prep"}
    assert {"train_env", "Envs.gpu", "Envs.cpu"} <= a.envs and "conf" not in a.envs
    assert a.driver_chains == {"infer": ["infer", "train"]}


def test_environment_factories_in_imported_modules(tmp_path):
    (tmp_path / "envs.py").write_text(
        "import flyte\n\ndef make_env(name):\n    return flyte.TaskEnvironment(name=name)\n\n"
        "train = make_env('train')\nsettings = dict(name='x')\n"
    )
    source = "from envs import train, settings\n\n@train.task\ndef a(x: int) -> int:\n    return x\n\n@settings.task\ndef b(x: int) -> int:\n    return a(x)\n"
    flows = tmp_path / "flows.py"
    flows.write_text(source)
    a = analyze(MetadataWrapper(cst.parse_module(source)), str(flows))
    assert set(a.tasks) == {"a"}


def test_tasks_collected_in_displays_make_drivers():
    a = run(
        """
        import flyte
        env = flyte.TaskEnvironment(name="x")

        @env.task
        def clean(x: int) -> int:
            return x

        @env.task
        def train(x: int) -> int:
            return x

        def steps():
            return {"clean": clean, "train": train}

        @env.task
        def chain(x: int) -> int:
            for step in (clean, train):
                x = step(x)
            return x

        @env.task
        def by_name(x: int, which: str) -> int:
            return steps()[which](x)

        @env.task
        def values_only(x: int) -> list[int]:
            return [x, x + 1]
        """
    )
    assert a.driver_chains == {"chain": ["chain", "clean"], "by_name": ["by_name", "steps", "clean"]}


def test_methods_of_module_level_instances():
    a = run(
        """
        import flyte
        env = flyte.TaskEnvironment(name="x")

        @env.task
        def fit(x: int) -> int:
            return x

        class Pipeline:
            def run(self, x: int) -> int:
                return fit(x)

        PIPELINE = Pipeline()

        @env.task
        def main(x: int) -> int:
            return PIPELINE.run(x)

        @env.task
        def shadowed(x: int, PIPELINE: str = "p") -> int:
            return len(PIPELINE.run(x))

        @env.task
        def rebound(x: int) -> int:
            PIPELINE = make_other()
            return PIPELINE.run(x)
        """
    )
    assert a.driver_chains == {"main": ["main", "Pipeline.run", "fit"]}


def test_partial_and_override_aliases():
    a = run(
        """
        import functools
        import flyte
        env = flyte.TaskEnvironment(name="x")

        @env.task
        async def scale(x: int, factor: int) -> int:
            return x * factor

        @env.task
        async def by_partial(xs: list[int]) -> list[int]:
            fn = functools.partial(scale, factor=2)
            return [r async for r in flyte.map.aio(fn, xs)]

        @env.task
        async def by_override(x: int) -> int:
            big = scale.override(retries=3)
            return await big(x, 2) + await big.aio(x, 3)
        """
    )
    assert a.driver_chains == {"by_partial": ["by_partial", "scale"], "by_override": ["by_override", "scale"]}
    kinds = sorted((c.kind, c.target) for c in a.functions["by_override"].calls if not c.derived and c.target)
    assert kinds == [("aio", "scale"), ("direct", "scale")]


def test_src_layout_imports(tmp_path):
    """`from shop.env import env` in scripts/ of a src-layout repository resolves to src/shop."""
    (tmp_path / "src" / "shop").mkdir(parents=True)
    (tmp_path / "src" / "shop" / "__init__.py").write_text("")
    (tmp_path / "src" / "shop" / "env.py").write_text("import flyte\nenv = flyte.TaskEnvironment(name='shop')\n")
    (tmp_path / "src" / "shop" / "tasks.py").write_text(
        "from shop.env import env\n\n@env.task\nasync def load(n: int) -> int:\n    return n\n"
    )
    (tmp_path / "scripts").mkdir()
    source = (
        "from shop.env import env\nfrom shop.tasks import load\n\n"
        "@env.task\nasync def backfill(n: int) -> int:\n    return await load(n)\n"
    )
    script = tmp_path / "scripts" / "backfill.py"
    script.write_text(source)
    a = analyze(MetadataWrapper(cst.parse_module(source)), str(script))
    assert a.driver_chains == {"backfill": ["backfill", "load"]}


def test_other_libraries_task_decorators_are_not_flyte_tasks(tmp_path):
    """Celery's `@app.task` and Prefect's `@task` in project modules without Flyte are plain
    functions; `@env.task` of an imported environment still counts."""
    (tmp_path / "jobs.py").write_text(
        "from celery import Celery\napp = Celery()\n\n@app.task\ndef send_email(to: str) -> None:\n    pass\n"
    )
    (tmp_path / "flows.py").write_text("from prefect import task\n\n@task\ndef extract() -> int:\n    return 1\n")
    (tmp_path / "env.py").write_text("import flyte\nenv = flyte.TaskEnvironment(name='x')\n")
    (tmp_path / "steps.py").write_text("from env import env\n\n@env.task\ndef step(x: int) -> int:\n    return x\n")
    source = (
        "import flyte\nfrom jobs import send_email\nfrom flows import extract\nfrom steps import step\n\n"
        "env = flyte.TaskEnvironment(name='d')\n\n"
        "@env.task\ndef notify(to: str) -> int:\n    send_email(to)\n    return extract()\n\n"
        "@env.task\ndef main(x: int) -> int:\n    return step(x)\n"
    )
    driver = tmp_path / "driver.py"
    driver.write_text(source)
    a = analyze(MetadataWrapper(cst.parse_module(source)), str(driver))
    assert a.driver_chains == {"main": ["main", "step"]}
