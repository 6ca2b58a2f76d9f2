"""Flyte 1 data types -> ``flyte.io``: FlyteFile -> File, FlyteDirectory -> Dir, StructuredDataset -> DataFrame.

Type references (annotations, ``isinstance``) are renamed. Constructors change meaning: a Flyte 1
``FlyteFile(path)`` is uploaded when the task returns, a Flyte 2 output must be uploaded
explicitly, so ``FlyteFile(p)`` / ``FlyteDirectory(p)`` become ``File.from_local_sync(p)`` /
``Dir.from_local_sync(p)`` and ``StructuredDataset(dataframe=df)`` becomes
``DataFrame.from_df(df)``. Methods whose names changed are renamed on parameters annotated
with these types: ``.download()`` -> ``.download_sync()``, and on a dataset
``.open(T).all()`` -> ``.open(T).all_sync()``. Anything else on these types stays, and the
leftovers codemod marks what still refers to flytekit.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor

from flytemigrate.codemods.base import FlyteCodemod

TYPES = {
    "flytekit.FlyteFile": "File",
    "flytekit.FlyteDirectory": "Dir",
    "flytekit.StructuredDataset": "DataFrame",
}
# flytekit.types.file.FlyteFile etc. fold onto these through base.public_name.


class TypesCodemod(FlyteCodemod):
    """Rename flytekit data types to flyte.io types and convert their constructors and methods."""

    DESCRIPTION = "FlyteFile/FlyteDirectory/StructuredDataset -> flyte.io.File/Dir/DataFrame."

    def __init__(self, context) -> None:
        super().__init__(context)
        self._typed_params: list[dict[str, str]] = [{}]

    def _type_of(self, node: cst.CSTNode) -> Optional[str]:
        for name in self.qualified_names(node):
            if name in TYPES:
                return TYPES[name]
        return None

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        params: dict[str, str] = dict(self._typed_params[-1])
        for param in node.params.params:
            if param.annotation is not None:
                ann = param.annotation.annotation
                base = ann.value if isinstance(ann, cst.Subscript) else ann
                kind = self._type_of(base)
                if kind:
                    params[param.name.value] = kind
        self._typed_params.append(params)

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        self._typed_params.pop()
        return updated_node

    def _io(self, name: str) -> cst.BaseExpression:
        AddImportsVisitor.add_needed_import(self.context, "flyte.io")
        return cst.parse_expression(f"flyte.io.{name}")

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        kind = self._type_of(original_node)
        return self._io(kind) if kind else updated_node

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
        kind = self._type_of(original_node)
        if kind:
            return self._io(kind)
        # param.download() -> param.download_sync(); dataset.open(T).all() -> .all_sync()
        value = original_node.value
        if original_node.attr.value == "download" and isinstance(value, cst.Name):
            if self._typed_params[-1].get(value.value) in {"File", "Dir"}:
                return updated_node.with_changes(attr=cst.Name("download_sync"))
        if original_node.attr.value == "all" and isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute):
            inner = value.func
            if inner.attr.value == "open" and isinstance(inner.value, cst.Name):
                if self._typed_params[-1].get(inner.value.value) == "DataFrame":
                    return updated_node.with_changes(attr=cst.Name("all_sync"))
        return updated_node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        kind = self._type_of(original_node.func)
        if kind in {"File", "Dir"} and updated_node.args:
            first = updated_node.args[0]
            if first.keyword is None or first.keyword.value == "path":
                args = [first.with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT)] + list(updated_node.args[1:])
                func = cst.Attribute(value=updated_node.func, attr=cst.Name("from_local_sync"))
                return updated_node.with_changes(func=func, args=args)
        if kind == "DataFrame":
            kw = {a.keyword.value: a for a in updated_node.args if a.keyword is not None}
            if "dataframe" in kw and len(updated_node.args) == 1:
                arg = kw["dataframe"].with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT)
                return updated_node.with_changes(func=cst.Attribute(updated_node.func, cst.Name("from_df")), args=[arg])
        return updated_node
