"""``flyte.io`` on the runtime: File, Dir and DataFrame backed by local paths (pandas imported lazily).

As in the SDK's local mode, ``from_local`` keeps a file where it is (no upload); ``new_remote`` files
go under ``<run_dir>/raw_data``. DataFrames stay in memory.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any, Optional


def _shutil():
    import shutil  # imported on first copy, to keep `import flyte` fast

    return shutil


def _raw_dir() -> Optional[Path]:
    from flytemigrate.runtime import controller

    frame = controller.current_frame()
    if frame is None:
        return None
    path = frame.run.run_dir / "raw_data" / os.urandom(6).hex()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _both(func):
    """Give a sync implementation the SDK's async spelling too (``await X.aio`` style not needed)."""

    async def aio(*args, **kwargs):
        return func(*args, **kwargs)

    return func, aio


class _AsyncFile:
    """An open file whose I/O methods are awaitable (the shape of an aiofiles handle)."""

    def __init__(self, fh: Any):
        self._fh = fh

    async def read(self, *args: Any) -> Any:
        return self._fh.read(*args)

    async def readline(self, *args: Any) -> Any:
        return self._fh.readline(*args)

    async def readlines(self, *args: Any) -> Any:
        return self._fh.readlines(*args)

    async def write(self, data: Any) -> Any:
        return self._fh.write(data)

    async def writelines(self, lines: Any) -> Any:
        return self._fh.writelines(lines)

    async def flush(self) -> None:
        self._fh.flush()

    async def seek(self, *args: Any) -> Any:
        return self._fh.seek(*args)

    async def tell(self) -> int:
        return self._fh.tell()

    async def close(self) -> None:
        self._fh.close()

    def __aiter__(self) -> _AsyncFile:
        return self

    async def __anext__(self) -> Any:
        line = self._fh.readline()
        if not line:
            raise StopAsyncIteration
        return line

    @property
    def name(self) -> str:
        return self._fh.name


class File:
    """A file referenced by path."""

    def __init__(
        self, path: str | os.PathLike, name: Optional[str] = None, format: str = "", hash: Optional[str] = None, **_: Any
    ):
        self.path = str(path)
        self.name = name or os.path.basename(self.path)
        self.format = format
        self.hash = hash

    @classmethod
    def from_local_sync(cls, local_path: str | os.PathLike, remote_destination: Optional[str] = None, **_: Any) -> File:
        """Reference a local file; like the SDK's local mode it stays where it is unless a destination is given."""
        if not os.path.exists(local_path):
            raise ValueError(f"File not found: {local_path}")
        src = Path(local_path)
        if remote_destination is None:
            return cls(path=str(src.absolute()))
        dst = Path(remote_destination)
        dst.parent.mkdir(parents=True, exist_ok=True)
        _shutil().copy2(src, dst)
        return cls(path=str(dst.absolute()))

    @classmethod
    async def from_local(cls, local_path: str | os.PathLike, remote_destination: Optional[str] = None, **kw: Any) -> File:
        """Async form of :meth:`from_local_sync`."""
        return cls.from_local_sync(local_path, remote_destination)

    @classmethod
    def new_remote(cls, file_name: Optional[str] = None, **_: Any) -> File:
        """A new file in the run's raw data directory."""
        import tempfile

        raw = _raw_dir() or Path(tempfile.mkdtemp(prefix="flytemigrate-raw-"))
        return cls(path=str(raw / (file_name or os.urandom(16).hex())))

    @classmethod
    def from_existing_remote(cls, remote_path: str, **_: Any) -> File:
        """Reference an existing path."""
        return cls(path=remote_path)

    @contextlib.contextmanager
    def open_sync(self, mode: str = "rb", **kwargs: Any):
        """Open the file."""
        if "w" in mode or "a" in mode:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, mode, **kwargs) as fh:
            yield fh

    @contextlib.asynccontextmanager
    async def open(self, mode: str = "rb", **kwargs: Any):
        """Async open: the handle's methods are coroutines (``await fh.write(...)``), as with the SDK's
        aiofiles handle for local paths."""
        with self.open_sync(mode, **kwargs) as fh:
            yield _AsyncFile(fh)

    def download_sync(self, local_path: Optional[str | os.PathLike] = None) -> str:
        """Copy to ``local_path`` (or return the path itself)."""
        if local_path is None:
            return self.path
        _shutil().copyfile(self.path, local_path)
        return str(local_path)

    async def download(self, local_path: Optional[str | os.PathLike] = None) -> str:
        """Async form of :meth:`download_sync`."""
        return self.download_sync(local_path)

    def exists_sync(self) -> bool:
        """Whether the file exists."""
        return os.path.exists(self.path)

    async def exists(self) -> bool:
        return self.exists_sync()

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, File) and other.path == self.path

    def __hash__(self) -> int:
        return hash(self.path)

    def __repr__(self) -> str:
        return f"File(path={self.path!r}, name={self.name!r}, format={self.format!r}, hash={self.hash!r}, hash_method=None)"


class Dir:
    """A directory referenced by path."""

    def __init__(
        self, path: str | os.PathLike, name: Optional[str] = None, format: str = "", hash: Optional[str] = None, **_: Any
    ):
        self.path = str(path)
        self.name = name or os.path.basename(self.path.rstrip("/"))
        self.format = format
        self.hash = hash

    @classmethod
    def from_local_sync(cls, local_path: str | os.PathLike, remote_path: Optional[str] = None, **_: Any) -> Dir:
        """Reference a local directory (copied only when a destination is given)."""
        if not os.path.isdir(local_path):
            raise ValueError(f"Directory not found: {local_path}")
        src = Path(local_path)
        if remote_path is None:
            return cls(path=str(src.absolute()))
        _shutil().copytree(src, remote_path, dirs_exist_ok=True)
        return cls(path=str(Path(remote_path).absolute()))

    @classmethod
    async def from_local(cls, local_path: str | os.PathLike, remote_path: Optional[str] = None, **kw: Any) -> Dir:
        return cls.from_local_sync(local_path, remote_path)

    @classmethod
    def from_existing_remote(cls, remote_path: str, **_: Any) -> Dir:
        return cls(path=remote_path)

    def walk_sync(self, recursive: bool = True, max_depth: Optional[int] = None):
        """Yield the files below the directory, sorted."""
        base = Path(self.path)
        paths = base.rglob("*") if recursive else base.glob("*")
        for p in sorted(paths):
            if p.is_file():
                yield File(path=str(p))

    async def walk(self, recursive: bool = True, max_depth: Optional[int] = None):
        for f in self.walk_sync(recursive, max_depth):
            yield f

    def list_files_sync(self) -> list:
        return list(self.walk_sync(recursive=False))

    async def list_files(self) -> list:
        return self.list_files_sync()

    def download_sync(self, local_path: Optional[str | os.PathLike] = None) -> str:
        if local_path is None:
            return self.path
        _shutil().copytree(self.path, local_path, dirs_exist_ok=True)
        return str(local_path)

    async def download(self, local_path: Optional[str | os.PathLike] = None) -> str:
        return self.download_sync(local_path)

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, Dir) and other.path == self.path

    def __hash__(self) -> int:
        return hash(self.path)

    def __repr__(self) -> str:
        return f"Dir(path={self.path!r}, name={self.name!r}, format={self.format!r}, hash={self.hash!r})"


class _Reader:
    """What ``DataFrame.open(...)`` returns: ``all()``/``all_sync()`` give the pandas frame."""

    def __init__(self, df: Any):
        self._df = df

    def all_sync(self) -> Any:
        return self._df.copy()

    async def all(self) -> Any:
        return self.all_sync()


class DataFrame:
    """A structured dataset wrapping a pandas DataFrame (or a parquet file path)."""

    def __init__(self, val: Any = None, uri: Optional[str] = None, format: str = "parquet", **_: Any):
        self.val = val
        self.uri = uri
        self.format = format

    @classmethod
    def from_df(cls, val: Any, uri: Optional[str] = None) -> DataFrame:
        """Wrap an in-memory DataFrame."""
        return cls(val=val, uri=uri)

    @classmethod
    def wrap_df(cls, val: Any, uri: Optional[str] = None) -> DataFrame:
        """Wrap an in-memory DataFrame (the SDK's current name for :meth:`from_df`)."""
        return cls(val=val, uri=uri)

    @classmethod
    def from_existing_remote(cls, remote_path: str, format: str = "parquet", **_: Any) -> DataFrame:
        return cls(uri=remote_path, format=format)

    def _frame(self) -> Any:
        if self.val is not None:
            return self.val
        import pandas as pd

        if self.format == "csv":
            return pd.read_csv(self.uri)
        return pd.read_parquet(self.uri)

    def open(self, dataframe_type: Any = None) -> _Reader:
        """A reader whose ``all()`` returns the data as a pandas DataFrame."""
        return _Reader(self._frame())

    def __len__(self) -> int:
        return len(self._frame())

    def to_dict(self, orient: str = "records") -> Any:
        """Canonical content (used by call records)."""
        return self._frame().to_dict(orient=orient)

    def __repr__(self) -> str:
        return f"DataFrame(uri={self.uri!r}, format={self.format!r}, hash=None)"


for _c in (File, Dir, DataFrame):
    _c.__module__ = "flyte.io"


class HashFunction:
    """A user function that hashes a value (``Annotated[pd.DataFrame, HashFunction.from_fn(f)]``).

    Like the SDK's: ``update`` stores ``fn(data)``, ``result`` returns it. Locally it only changes
    cache keys, which the runtime computes from the values themselves.
    """

    def __init__(self, fn):
        self._fn = fn
        self._value = None

    def update(self, data) -> None:
        self._value = self._fn(data)

    def result(self) -> str:
        return self._value

    @classmethod
    def from_fn(cls, fn) -> "HashFunction":
        return cls(fn)


class PrecomputedValue:
    """A hash known in advance (``update`` is ignored)."""

    def __init__(self, value: str):
        self._value = value

    def update(self, data) -> None:
        return None

    def result(self) -> str:
        return self._value
