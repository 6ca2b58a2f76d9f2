"""flytemigrate's linter: rules that flag what breaks when Flyte 1 code runs on Flyte 2.

* ``base``: the ``Rule`` base class (a LibCST ``BatchableCSTVisitor``) and ``LintContext``;
* ``registry``: ``ALL_RULES``, the catalogue, and code selection (``--select``/``--ignore``);
* ``runner``: lints one source (one batched visit per file), applies safe fixes;
* ``suppression``: ``# flytemigrate: ignore[FM101]`` comments;
* ``analysis``: which functions are tasks, drivers, traces (shared by the rules);
* ``rules/``: one module per rule.

Nothing here is imported by ``flytemigrate.cli`` at start-up; the lint command imports it lazily.
"""
