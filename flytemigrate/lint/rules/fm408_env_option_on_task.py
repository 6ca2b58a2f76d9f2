"""FM408 env-option-on-task."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from flytemigrate.lint.base import Rule, Severity

_ENV_ONLY = ("resources", "env_vars", "secrets", "image", "depends_on")
_HEAD = 'import flyte\nenv = flyte.TaskEnvironment(name="x")\n\n'


class EnvOptionOnTask(Rule):
    """Flags options passed to `@env.task(...)` that Flyte 2 only accepts on the
    `TaskEnvironment`: `resources`, `env_vars`, `secrets`, `image` (and `depends_on`).

    Why it breaks in Flyte 2:
        `TaskEnvironment.task()` has no such parameters: importing the module raises
        `TypeError: TaskEnvironment.task() got an unexpected keyword argument 'resources'`, so no task of the
        file can run or deploy. In flytekit these were per-task `@task(...)` arguments, so they
        are easy to carry over by hand.

    Example:
        env = flyte.TaskEnvironment(name="train")

        @env.task(resources=flyte.Resources(cpu=4, memory="8Gi"), retries=2)
        def fit(x: int) -> int:
            ...

    Use instead:
        env = flyte.TaskEnvironment(name="train")
        big = env.clone_with(name="train-big", resources=flyte.Resources(cpu=4, memory="8Gi"))

        @big.task(retries=2)
        def fit(x: int) -> int:
            ...
    """

    code: ClassVar[str] = "FM408"
    name: ClassVar[str] = "env-option-on-task"
    severity: ClassVar[Severity] = Severity.ERROR
    VALID: ClassVar[list[str]] = [
        _HEAD + "big = env.clone_with(name='big', resources=flyte.Resources(cpu=4))\n\n@big.task(retries=2, cache='auto')\ndef fit(x: int) -> int:\n    return x\n",
        # flytekit's @task takes these options (FM5xx rules handle the migration).
        "import flytekit\n\n@flytekit.task(requests=flytekit.Resources(cpu='1'))\ndef f(x: int) -> int:\n    return x\n",
    ]
    INVALID: ClassVar[list[str]] = [
        _HEAD + "@env.task(resources=flyte.Resources(cpu=4), retries=2)\ndef fit(x: int) -> int:\n    return x\n",
        "import flyte as fl\nimport os\nenv = fl.TaskEnvironment(name='x')\n\n@env.task(\n    env_vars={'MODE': 'prod'},  # copied from the flytekit task\n    secrets=[fl.Secret(key='token')],\n)\nasync def f(x: int) -> int:\n    return x\n",
    ]

    def visit_Module(self, node: cst.Module) -> None:
        analysis = self.context.analysis
        for qualname, info in analysis.tasks.items():
            if info.env is None:
                continue
            for decorator in info.node.decorators:
                call = decorator.decorator
                if not (
                    isinstance(call, cst.Call)
                    and isinstance(call.func, cst.Attribute)
                    and call.func.attr.value == "task"
                    and isinstance(call.func.value, cst.Name)
                    and call.func.value.value == info.env
                ):
                    continue
                for arg in call.args:
                    if arg.keyword is not None and arg.keyword.value in _ENV_ONLY:
                        option = arg.keyword.value
                        self.report(
                            arg,
                            f"`{info.env}.task()` of task `{qualname}` does not accept `{option}`; it belongs to the "
                            "TaskEnvironment (the module fails to import with TypeError)",
                            help=f"move `{option}=` to `flyte.TaskEnvironment(...)`, or give this task "
                            f"`{info.env}.clone_with(name=..., {option}=...)`",
                        )
