"""Flyte 1 data types -> ``flyte.io``: FlyteFile -> File, FlyteDirectory -> Dir, StructuredDataset -> DataFrame.

Type references (annotations, ``isinstance``) are renamed; flytekit's format aliases
(``CSVFile``, ``JSONLFile`` ... and ``TensorboardLogs``) become the plain ``File`` / ``Dir``.
The behaviour that differs, measured on flyte 2.12:

* A Flyte 1 ``FlyteFile(path)`` / ``FlyteDirectory(path)`` is uploaded when the task returns; in
  Flyte 2 it is ``File.from_local_sync(path)`` / ``Dir.from_local_sync(path)``, and
  ``StructuredDataset(dataframe=df)`` is ``DataFrame.from_df(df)``.
* Flyte 1 accepts a plain path (``return "/tmp/out.csv"``) or a raw data frame as the value of a
  ``FlyteFile`` / ``StructuredDataset`` output; Flyte 2 rejects both, so in leaf tasks such
  ``return`` values are wrapped in ``from_local_sync`` / ``from_df``. A returned value whose
  kind cannot be told statically gets a TODO instead of a guess.
* A ``FlyteFile`` is ``os.PathLike`` (``open(f)``, ``pd.read_csv(f)``, ``os.listdir(d)``
  download it on access); a Flyte 2 ``File`` is not. In leaf tasks a File/Dir parameter passed
  to an ordinary call becomes ``param.download_sync()``; ``.download()`` -> ``.download_sync()``,
  ``.open(mode)`` -> ``.open_sync(mode)``, dataset ``.open(T).all()`` -> ``.open(T).all_sync()``.
* flytekit turns a path string into a FlyteFile/FlyteDirectory input (``csv: FlyteFile = "s3://..."``
  defaults, ``normalize(csv="https://...")`` in a workflow, ``wf(csv="...")`` under ``__main__``);
  flyte 2 rejects a ``str`` for a File/Dir input, so such literal strings (and module string
  constants) become ``flyte.io.File.from_existing_remote("...")``, which references the path as is
  (local or remote) without uploading at import time.
* Elements of ``List[FlyteFile]`` / ``Dict[str, FlyteFile]`` parameters bound by ``for`` loops and
  comprehensions (``for f in files``, ``for k, f in files.items()``, ``files[0]``) are File/Dir
  values like a parameter, so the same path and method rewrites apply to them; so are File/Dir/
  DataFrame fields of dataclasses / models received as parameters (``res.file``), whether the class
  is defined in the module or imported from a sibling (``from .types import Outputs``, read with ``ast``).
* ``str(f)`` and ``f"{f}"`` of a FlyteFile/FlyteDirectory input were its local path (flytekit's
  ``__str__``); in a task they become ``f.download_sync()`` (a flyte.io value formats as its model repr).
* Plain helper functions are called from tasks with ``f.download_sync()`` paths (the same contract
  whether the helper is in this module or in a sibling converted on its own), so in a helper a
  ``f: FlyteFile`` parameter is a local path: annotated ``str``, ``f.download()`` / ``f.path`` are
  ``f`` and ``f.open(mode)`` is ``open(f, mode)``.
* Class methods: ``FlyteFile.new_remote_file(name)`` -> ``File.new_remote(name)``,
  ``FlyteFile.from_source(uri)`` -> ``File.from_existing_remote(uri)`` (same for Dir); any other
  attribute of the class is marked with a TODO rather than renamed onto a missing method.
* Format parameters (``FlyteFile["csv"]``, ``FlyteFile[TypeVar("jpeg")]``, ``FlyteDirectory["csv"]``)
  are dropped: flyte 2.12 validates a ``File[csv]`` output against the parametrised class, and
  ``File.from_local_sync`` returns a plain ``File``, so the subscripted annotation fails at run time.
* A flytekit ``FlyteFile.path`` is a local path; a Flyte 2 ``File.path`` is the remote URI. On a
  File/Dir parameter ``.path`` becomes ``.download_sync()`` (which returns the local path, without
  copying when the file is already local), and ``.remote_source`` (the URI an input came from)
  becomes ``.path``.
* ``FlyteFile("s3://...")`` / ``FlyteFile("https://...")`` references an existing remote object:
  ``File.from_existing_remote(uri)``; ``remote_path=`` / ``remote_directory=`` become
  ``remote_destination=`` of ``from_local_sync``.
* ``kwtypes(a=int)`` column declarations become the dict ``{"a": int}``, which flyte 2 reads from
  ``Annotated[DataFrame, {...}]`` the same way (declared columns are selected on input).
* ``HashMethod(fn)`` (a cache-key function in ``Annotated[pd.DataFrame, ...]``) becomes
  ``flyte.io.HashFunction.from_fn(fn)``, which flyte 2 reads from the annotation of raw frames.

Runs before ``TaskCodemod`` because it needs the Flyte 1 decorators to tell leaf tasks from drivers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import ast
from functools import lru_cache
from pathlib import Path

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor
from libcst.helpers import get_full_name_for_node

from flytemigrate.codemods.base import FlyteCodemod
from flytemigrate.codemods.project_modules import resolve_module
from flytemigrate.codemods.todo_codes import FM_LEFTOVER, FM_UNKNOWN_VALUE

TYPES = {
    "flytekit.FlyteFile": "File",
    "flytekit.FlyteDirectory": "Dir",
    "flytekit.StructuredDataset": "DataFrame",
    "flytekit.TensorboardLogs": "Dir",
    "flytekit.TFRecordsDirectory": "Dir",
}
for _alias in (
    "HTMLPage JoblibSerializedFile JPEGImageFile PDFFile PNGImageFile PythonPickledFile PythonNotebook "
    "SVGImageFile CSVFile ONNXFile TFRecordFile JSONLFile"
).split():
    TYPES[f"flytekit.{_alias}"] = "File"
# flytekit.types.file.FlyteFile etc. fold onto these through base.public_name.

CLASS_METHODS = {
    ("File", "new_remote_file"): "new_remote",
    ("File", "from_source"): "from_existing_remote",
    ("Dir", "new_remote_directory"): "new_remote",
    ("Dir", "new_remote"): "new_remote",
    ("Dir", "from_source"): "from_existing_remote",
}
INSTANCE_METHODS = {"download": "download_sync", "open": "open_sync"}
# Instance attributes whose meaning moved: flytekit .path is local, flyte.io .path is the remote URI.
INSTANCE_ATTRIBUTES = {"path": "download_sync()", "remote_source": "path"}
# flytekit constructor keywords -> from_local_sync keywords.
CONSTRUCTOR_KEYWORDS = {"path": None, "remote_path": "remote_destination", "remote_directory": "remote_destination"}
# Class attributes with no flyte.io counterpart, and what to write instead.
CLASS_ATTRIBUTE_HINTS = {
    ("Dir", "listdir"): "flyte.io.Dir has no listdir: use d.walk_sync(recursive=False) (files only, as File objects) "
    "or os.listdir(d.download_sync()) (names of files and subdirectories)",
}
# What a flyte.io.File / Dir instance has (flyte 2.12.1); other attributes of a flytekit value are TODOs.
_IO_FIELDS = {"path", "name", "format", "hash", "hash_method", "exists", "exists_sync", "download", "download_sync"}
IO_ATTRIBUTES = {
    "File": _IO_FIELDS | {"open", "open_sync"},
    "Dir": _IO_FIELDS | {"walk", "walk_sync", "list_files", "list_files_sync", "get_file", "get_file_sync"},
}
INSTANCE_ATTRIBUTE_HINTS = {
    "crawl": "flyte.io.Dir has no crawl: d.walk_sync() yields the files as flyte.io.File objects",
    "new_file": "flyte.io.Dir has no new_file: write the file locally and upload it with flyte.io.File.from_local_sync",
    "new_dir": "flyte.io.Dir has no new_dir: build the directory locally and upload it with flyte.io.Dir.from_local_sync",
    "downloaded": "flyte.io values have no downloaded flag: download_sync() returns the local path",
    "remote_path": "flyte.io.File has no remote_path: .path is the remote URI once uploaded",
    "remote_directory": "flyte.io.Dir has no remote_directory: .path is the remote URI once uploaded",
}
# Annotations whose elements are the flyte.io values (sequence-like / mapping-like).
_SEQUENCES = {
    "typing.List", "typing.Sequence", "typing.Iterable", "typing.Collection", "typing.Set",
    "collections.abc.Sequence", "collections.abc.Iterable", "collections.abc.Collection",
}
_MAPPINGS = {"typing.Dict", "typing.Mapping", "collections.abc.Mapping"}
_UNWRAP = {"typing.Annotated", "typing_extensions.Annotated", "typing.Optional"}
# URI schemes of objects that already exist remotely (FlyteFile("s3://...") is a reference, not an upload).
_REMOTE_SCHEMES = ("s3://", "gs://", "gcs://", "abfs://", "abfss://", "az://", "http://", "https://", "file://")
# Calls whose result is a local path (str or pathlib.Path).
_PATH_FUNCTIONS = {
    "os.path.join", "os.path.abspath", "os.fspath", "str", "tempfile.mkdtemp", "tempfile.mktemp",
    "tempfile.gettempdir", "pathlib.Path", "pathlib.PurePath",
}
# Calls that take a File/Dir as a value, not as a path to read.
_NOT_A_PATH_USE = {
    "print", "isinstance", "repr", "type", "id", "str", "getattr", "hasattr", "setattr", "len", "list", "tuple",
    "dict", "set", "zip", "enumerate", "sorted", "reversed", "iter", "next", "bool",
}
# Methods that store a value in a container (``outputs.append(f)``): the File itself is meant.
_STORE_METHODS = {"append", "extend", "insert", "add", "setdefault", "update", "put", "put_nowait"}


@dataclass
class _Scope:
    leaf: bool = False
    helper: bool = False  # a plain function (not a task/workflow): File parameters arrive as local paths
    params: dict[str, str] = field(default_factory=dict)  # name -> File / Dir / DataFrame
    returns: Optional[str] = None
    returns_tuple: Optional[list] = None  # per-position kinds of a ``Tuple[...]`` return annotation
    io_vars: set[str] = field(default_factory=set)  # already flyte.io values
    io_kinds: dict[str, str] = field(default_factory=dict)  # local variables of a known kind -> File / Dir
    containers: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (element kind, "seq" / "map")
    records: dict[str, dict[str, str]] = field(default_factory=dict)  # parameter -> its class's flyte.io fields
    path_vars: set[str] = field(default_factory=set)  # local path strings


# Flytekit calls that stay flytekit after the rewrite, whose arguments are left alone.
_KEPT_FLYTEKIT_CALLS = (
    "flytekit.extras.tasks.shell.",
    "flytekit.extras.sqlite3.",
    "flytekitplugins.papermill.",
    "flytekitplugins.sqlalchemy.",
)


class TypesCodemod(FlyteCodemod):
    """Rename flytekit data types to flyte.io types and convert their constructors and methods."""

    DESCRIPTION = "FlyteFile/FlyteDirectory/StructuredDataset -> flyte.io.File/Dir/DataFrame."
    # HTMLPage / PythonNotebook are the aliases whose names do not contain "File".
    TRIGGERS = (
        "File", "FlyteDirectory", "StructuredDataset", "TensorboardLogs", "TFRecordsDirectory", "HTMLPage",
        "PythonNotebook", "kwtypes", "HashMethod",
    )

    def __init__(self, context) -> None:
        super().__init__(context)
        self._scopes: list[_Scope] = [_Scope()]
        self._entities: set[str] = set()
        self._entity_node: dict[str, cst.FunctionDef] = {}
        self._returns_io: set[str] = set()
        self._imported: dict[str, tuple[Optional[str], int, str]] = {}
        self._returns_path: set[str] = set()
        self._entity_inputs: dict[str, list[tuple[str, Optional[str]]]] = {}
        self._aliases: dict[str, str] = {}
        self._constants: dict[str, str] = {}
        self._comprehensions: list[dict] = []
        self._path_annotation = False  # inside a helper parameter annotation that becomes ``str``
        self._records: dict[str, dict[str, str]] = {}  # module class -> {field: File / Dir / DataFrame}
        self._record_order: dict[str, list[str]] = {}  # module class -> its annotated fields in order

    def visit_Module(self, node: cst.Module) -> None:
        self._entities = {s.name.value for s in node.body if isinstance(s, cst.FunctionDef) and self.function_kind(s)}
        self._entity_node = {s.name.value: s for s in node.body if isinstance(s, cst.FunctionDef) and s.name.value in self._entities}
        # Module-level type aliases (``CitySchema = Annotated[StructuredDataset, kwtypes(...)]``):
        # a parameter annotated with the alias is a flyte.io value like one annotated directly.
        self._aliases = {}
        self._constants = {}
        assigned: dict[str, int] = {}
        for stmt in node.body:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1:
                    target, value = small.targets[0].target, small.value
                elif isinstance(small, cst.AnnAssign) and small.value is not None:
                    target, value = small.target, small.value
                else:
                    continue
                if isinstance(target, cst.Name):
                    assigned[target.value] = assigned.get(target.value, 0) + 1
                    if isinstance(value, cst.SimpleString) and isinstance(value.evaluated_value, str):
                        self._constants[target.value] = value.evaluated_value
                kind = self._annotation_kind(value) if isinstance(target, cst.Name) else None
                if kind:
                    self._aliases[target.value] = kind
        # Module-level string constants bound once (``DATA_URL = "s3://..."``).
        self._constants = {k: v for k, v in self._constants.items() if assigned.get(k) == 1}
        # Module functions declared to return a File/Dir/DataFrame (their result needs no wrapping).
        self._returns_io = {
            s.name.value
            for s in node.body
            if isinstance(s, cst.FunctionDef) and s.returns is not None and self._annotation_kind(s.returns.annotation)
        }
        # Module helpers whose every return is a local path they built (``def _scratch(name) -> str:
        # path = os.path.join(tempfile.mkdtemp(), name) ... return path``). A ``-> str`` alone is no
        # proof: it may return a remote URI, which from_local_sync would reject.
        self._returns_path = {
            s.name.value
            for s in node.body
            if isinstance(s, cst.FunctionDef) and s.name.value not in self._entities and self._builds_local_path(s)
        }
        # The File/Dir parameters of each task/workflow, in order (for literal path arguments).
        self._entity_inputs = {}
        for name, function in self._entity_node.items():
            params = function.params
            self._entity_inputs[name] = [
                (p.name.value, self._annotation_kind(p.annotation.annotation) if p.annotation else None)
                for p in [*params.posonly_params, *params.params, *params.kwonly_params]
            ]
        # Names imported from project modules (``from .types import Outputs``), resolved on use.
        self._imported = {}
        for stmt in node.body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                        module = get_full_name_for_node(small.module) if small.module else None
                        for alias in small.names:
                            if isinstance(alias.name, cst.Name):
                                bound = alias.asname.name.value if alias.asname else alias.name.value
                                self._imported[bound] = (module, len(small.relative), alias.name.value)
        # Classes with flyte.io fields (``@dataclass class Outputs: model: FlyteFile``).
        self._records = {}
        self._record_order = {}
        for stmt in node.body:
            if isinstance(stmt, cst.ClassDef) and isinstance(stmt.body, cst.IndentedBlock):
                fields = {}
                for line in stmt.body.body:
                    if isinstance(line, cst.SimpleStatementLine):
                        for small in line.body:
                            if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                                kind = self._annotation_kind(small.annotation.annotation)
                                if kind:
                                    fields[small.target.value] = kind
                if fields:
                    self._records[stmt.name.value] = fields
                    self._record_order[stmt.name.value] = [
                        small.target.value
                        for line in stmt.body.body
                        if isinstance(line, cst.SimpleStatementLine)
                        for small in line.body
                        if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name)
                    ]

    def _annotation_kind(self, node: cst.BaseExpression) -> Optional[str]:
        """The flyte.io kind an annotation stands for, through ``Annotated[...]``, ``Optional[...]``,
        ``Union[X, None]`` / ``X | None`` and aliases."""
        node = self._unwrap(node)
        if isinstance(node, cst.Subscript) and node.slice and isinstance(node.slice[0].slice, cst.Index):
            if self.matches(node.value, *_UNWRAP):
                return self._annotation_kind(node.slice[0].slice.value)
        if isinstance(node, cst.Name) and node.value in self._aliases:
            return self._aliases[node.value]
        return self._type_of(node)

    def _unwrap(self, node: cst.BaseExpression) -> cst.BaseExpression:
        """``X`` for ``Optional[X]``, ``Annotated[X, ...]``, ``Union[X, None]`` and ``X | None``."""
        while True:
            if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
                if _is_none(node.right):
                    node = node.left
                    continue
                if _is_none(node.left):
                    node = node.right
                    continue
            if isinstance(node, cst.Subscript) and node.slice and all(isinstance(e.slice, cst.Index) for e in node.slice):
                items = [e.slice.value for e in node.slice]
                if self.matches(node.value, *_UNWRAP):
                    node = items[0]
                    continue
                if self.matches(node.value, "typing.Union"):
                    rest = [item for item in items if not _is_none(item)]
                    if len(rest) == 1:
                        node = rest[0]
                        continue
            return node

    def _container_kind(self, node: cst.BaseExpression) -> Optional[tuple[str, str]]:
        """(element kind, "seq" / "map") for ``List[FlyteFile]``, ``Dict[str, FlyteDirectory]`` ..."""
        node = self._unwrap(node)
        if not isinstance(node, cst.Subscript) or not all(isinstance(e.slice, cst.Index) for e in node.slice):
            return None
        items = [e.slice.value for e in node.slice]
        if (self.matches(node.value, *_SEQUENCES) or self._builtin(node.value, "list", "set", "frozenset")) and len(items) == 1:
            kind = self._annotation_kind(items[0])
            return (kind, "seq") if kind else None
        if (self.matches(node.value, *_MAPPINGS) or self._builtin(node.value, "dict")) and len(items) == 2:
            kind = self._annotation_kind(items[1])
            return (kind, "map") if kind else None
        return None

    def _imported_record(self, name: str) -> Optional[dict[str, str]]:
        """The File/Dir/DataFrame fields of a class imported from a project module, if any."""
        imported = self._imported.get(name)
        if imported is None or not self.context.filename:
            return None
        module, level, original = imported
        if module and module.split(".")[0] in {"flytekit", "flyte", "typing", "dataclasses", "pydantic"}:
            return None
        path = resolve_module(self.context.filename, module, level)
        if path is None:
            return None
        try:
            mtime = path.stat().st_mtime
        except OSError:
            return None
        return _class_io_fields(str(path), mtime).get(original)

    def _builds_local_path(self, function: cst.FunctionDef) -> bool:
        """Every ``return`` of ``function`` is a local path made in its body (os.path.join, tempfile ...)."""
        collector = _ReturnsAndAssigns()
        function.body.visit(collector)
        if not collector.returns:
            return False

        def local(value: cst.BaseExpression, seen: frozenset = frozenset()) -> bool:
            if isinstance(value, cst.Call):
                return bool(self.qualified_names(value.func) & _PATH_FUNCTIONS) or (
                    self._builtin(value.func, "str") and len(value.args) == 1 and local(value.args[0].value, seen)
                )
            if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Divide):
                return local(value.left, seen)  # Path(tmp) / "name"
            if isinstance(value, cst.Name) and value.value not in seen:
                bound = collector.assigns.get(value.value, [])
                return bool(bound) and all(local(v, seen | {value.value}) for v in bound)
            return False

        return all(value is not None and local(value) for value in collector.returns)

    def _builtin(self, node: cst.CSTNode, *names: str) -> bool:
        """A builtin spelled plainly (``list``, ``str``): qualified names only resolve imported names."""
        return isinstance(node, cst.Name) and node.value in names and not self.qualified_names(node)

    def _type_of(self, node: cst.CSTNode) -> Optional[str]:
        if isinstance(node, cst.Subscript):
            node = node.value
        for name in self.qualified_names(node):
            if name in TYPES:
                return TYPES[name]
        return None

    # ------------------------------------------------------------------ scopes

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        # Only task bodies get path uses rewritten. Plain helpers are left as they are, and a task
        # passes them File.download_sync() paths: the same contract whether the helper lives in this
        # module or in a sibling converted on its own (whose annotations this module cannot see).
        kind = self.function_kind(node)
        scope = _Scope(leaf=kind == "task", helper=kind is None)
        for param in [*node.params.params, *node.params.kwonly_params, *node.params.posonly_params]:
            if param.annotation is not None:
                kind = self._annotation_kind(param.annotation.annotation)
                if kind:
                    scope.params[param.name.value] = kind
                container = self._container_kind(param.annotation.annotation)
                if container:
                    scope.containers[param.name.value] = container
                record = self._unwrap(param.annotation.annotation)
                if isinstance(record, cst.Name):
                    fields = self._records.get(record.value) or self._imported_record(record.value)
                    if fields:
                        scope.records[param.name.value] = fields
        if node.returns is not None:
            scope.returns = self._annotation_kind(node.returns.annotation)
            returns = node.returns.annotation
            if (
                isinstance(returns, cst.Subscript)
                and (self.matches(returns.value, "typing.Tuple") or self._builtin(returns.value, "tuple"))
                and all(isinstance(e.slice, cst.Index) for e in returns.slice)
            ):
                kinds = [self._annotation_kind(e.slice.value) for e in returns.slice]
                scope.returns_tuple = kinds if any(kinds) else None
            elif isinstance(returns, cst.Call) and self.matches(returns.func, "typing.NamedTuple"):
                kinds = self._functional_namedtuple_kinds(returns)
                scope.returns_tuple = kinds if kinds and any(kinds) else None
            elif isinstance(returns, cst.Name) and returns.value in self._record_order:
                fields = self._records.get(returns.value, {})
                scope.returns_tuple = [fields.get(f) for f in self._record_order[returns.value]] or None
        scope.io_vars = set(scope.params)
        self._scopes.append(scope)

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        self._scopes.pop()
        return updated_node

    def visit_Param(self, node: cst.Param) -> None:
        # A helper's ``f: FlyteFile`` becomes ``f: str``: its type name is not converted on the way.
        scope = self._scopes[-1]
        if scope.helper and node.annotation is not None and self._type_of(node.annotation.annotation) in {"File", "Dir"}:
            self._path_annotation = True

    def leave_Param(self, original_node: cst.Param, updated_node: cst.Param) -> cst.Param:
        """``csv: FlyteFile = "s3://..."`` on a task/workflow -> ``= flyte.io.File.from_existing_remote(...)``;
        ``f: FlyteFile`` on a helper -> ``f: str`` (it receives the downloaded path)."""
        if original_node.annotation is None:
            return updated_node
        annotation = original_node.annotation.annotation
        if self._scopes[-1].helper:
            if self._type_of(annotation) in {"File", "Dir"}:
                self._path_annotation = False
                return updated_node.with_changes(annotation=updated_node.annotation.with_changes(annotation=cst.Name("str")))
            return updated_node
        if original_node.default is None:
            return updated_node
        kind = self._annotation_kind(annotation)
        if kind in {"File", "Dir"} and self._path_literal(original_node.default) is not None:
            return updated_node.with_changes(default=self._existing_remote(kind, updated_node.default))
        return updated_node

    def _path_literal(self, node: cst.BaseExpression) -> Optional[str]:
        """A literal string, or a module string constant: the paths flytekit turns into files."""
        if isinstance(node, cst.SimpleString) and isinstance(node.evaluated_value, str):
            return node.evaluated_value
        if isinstance(node, cst.Name):
            return self._constants.get(node.value)
        return None

    def _existing_remote(self, kind: str, value: cst.BaseExpression) -> cst.Call:
        return cst.Call(cst.Attribute(self._io(kind), cst.Name("from_existing_remote")), args=[cst.Arg(value)])

    def _literal_path_arguments(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        """``normalize(csv="https://...")`` / ``flyte.run(wf, csv="...")``: wrap path strings given for File/Dir inputs."""
        func, args = original_node.func, list(original_node.args)
        if self.matches(func, "flyte.run", "flytekit.run") and args and isinstance(args[0].value, cst.Name):
            func, args = args[0].value, args[1:]
            offset = 1
        else:
            offset = 0
        if not isinstance(func, cst.Name) or func.value not in self._entity_inputs:
            return updated_node
        inputs = self._entity_inputs[func.value]
        kinds = dict(inputs)
        new_args = list(updated_node.args)
        changed = False
        for i, arg in enumerate(args):
            if arg.star:
                return updated_node
            name = arg.keyword.value if arg.keyword is not None else (inputs[i][0] if i < len(inputs) else None)
            kind = kinds.get(name)
            if kind in {"File", "Dir"} and self._path_literal(arg.value) is not None:
                target = new_args[i + offset]
                new_args[i + offset] = target.with_changes(value=self._existing_remote(kind, target.value))
                changed = True
        return updated_node.with_changes(args=new_args) if changed else updated_node

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> cst.Assign:
        # ``f = f.download()`` rebinds a parameter to a local path: later uses are not File values.
        scope = self._scopes[-1]
        for target in original_node.targets:
            if isinstance(target.target, cst.Name) and target.target.value not in scope.io_vars:
                scope.params.pop(target.target.value, None)
                scope.containers.pop(target.target.value, None)
                scope.records.pop(target.target.value, None)
        return updated_node

    # ------------------------------------------------------------------ loops over File containers

    def _loop_bindings(self, target: cst.BaseExpression, iterable: cst.BaseExpression) -> dict[str, str]:
        """Names a ``for target in iterable`` binds to elements of a File/Dir/DataFrame container."""
        scope = self._scopes[-1]
        method = None
        if isinstance(iterable, cst.Call) and not iterable.args and isinstance(iterable.func, cst.Attribute):
            method, iterable = iterable.func.attr.value, iterable.func.value
        elif (
            isinstance(iterable, cst.Call)
            and isinstance(iterable.func, cst.Name)
            and iterable.func.value == "enumerate"
            and len(iterable.args) == 1
            and isinstance(target, cst.Tuple)
            and len(target.elements) == 2
        ):
            method, iterable, target = "enumerate", iterable.args[0].value, target
        if not isinstance(iterable, cst.Name) or iterable.value not in scope.containers:
            return {}
        kind, shape = scope.containers[iterable.value]
        element = None
        if shape == "seq" and method is None:
            element = target
        elif (shape == "seq" and method == "enumerate") or (shape == "map" and method == "items"):
            if isinstance(target, cst.Tuple) and len(target.elements) == 2:
                element = target.elements[1].value
        elif shape == "map" and method == "values":
            element = target
        return {element.value: kind} if isinstance(element, cst.Name) else {}

    def visit_For(self, node: cst.For) -> None:
        self._scopes[-1].params.update(self._loop_bindings(node.target, node.iter))

    def _visit_comprehension(self, node) -> None:
        scope = self._scopes[-1]
        saved = {}
        for_in = node.for_in
        while for_in is not None:
            for name, kind in self._loop_bindings(for_in.target, for_in.iter).items():
                saved.setdefault(name, scope.params.get(name))
                scope.params[name] = kind
            for_in = for_in.inner_for_in
        self._comprehensions.append(saved)

    def _leave_comprehension(self, original_node, updated_node):
        # Comprehension variables do not outlive the comprehension.
        scope = self._scopes[-1]
        for name, previous in self._comprehensions.pop().items():
            if previous is None:
                scope.params.pop(name, None)
            else:
                scope.params[name] = previous
        return updated_node

    visit_ListComp = visit_SetComp = visit_GeneratorExp = visit_DictComp = _visit_comprehension
    leave_ListComp = leave_SetComp = leave_GeneratorExp = leave_DictComp = _leave_comprehension

    def visit_Assign(self, node: cst.Assign) -> None:
        scope = self._scopes[-1]
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                name = target.target.value
                scope.io_vars.discard(name)
                scope.path_vars.discard(name)
                scope.io_kinds.pop(name, None)
                if self._is_io_value(node.value):
                    scope.io_vars.add(name)
                    kind = self._constructed_kind(node.value)
                    if kind:
                        scope.io_kinds[name] = kind
                elif self._is_path_value(node.value):
                    scope.path_vars.add(name)

    def _is_io_value(self, node: cst.BaseExpression) -> bool:
        scope = self._scopes[-1]
        if isinstance(node, cst.Name):
            return node.value in scope.io_vars
        if isinstance(node, cst.Call):
            func = node.func
            if self._type_of(func):
                return True
            if isinstance(func, cst.Attribute) and self._type_of(func.value):
                return True  # FlyteFile.from_source(...), FlyteFile.new_remote_file()
            if isinstance(func, cst.Name) and (func.value in self._entities or func.value in self._returns_io):
                return True  # another task's output / a helper declared to return one is already a flyte.io value
        return False

    def _input_kind(self, node: cst.BaseExpression) -> Optional[str]:
        """The kind of a value that came in as a task input: a parameter (or loop element of one),
        ``files[0]`` of a container parameter, or ``res.file`` of a parameter whose class has that field."""
        scope = self._scopes[-1]
        if isinstance(node, cst.Name):
            return scope.params.get(node.value)
        if isinstance(node, cst.Subscript) and isinstance(node.value, cst.Name) and node.value.value in scope.containers:
            return scope.containers[node.value.value][0]
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
            return scope.records.get(node.value.value, {}).get(node.attr.value)
        return None

    def _value_kind(self, node: cst.BaseExpression) -> Optional[str]:
        """``_input_kind``, or a local made by ``FlyteFile(...)`` / ``FlyteFile.new_remote_file()``."""
        kind = self._input_kind(node)
        if kind is None and isinstance(node, cst.Name):
            kind = self._scopes[-1].io_kinds.get(node.value)
        return kind

    def _constructed_kind(self, node: cst.BaseExpression) -> Optional[str]:
        """File / Dir for ``FlyteFile(...)`` and ``FlyteFile.new_remote_file(...)``-style calls."""
        if not isinstance(node, cst.Call):
            return None
        func = node.func
        kind = self._type_of(func) or (self._type_of(func.value) if isinstance(func, cst.Attribute) else None)
        return kind if kind in {"File", "Dir"} else None

    def _is_path_value(self, node: cst.BaseExpression) -> bool:
        scope = self._scopes[-1]
        if isinstance(node, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)):
            return True
        if isinstance(node, cst.Name):
            return node.value in scope.path_vars
        if isinstance(node, cst.BinaryOperation):
            return self._is_path_value(node.left) or self._is_path_value(node.right)
        if isinstance(node, cst.Call):
            if isinstance(node.func, cst.Name) and node.func.value in self._returns_path:
                return True
            names = self.qualified_names(node.func)
            return bool(names & _PATH_FUNCTIONS) or self._builtin(node.func, "str")
        return False

    # ------------------------------------------------------------------ rewrites

    def _io(self, name: str) -> cst.BaseExpression:
        AddImportsVisitor.add_needed_import(self.context, "flyte.io")
        return cst.parse_expression(f"flyte.io.{name}")

    def visit_Call(self, node: cst.Call) -> bool:
        # Task classes with no Flyte 2 conversion (ShellTask, SQLite3Task, NotebookTask ...) stay
        # flytekit and get a TODO: their arguments must stay flytekit types too. A flyte.io.File in
        # a ShellTask's inputs/output_locs made the module fail at import (flytekit checks them).
        return not any(name.startswith(_KEPT_FLYTEKIT_CALLS) for name in self.qualified_names(node.func))

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        kind = self._type_of(original_node)
        return self._io(kind) if kind and not self._path_annotation else updated_node

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
        kind = self._type_of(original_node)
        if kind:
            return updated_node if self._path_annotation else self._io(kind)
        value = original_node.value
        attr = original_node.attr.value
        owner = self._type_of(value)
        if owner:  # FlyteFile.<classmethod>
            new = CLASS_METHODS.get((owner, attr))
            if new is None:
                hint = CLASS_ATTRIBUTE_HINTS.get((owner, attr), f"{owner} has no {attr}: check the flyte.io.{owner} API")
                self.todo(original_node, FM_LEFTOVER, hint)
                return updated_node
            return updated_node.with_changes(attr=cst.Name(new))
        scope = self._scopes[-1]
        kind = self._value_kind(value)
        if kind in {"File", "Dir"} and scope.helper and isinstance(value, cst.Name) and value.value in scope.params:
            # A helper's File parameter is the local path its task passed.
            if attr in {"path", "download", "open"}:
                return cst.Name(value.value) if attr == "path" else updated_node
            self.todo(
                original_node,
                FM_LEFTOVER,
                f"{value.value} is a local path here (tasks pass helpers f.download_sync()): flytekit's .{attr} has no str counterpart",
            )
            return updated_node
        if kind in {"File", "Dir"} and attr in INSTANCE_METHODS:
            if attr == "open" and kind == "Dir":
                return updated_node
            return updated_node.with_changes(attr=cst.Name(INSTANCE_METHODS[attr]))
        if kind in {"File", "Dir"} and attr in INSTANCE_ATTRIBUTES and self._input_kind(value):
            # Only inputs: for them flytekit's .path is the local copy and .remote_source the URI.
            if attr == "path":
                return cst.Call(cst.Attribute(updated_node.value, cst.Name("download_sync")))
            return cst.Attribute(updated_node.value, cst.Name("path"))
        if kind in {"File", "Dir"} and attr not in IO_ATTRIBUTES[kind] and attr not in INSTANCE_ATTRIBUTES:
            hint = INSTANCE_ATTRIBUTE_HINTS.get(attr, f"flyte.io.{kind} has no {attr}: check the flyte.io.{kind} API")
            self.todo(original_node, FM_LEFTOVER, hint)
        if attr in {"all", "iter"} and isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute):
            inner = value.func
            if inner.attr.value == "open":
                if self._input_kind(inner.value) == "DataFrame":
                    if attr == "all":
                        return updated_node.with_changes(attr=cst.Name("all_sync"))
                    self.todo(
                        original_node,
                        FM_LEFTOVER,
                        "flyte.io.DataFrame.open(T).iter() is async only: make the task async and use "
                        "`async for`, or read the whole frame with .all_sync()",
                    )
        return updated_node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if self.matches(original_node.func, "flytekit.kwtypes"):
            return self._kwtypes_dict(updated_node)
        if self.matches(original_node.func, "flytekit.HashMethod"):
            args = updated_node.args
            if len(args) == 1 and (args[0].keyword is None or args[0].keyword.value == "function") and not args[0].star:
                arg = args[0].with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT)
                func = cst.Attribute(self._io("HashFunction"), cst.Name("from_fn"))
                return updated_node.with_changes(func=func, args=[arg])
            return updated_node
        kind = self._type_of(original_node.func)
        if kind in {"File", "Dir"} and updated_node.args:
            return self._constructor(original_node, updated_node, kind)
        if kind == "DataFrame" and updated_node.args:
            return self._dataset_constructor(original_node, updated_node)
        helper_call = self._helper_path_call(original_node, updated_node)
        if helper_call is not None:
            return helper_call
        if (
            self._scopes[-1].leaf
            and self._builtin(original_node.func, "str")
            and len(original_node.args) == 1
            and original_node.args[0].keyword is None
            and not original_node.args[0].star
            and self._input_kind(original_node.args[0].value) in {"File", "Dir"}
        ):  # str(f): flytekit's __str__ was the local path
            return cst.Call(cst.Attribute(updated_node.args[0].value, cst.Name("download_sync")))
        updated_node = self._record_call(original_node, updated_node)
        updated_node = self._literal_path_arguments(original_node, updated_node)
        return self._download_path_args(original_node, updated_node)

    def _dataset_constructor(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        """``StructuredDataset(dataframe=df[, uri=u])`` -> ``DataFrame.from_df(df[, uri=u])``;
        ``StructuredDataset(uri=u[, file_format=f])`` -> ``DataFrame.from_existing_remote(u[, format=f])``."""
        args = list(updated_node.args)
        positional = [a for a in args if a.keyword is None]
        kw = {a.keyword.value: a for a in args if a.keyword is not None}
        if len(positional) == 1 and "dataframe" not in kw and not positional[0].star:
            kw["dataframe"] = positional[0]  # StructuredDataset(df, ...)
            positional = []
        plain = lambda a: a.with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT)  # noqa: E731
        if not positional and set(kw) <= {"dataframe", "uri"} and "dataframe" in kw:
            new_args = [plain(kw["dataframe"])] + ([kw["uri"]] if "uri" in kw else [])
            return updated_node.with_changes(func=cst.Attribute(updated_node.func, cst.Name("from_df")), args=new_args)
        if not positional and set(kw) <= {"uri", "file_format"} and "uri" in kw:
            new_args = [plain(kw["uri"])]
            if "file_format" in kw:
                new_args.append(kw["file_format"].with_changes(keyword=cst.Name("format")))
            func = cst.Attribute(updated_node.func, cst.Name("from_existing_remote"))
            return updated_node.with_changes(func=func, args=new_args)
        self.todo(
            original_node,
            FM_LEFTOVER,
            "flyte.io.DataFrame is created with DataFrame.from_df(df, uri=...) or "
            "DataFrame.from_existing_remote(uri, format=...): convert the other arguments by hand",
        )
        return updated_node

    def _helper_path_call(self, original_node: cst.Call, updated_node: cst.Call) -> Optional[cst.BaseExpression]:
        """In a helper: ``f.download()`` -> ``f``, ``f.open(mode)`` -> ``open(f, mode)`` (f is a local path)."""
        scope = self._scopes[-1]
        func = original_node.func
        if not scope.helper or not isinstance(func, cst.Attribute) or not isinstance(func.value, cst.Name):
            return None
        name = func.value.value
        if scope.params.get(name) not in {"File", "Dir"}:
            return None
        if func.attr.value == "download" and not original_node.args:
            return cst.Name(name)
        if func.attr.value == "open" and scope.params[name] == "File":
            return cst.Call(cst.Name("open"), args=[cst.Arg(cst.Name(name)), *updated_node.args])
        return None

    def leave_Expr(self, original_node: cst.Expr, updated_node: cst.Expr):
        """A helper's bare ``f.download()`` statement (now just ``f``) does nothing: drop it."""
        call = original_node.value
        if (
            self._scopes[-1].helper
            and isinstance(call, cst.Call)
            and isinstance(updated_node.value, cst.Name)
            and isinstance(call.func, cst.Attribute)
            and call.func.attr.value == "download"
        ):
            return cst.RemoveFromParent()
        return updated_node

    def _kwtypes_dict(self, node: cst.Call) -> cst.BaseExpression:
        """``kwtypes(a=int, b=str)`` -> ``{"a": int, "b": str}`` (kwtypes returns an ordered dict of the same)."""
        if not node.args or any(a.keyword is None or a.star for a in node.args):
            return node
        elements = [
            cst.DictElement(cst.SimpleString(f'"{a.keyword.value}"'), a.value, comma=a.comma) for a in node.args
        ]
        return cst.Dict(elements)

    def _constructor(self, original_node: cst.Call, updated_node: cst.Call, kind: str) -> cst.BaseExpression:
        """``FlyteFile(path, remote_path=...)`` -> ``File.from_local_sync(path, remote_destination=...)``;
        a literal remote URI -> ``File.from_existing_remote(uri)``."""
        args = list(updated_node.args)
        if any(a.star for a in args) or (args[0].keyword is not None and args[0].keyword.value != "path"):
            return updated_node
        unknown = [a.keyword.value for a in args[1:] if a.keyword is None or a.keyword.value not in CONSTRUCTOR_KEYWORDS]
        if unknown or sum(1 for a in args if a.keyword is None) > 1:
            self.todo(
                original_node,
                FM_LEFTOVER,
                f"flyte.io.{kind} is created with {kind}.from_local_sync(path, remote_destination=...) or "
                f"{kind}.from_existing_remote(uri): convert the other arguments by hand",
            )
            return updated_node
        first = args[0].with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT)
        value = first.value
        text = None
        if isinstance(value, cst.SimpleString) and isinstance(value.evaluated_value, str):
            text = value.evaluated_value
        elif isinstance(value, cst.Name):
            text = self._constants.get(value.value)
        if text is not None:
            if text.startswith(_REMOTE_SCHEMES) and len(args) == 1:
                func = cst.Attribute(value=updated_node.func, attr=cst.Name("from_existing_remote"))
                return updated_node.with_changes(func=func, args=[first])
        rest = []
        for arg in args[1:]:
            keyword = CONSTRUCTOR_KEYWORDS[arg.keyword.value]
            rest.append(arg.with_changes(keyword=cst.Name(keyword)) if keyword else arg)
        func = cst.Attribute(value=updated_node.func, attr=cst.Name("from_local_sync"))
        return updated_node.with_changes(func=func, args=[first, *rest])

    def leave_FormattedStringExpression(
        self, original_node: cst.FormattedStringExpression, updated_node: cst.FormattedStringExpression
    ) -> cst.FormattedStringExpression:
        """``f"{f}"`` in a task: flytekit formatted a FlyteFile as its local path."""
        if (
            self._scopes[-1].leaf
            and original_node.conversion is None
            and original_node.format_spec is None
            and self._input_kind(original_node.expression) in {"File", "Dir"}
        ):
            call = cst.Call(cst.Attribute(updated_node.expression, cst.Name("download_sync")))
            return updated_node.with_changes(expression=call)
        return updated_node

    def leave_Subscript(self, original_node: cst.Subscript, updated_node: cst.Subscript) -> cst.BaseExpression:
        """``FlyteFile["csv"]`` -> ``flyte.io.File``: see the module docstring for why the format goes."""
        if self._type_of(original_node.value) in {"File", "Dir"}:
            return updated_node.value
        return updated_node

    def _download_path_args(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        """open(f) / pd.read_csv(f) in a leaf task: a Flyte 2 File is not PathLike, download it."""
        scope = self._scopes[-1]
        if not scope.leaf or not (scope.params or scope.containers or scope.records):
            return updated_node
        func = original_node.func
        if isinstance(func, cst.Name) and (func.value in _NOT_A_PATH_USE or func.value in self._entities):
            return updated_node
        if isinstance(func, cst.Attribute) and self._type_of(func.value):
            return updated_node  # FlyteDirectory.listdir(d): the class method takes the object itself
        if isinstance(func, cst.Attribute) and func.attr.value in _STORE_METHODS:
            return updated_node
        args = list(updated_node.args)
        changed = False
        for i, arg in enumerate(original_node.args):
            value = arg.value
            if arg.star:
                continue
            if self._input_kind(value) in {"File", "Dir"}:  # f, files[0], by_name["train"], result.model
                download = cst.Call(cst.Attribute(args[i].value, cst.Name("download_sync")))
                args[i] = args[i].with_changes(value=download)
                changed = True
            elif isinstance(value, (cst.List, cst.Tuple)) and isinstance(args[i].value, (cst.List, cst.Tuple)):
                # subprocess.run(["wc", "-l", f]): a FlyteFile was PathLike inside argument lists too
                elements = list(args[i].value.elements)
                hit = False
                for j, element in enumerate(value.elements):
                    if not isinstance(element, cst.StarredElement) and self._input_kind(element.value) in {"File", "Dir"}:
                        call = cst.Call(cst.Attribute(elements[j].value, cst.Name("download_sync")))
                        elements[j] = elements[j].with_changes(value=call)
                        hit = True
                if hit:
                    args[i] = args[i].with_changes(value=args[i].value.with_changes(elements=elements))
                    changed = True
        return updated_node.with_changes(args=args) if changed else updated_node

    def leave_Return(self, original_node: cst.Return, updated_node: cst.Return) -> cst.Return:
        """Wrap plain paths / raw data frames returned as File/Dir/DataFrame outputs of leaf tasks
        (one output, or the positions of a ``Tuple[...]`` output returned as a tuple literal)."""
        scope = self._scopes[-1]
        value = original_node.value
        if not scope.leaf or value is None or updated_node.value is None:
            return updated_node
        if scope.returns is not None:
            new = self._wrap_output(scope.returns, value, updated_node.value, original_node)
            return updated_node if new is None else updated_node.with_changes(value=new)
        kinds = scope.returns_tuple
        if kinds and isinstance(value, cst.Tuple) and len(value.elements) == len(kinds):
            if any(isinstance(e, cst.StarredElement) for e in value.elements):
                return updated_node
            elements = list(updated_node.value.elements)
            changed = False
            for i, (kind, element) in enumerate(zip(kinds, value.elements)):
                new = self._wrap_output(kind, element.value, elements[i].value, original_node) if kind else None
                if new is not None:
                    elements[i] = elements[i].with_changes(value=new)
                    changed = True
            if changed:
                return updated_node.with_changes(value=updated_node.value.with_changes(elements=elements))
        return updated_node

    def _functional_namedtuple_kinds(self, call: cst.Call) -> Optional[list]:
        """Kinds of ``typing.NamedTuple("Out", [("report", FlyteFile), ...])`` / ``NamedTuple("Out", report=FlyteFile)``."""
        if len(call.args) == 2 and isinstance(call.args[1].value, (cst.List, cst.Tuple)):
            kinds = []
            for element in call.args[1].value.elements:
                pair = element.value
                if not isinstance(pair, cst.Tuple) or len(pair.elements) != 2:
                    return None
                kinds.append(self._annotation_kind(pair.elements[1].value))
            return kinds
        if call.args and all(a.keyword is not None for a in call.args[1:]):
            return [self._annotation_kind(a.value) for a in call.args[1:]]
        return None

    def _record_call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        """``Outputs(report=path, frame=df)`` of a module class with File/Dir/DataFrame fields, in a task:
        flytekit converted a path / raw frame given for such a field, flyte 2 does not."""
        func = original_node.func
        if not isinstance(func, cst.Name) or func.value not in self._records or not self._scopes[-1].leaf:
            return updated_node
        fields = self._records[func.value]
        order = self._record_order.get(func.value, [])
        args = list(updated_node.args)
        changed = False
        for i, arg in enumerate(original_node.args):
            if arg.star:
                return updated_node
            name = arg.keyword.value if arg.keyword is not None else (order[i] if i < len(order) else None)
            kind = fields.get(name)
            if kind is None or self._is_io_value(arg.value) or _is_none(arg.value):
                continue
            if kind == "DataFrame" or self._is_path_value(arg.value):
                wrapper = "from_df" if kind == "DataFrame" else "from_local_sync"
                call = cst.Call(cst.Attribute(self._io(kind), cst.Name(wrapper)), args=[cst.Arg(args[i].value)])
                args[i] = args[i].with_changes(value=call)
                changed = True
        return updated_node.with_changes(args=args) if changed else updated_node

    def _wrap_output(
        self, kind: str, value: cst.BaseExpression, updated: cst.BaseExpression, statement: cst.Return
    ) -> Optional[cst.BaseExpression]:
        """``flyte.io.<kind>.from_local_sync(value)`` / ``from_df(value)``, None when nothing to do (or a TODO)."""
        if self._is_io_value(value) or _is_none(value):
            return None
        if kind == "DataFrame":
            wrapper = "from_df"
        elif self._is_path_value(value):
            wrapper = "from_local_sync"
        else:
            self.todo(
                statement,
                FM_UNKNOWN_VALUE,
                f"Flyte 2 rejects a plain path as a {kind} output: if this returns a local path, "
                f"wrap it in flyte.io.{kind}.from_local_sync(...)",
            )
            return None
        func = cst.Attribute(self._io(kind), cst.Name(wrapper))
        return cst.Call(func, args=[cst.Arg(updated)])


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


class _ReturnsAndAssigns(cst.CSTVisitor):
    """The returned values and the values bound to plain names in one function body (not nested ones)."""

    def __init__(self) -> None:
        self.returns: list[Optional[cst.BaseExpression]] = []
        self.assigns: dict[str, list[cst.BaseExpression]] = {}

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Return(self, node: cst.Return) -> None:
        self.returns.append(node.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self.assigns.setdefault(target.target.value, []).append(node.value)


# Spellings of the flyte.io kinds in another module's annotations (flytekit names, or flyte.io's own
# once that module is converted): the last name of the annotation, through Optional/Annotated.
_SPELLED_KINDS = {name.rsplit(".", 1)[1]: kind for name, kind in TYPES.items()}
_FLYTE_IO_KINDS = {"File": "File", "Dir": "Dir", "DataFrame": "DataFrame"}


def _spelled_kind(node: Optional[ast.expr], flyte_io_names: set[str]) -> Optional[str]:
    while isinstance(node, ast.Subscript):
        base = node.value
        base_name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", None)
        if base_name in {"Optional", "Annotated"}:
            inner = node.slice
            node = inner.elts[0] if isinstance(inner, ast.Tuple) else inner
            continue
        node = base  # FlyteFile["csv"]
    if isinstance(node, ast.Attribute):
        if node.attr in _FLYTE_IO_KINDS and isinstance(node.value, ast.Attribute) and node.value.attr == "io":
            return _FLYTE_IO_KINDS[node.attr]
        return _SPELLED_KINDS.get(node.attr)
    if isinstance(node, ast.Name):
        if node.id in flyte_io_names:
            return _FLYTE_IO_KINDS[node.id]
        return _SPELLED_KINDS.get(node.id)
    return None


@lru_cache(maxsize=256)
def _class_io_fields(path: str, mtime: float) -> dict[str, dict[str, str]]:
    """Classes of a project module with File/Dir/DataFrame fields: {class: {field: kind}} (parsed, not imported)."""
    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return {}
    flyte_io_names = {
        alias.asname or alias.name
        for stmt in tree.body
        if isinstance(stmt, ast.ImportFrom) and stmt.module == "flyte.io"
        for alias in stmt.names
        if alias.name in _FLYTE_IO_KINDS
    }
    classes: dict[str, dict[str, str]] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.ClassDef):
            fields = {}
            for item in stmt.body:
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    kind = _spelled_kind(item.annotation, flyte_io_names)
                    if kind:
                        fields[item.target.id] = kind
            if fields:
                classes[stmt.name] = fields
    return classes
