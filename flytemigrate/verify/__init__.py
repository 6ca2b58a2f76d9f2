"""Verify: run the Flyte 1 original and the converted code with the same inputs and compare.

Modules (one job each):

* ``project``: import roots, package layout, the ``--rewrite`` scratch copy;
* ``inputs``: inputs files, defaults, generated inputs and their JSON transport (engineer C);
* ``worker``: one leg in a subprocess (flytekit, bundled runtime, real flyte), values in canonical form;
* ``canonical``: canonical form of outputs and the tolerant comparison with a readable diff;
* ``runner``: runs the legs per project, pairs cases, decides verdicts (``VerifyOptions``, ``CaseResult``);
* ``shrink``: minimal counterexamples for failing generated inputs (long-lived ``worker --serve``);
* ``report``: text (rich table), JSON and JUnit XML renderers;
* ``pytest_plugin``: ``pytest --flytemigrate-verify PATHS``.
"""
