"""FM402 io-in-driver."""

from __future__ import annotations

from typing import ClassVar, Optional

import libcst as cst

from flytemigrate.lint.base import Severity
from flytemigrate.lint.rules.fm1_common import ReplayedCallRule

_NETWORK_PREFIXES = ("requests.", "httpx.", "urllib3.", "aiohttp.", "boto3.", "socket.", "smtplib.", "ftplib.", "paramiko.")
_NETWORK = frozenset({"urllib.request.urlopen", "urllib.request.urlretrieve", "urllib.request.Request"})
_FILES = frozenset(
    {"builtins.open", "io.open", "numpy.load", "numpy.loadtxt", "numpy.save", "joblib.load", "joblib.dump", "pickle.load", "pickle.dump", "shutil.copy", "shutil.copyfile", "shutil.rmtree", "shutil.move"}
)
# Methods whose names say they read or write files (pathlib.Path, pandas.DataFrame), matched by
# name because the receiver's type is unknown.
_FILE_METHODS = frozenset(
    {"read_text", "write_text", "read_bytes", "write_bytes", "to_csv", "to_parquet", "to_pickle", "to_excel", "to_feather"}
)
_PROCESSES = frozenset({"subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output", "subprocess.Popen", "os.system", "os.popen"})
_DATABASES = frozenset({"sqlite3.connect", "psycopg2.connect", "pymysql.connect", "sqlalchemy.create_engine"})
_HEAD = 'import flyte\nenv = flyte.TaskEnvironment(name="x")\n\n@env.task\ndef score(text: str) -> int:\n    return len(text)\n\n'


def _classify(names: frozenset[str]) -> Optional[tuple[str, str]]:
    for name in sorted(names):
        if name in _NETWORK or name.startswith(_NETWORK_PREFIXES):
            return "network I/O", name
        if name in _FILES or name.startswith("pandas.read_"):
            return "file I/O", name
        if name in _PROCESSES:
            return "a subprocess", name
        if name in _DATABASES:
            return "a database connection", name
    return None


class IoInDriver(ReplayedCallRule):
    """Flags network, file, database and subprocess I/O in driver code (outside `@flyte.trace`):
    `requests.*`, `httpx.*`, `urllib.request.urlopen`, `boto3.*`, `open()`, `pd.read_*`,
    `np.load`, `pickle.load`, `subprocess.*`, `sqlite3.connect`, and methods named like file
    I/O (`.read_text()`, `.write_text()`, `.to_csv()`, `.to_parquet()` ...).

    Why it breaks in Flyte 2:
        A driver is replayed after a crash: its I/O runs again and may return something else
        (a changed web page, a rewritten file), so the driver passes different inputs to its
        tasks than the first time; writes and POSTs are repeated. The driver's container is
        also sized for orchestration, not data work, and a local file it reads is not there on
        a cluster. A `@flyte.trace` function records the result once and returns it on replay;
        a task runs the I/O with its own resources and caching.

    Example:
        @env.task
        def pipeline(url: str) -> int:
            text = requests.get(url).text
            return score(text)

    Use instead:
        @flyte.trace
        async def fetch(url: str) -> str:
            return requests.get(url).text

        @env.task
        async def pipeline(url: str) -> int:
            return await score.aio(await fetch(url))
    """

    code: ClassVar[str] = "FM402"
    name: ClassVar[str] = "io-in-driver"
    severity: ClassVar[Severity] = Severity.WARNING
    SKIP_TASK_ARGUMENTS = False
    VALID: ClassVar[list[str]] = [
        _HEAD + "import requests\n\n@flyte.trace\nasync def fetch(url: str) -> str:\n    return requests.get(url).text\n\n@env.task\nasync def main(url: str) -> int:\n    return await score.aio(await fetch(url))\n",
        _HEAD + "import requests\n\n@env.task\ndef leaf(url: str) -> int:\n    return len(requests.get(url).text)\n",
    ]
    INVALID: ClassVar[list[str]] = [
        _HEAD + "import requests\n\n@env.task\ndef main(url: str) -> int:\n    text = requests.get(url, timeout=10).text\n    return score(text)\n",
        _HEAD + "import pandas as pd\n\n@env.task\ndef main(path: str) -> int:\n    df = pd.read_csv(path)\n    return score(str(len(df)))\n",
        _HEAD + "from urllib.request import urlopen\n\ndef fetch(url):\n    return urlopen(url).read().decode()\n\n@env.task\ndef main(url: str) -> int:\n    return score(fetch(url))\n",
        _HEAD + "@env.task\ndef main(path: str) -> int:\n    with open(path) as fh:\n        return score(fh.read())\n",
        _HEAD + "from pathlib import Path\n\n@env.task\ndef main(path: str) -> int:\n    return score(Path(path).read_text())\n",
    ]

    def check_call(self, analysis, info, site, names) -> None:
        found = _classify(names)
        func = site.node.func
        if found is None and isinstance(func, cst.Attribute) and func.attr.value in _FILE_METHODS:
            found = "file I/O", f".{func.attr.value}"
        if found is None:
            return
        kind, name = found
        self.report(
            site.node,
            f"{analysis.describe(info.qualname)} does {kind} with `{name}()`; it runs again on every replay of the driver",
            help="move it into a `@flyte.trace` function (recorded once) or into a task",
        )
