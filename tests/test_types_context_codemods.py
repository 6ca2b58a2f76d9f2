"""Facts behind the types/context codemods that running the fixtures cannot observe.

The equivalence suite compares task outputs; these tests check what it cannot see: that converted
deck HTML is byte-identical to what flytekit's renderers produce, that the environment variable a
converted secret read uses is the one flyte injects, and that the rewritten chains are the ones
expected for ``current_context()`` bound to a local.
"""

from __future__ import annotations

import pandas as pd
import pytest

from flytemigrate.codemods import transform_source
from flytemigrate.codemods.context import secret_env_var


def _expression_after_rewrite(source: str, marker: str) -> str:
    """The right-hand side of the line assigning ``marker`` in the rewritten module."""
    out = transform_source(source, path="report.py")
    line = next(line for line in out.code.splitlines() if line.strip().startswith(f"{marker} ="))
    return line.split("=", 1)[1].strip()


RENDERERS = [
    ("TopFrameRenderer(max_rows=3).to_html(frame)", "frame"),
    ("TopFrameRenderer(4, 1).to_html(frame)", "frame"),
    ("TopFrameRenderer().to_html(frame.head(2) if len(frame) else frame)", "frame"),
    ('MarkdownRenderer().to_html("# Title\\n\\n*one* `two`")', None),
]


@pytest.mark.parametrize("call, _", RENDERERS)
def test_converted_renderer_calls_produce_flytekit_html(call: str, _) -> None:
    source = (
        "import pandas as pd\n"
        "from flytekit import task\n"
        "from flytekit.deck.renderer import MarkdownRenderer, TopFrameRenderer\n\n\n"
        "@task(enable_deck=True)\n"
        "def report(n: int) -> str:\n"
        "    frame = pd.DataFrame({'a': list(range(n)), 'b': list(range(n))})\n"
        f"    html = {call}\n"
        "    return html\n"
    )
    converted = _expression_after_rewrite(source, "html")
    assert "Renderer" not in converted
    from flytekit.deck.renderer import MarkdownRenderer, TopFrameRenderer
    import markdown_it

    frame = pd.DataFrame({"a": list(range(40)), "b": list(range(40))})
    scope = {"frame": frame, "TopFrameRenderer": TopFrameRenderer, "MarkdownRenderer": MarkdownRenderer}
    expected = eval(call, scope)  # noqa: S307 - fixed test strings
    assert eval(converted, {"frame": frame, "markdown_it": markdown_it}) == expected  # noqa: S307


@pytest.mark.parametrize(
    "group, key",
    [("warehouse", "api-token"), (None, "openai_key"), ("db", "password")],
)
def test_secret_env_var_is_the_one_flyte_injects(group, key) -> None:
    import flyte

    secret = flyte.Secret(key=key, group=group)
    assert secret_env_var(group, key) == secret.as_env_var


def test_context_bound_to_a_local_is_converted_and_the_binding_dropped() -> None:
    source = (
        "from flytekit import Secret, current_context, task\n\n"
        'GROUP = "db"\n\n\n'
        '@task(secret_requests=[Secret(group=GROUP, key="pw")])\n'
        "def t() -> str:\n"
        "    # the context\n"
        "    ctx = current_context()\n"
        '    ctx.logging.info("start")\n'
        '    return ctx.secrets.get(GROUP, "pw") + ctx.execution_id.name\n'
    )
    out = transform_source(source, path="jobs.py")
    assert "current_context" not in out.code
    assert "ctx =" not in out.code and "ctx." not in out.code.replace("flyte.ctx().", "")
    assert "    # the context\n    flyte.logger.info(\"start\")\n" in out.code
    assert 'return os.environ["DB_PW"] + flyte.ctx().action.run_name' in out.code
    assert out.diagnostics == []


def test_context_local_with_an_unconverted_use_keeps_binding_and_todo() -> None:
    source = (
        "import flytekit\n\n\n"
        "@flytekit.task\n"
        "def t() -> bool:\n"
        "    ctx = flytekit.current_context()\n"
        '    ctx.logging.info("x")\n'
        "    return ctx.user_space_params is not None\n"
    )
    out = transform_source(source, path="jobs.py")
    assert "ctx = flytekit.current_context()" in out.code
    assert 'flyte.logger.info("x")' in out.code
    assert [d.code for d in out.diagnostics] == ["FM525"]


def test_working_directory_is_one_directory_per_function_call() -> None:
    source = (
        "import os\n"
        "from flytekit import current_context, task\n\n\n"
        "@task\n"
        "def t() -> str:\n"
        '    """Docs."""\n'
        '    a = os.path.join(current_context().working_directory, "a")\n'
        "    return current_context().working_directory + a\n"
    )
    out = transform_source(source, path="jobs.py")
    body = out.code.split('"""Docs."""\n', 1)[1]
    assert body.startswith("    working_directory = tempfile.mkdtemp()\n")
    assert body.count("tempfile.mkdtemp()") == 1
    assert "return working_directory + a" in body


def test_path_string_for_a_file_input_is_rejected_and_existing_remote_accepted(tmp_path) -> None:
    """Why literal paths for File inputs are wrapped: flyte 2 validates the input type, flytekit converted it."""
    from flyte.io import File

    path = tmp_path / "data.csv"
    path.write_text("a\n1\n")
    reference = File.from_existing_remote(str(path))  # no flyte.init() needed at import time
    assert reference.path == str(path)
    assert File.model_validate(reference.model_dump()).path == str(path)
    with pytest.raises((ValueError, TypeError, AttributeError)):  # flyte 2.12.1: AttributeError in pre_init
        File.model_validate(str(path))
