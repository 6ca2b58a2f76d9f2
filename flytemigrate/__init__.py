"""flytemigrate: move Flyte 1 (flytekit) code to Flyte 2 (flyte) and prove the move kept behaviour.

Kept import-light on purpose: the CLI is started by pre-commit once per hook run, so heavy
modules (libcst, pydantic, rich) are imported only by the commands that need them.
"""

__version__ = "0.1.0"
