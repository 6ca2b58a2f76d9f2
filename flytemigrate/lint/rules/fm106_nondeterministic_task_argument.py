"""FM106 nondeterministic-task-argument."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from flytemigrate.lint.base import Rule, Severity
from flytemigrate.lint.rules.fm1_common import argument_calls, call_names, nondeterministic

_HEAD = 'import flyte\nimport random\nimport time\nenv = flyte.TaskEnvironment(name="x")\n\n@env.task\ndef train(seed: float) -> float:\n    return seed\n\n'


class NondeterministicTaskArgument(Rule):
    """Flags a clock read or random draw written directly in the arguments of a task or trace
    call made by driver code, e.g. `train(seed=random.random())` or `log_run(time.time())`.

    Why it breaks in Flyte 2:
        A replayed driver finds the results of finished calls by their inputs. An input that is
        a fresh clock reading or random number never matches the recorded one, so every replay
        starts the task (or trace) again instead of reusing its result, repeating its work and
        side effects, and the driver continues with different outputs than the first attempt.

    Example:
        @env.task
        def pipeline() -> float:
            return train(seed=random.random())

    Use instead:
        @env.task
        def pipeline(seed: float = 0.0) -> float:
            return train(seed=seed)     # take the value as an input, or draw it inside the task
    """

    code: ClassVar[str] = "FM106"
    name: ClassVar[str] = "nondeterministic-task-argument"
    severity: ClassVar[Severity] = Severity.ERROR
    VALID: ClassVar[list[str]] = [
        _HEAD + "@env.task\ndef main(seed: float) -> float:\n    return train(seed=seed)\n",
        _HEAD + "@env.task\ndef main(seed: int) -> float:\n    return train(seed=random.Random(seed).random())\n",
        # Inside a leaf task a plain function call is not recorded.
        _HEAD + "def helper(x: float) -> float:\n    return x\n\n@env.task\ndef leaf() -> float:\n    return helper(time.time())\n",
    ]
    INVALID: ClassVar[list[str]] = [
        _HEAD + "@env.task\ndef main() -> float:\n    return train(seed=random.random())\n",
        _HEAD + "@flyte.trace\nasync def log_run(at: float) -> None:\n    print(at)\n\n@env.task\nasync def main() -> float:\n    await log_run(time.time())\n    return await train.aio(1.0)\n",
        _HEAD + "@env.task\ndef main() -> float:\n    return train(float(int(time.time()) % 7))\n",
    ]

    def visit_Module(self, node: cst.Module) -> None:
        analysis = self.context.analysis
        for info, _chain in analysis.replayed_functions():
            for site, call in argument_calls(analysis, info):
                found = nondeterministic(call_names(self, call), call)
                if found is None:
                    continue
                category, source = found
                if site.target is not None:
                    callee = analysis.functions[site.target]
                    what = f"{callee.kind} `{callee.qualname}`"
                else:
                    what = f"task `{site.external}`"
                self.report(
                    call,
                    f"{analysis.describe(info.qualname)} passes {source} to {what}; "
                    f"the input differs on every replay, so the recorded result is never reused",
                    help="take the value as an input of the driver, or compute it inside the task or trace",
                )
