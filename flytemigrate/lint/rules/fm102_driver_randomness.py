"""FM102 driver-randomness."""

from __future__ import annotations

from typing import ClassVar

from flytemigrate.lint.base import Severity
from flytemigrate.lint.rules.fm1_common import ReplayedCallRule, randomness

_HEAD = 'import flyte\nimport random\nimport uuid\nenv = flyte.TaskEnvironment(name="x")\n\n@env.task\ndef leaf(x: float) -> float:\n    return x\n\n'


class DriverRandomness(ReplayedCallRule):
    """Flags random draws in driver code: `random.*` functions, `uuid1`/`uuid4`, `secrets.*`,
    `os.urandom`, and unseeded NumPy randomness (`np.random.rand()`, `default_rng()` without a seed).

    Seeded generators (`random.Random(42)`, `np.random.default_rng(seed)`) and `uuid3`/`uuid5`
    are deterministic and not flagged; nor is randomness in leaf tasks or `@flyte.trace` bodies,
    or a value that only goes into log lines (`logger.info("attempt %s", uuid.uuid4())`).

    Why it breaks in Flyte 2:
        A replayed driver re-executes its code and matches finished task calls by their inputs.
        A fresh random value on replay changes which branch runs, which samples are sent to
        tasks and which run names are generated, so recorded results are not reused and the
        run can diverge from its first attempt.

    Example:
        @env.task
        def pipeline(items: list[str]) -> list[str]:
            batch = random.sample(items, 10)
            return list(flyte.map(process, batch))

    Use instead:
        @env.task
        def pipeline(items: list[str], seed: int = 0) -> list[str]:
            batch = random.Random(seed).sample(items, 10)
            return list(flyte.map(process, batch))
    """

    code: ClassVar[str] = "FM102"
    name: ClassVar[str] = "driver-randomness"
    severity: ClassVar[Severity] = Severity.WARNING
    SKIP_LOG_ARGUMENTS = True
    VALID: ClassVar[list[str]] = [
        _HEAD + "@env.task\ndef main(seed: int) -> float:\n    rng = random.Random(seed)\n    return leaf(rng.random())\n",
        _HEAD + "@env.task\ndef main() -> str:\n    leaf(1.0)\n    return str(uuid.uuid5(uuid.NAMESPACE_URL, 'x'))\n",
        _HEAD + "@env.task\ndef sample() -> float:\n    return random.random()\n",
        _HEAD + "import numpy as np\n\n@env.task\ndef main(seed: int) -> float:\n    random.seed(seed)\n    return leaf(float(np.random.default_rng(seed).integers(10)))\n",
        _HEAD + "import numpy as np\n\n@env.task\ndef main(seed: int) -> float:\n    rng = np.random.default_rng(seed)\n    x = float(rng.random())\n    return leaf(x)\n",
        _HEAD + "import logging\nlogger = logging.getLogger('x')\n\n@env.task\ndef main() -> float:\n    logger.info('attempt %s', uuid.uuid4())\n    return leaf(1.0)\n",
    ]
    INVALID: ClassVar[list[str]] = [
        _HEAD + "@env.task\ndef main(xs: list[float]) -> float:\n    random.shuffle(xs)\n    return leaf(xs[0])\n",
        _HEAD + "@env.task\ndef main() -> str:\n    run_id = uuid.uuid4().hex\n    leaf(1.0)\n    return run_id\n",
        _HEAD + "import numpy as np\n\n@env.task\ndef main() -> float:\n    rng = np.random.default_rng()\n    leaf(1.0)\n    return 0.0\n",
        _HEAD + "@env.task\ndef main(xs: list[float]) -> float:\n    random.seed()\n    return leaf(xs[0])\n",
        _HEAD + "from secrets import token_hex\n\n@env.task\ndef main() -> str:\n    leaf(1.0)\n    return token_hex(8)\n",
        # The logged id is also returned.
        _HEAD + "import logging\n\n@env.task\ndef main() -> str:\n    run_id = str(uuid.uuid4())\n    logging.info('run %s', run_id)\n    leaf(1.0)\n    return run_id\n",
    ]

    def check_call(self, analysis, info, site, names) -> None:
        source = randomness(names, site.node)
        if source is None:
            return
        self.report(
            site.node,
            f"{analysis.describe(info.qualname)} draws random values with {source}; a replayed driver draws different ones",
            help="seed a generator from a task input (`random.Random(seed)`), or draw in a `@flyte.trace` function or a task",
        )
