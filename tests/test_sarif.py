"""``lint --output-format sarif`` produces SARIF 2.1.0 that validates against the official schema.

The schema (tests/data/sarif-schema-2.1.0.json, see tests/data/README.md) is validated offline
with jsonschema; the checks below add what the schema cannot express: the rule catalogue is
complete, results point at their rule, and locations are repository-relative.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from flytemigrate.cli import app
from flytemigrate.lint.registry import ALL_RULES

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lint"


@pytest.fixture(scope="module")
def sarif(tmp_path_factory: pytest.TempPathFactory) -> dict:
    project = tmp_path_factory.mktemp("sarif")
    for fixture in ("fm5/half_migrated_pipeline.py", "suppression/suppressed_findings.py"):
        target = project / "src with space" / Path(fixture).name
        target.parent.mkdir(exist_ok=True)
        target.write_text((FIXTURES / fixture).read_text(encoding="utf-8"), encoding="utf-8")
    (project / "src with space" / "bad.py").write_text("import flyte\nif:\n")
    import os

    old = os.getcwd()
    os.chdir(project)
    try:
        result = CliRunner().invoke(app, ["lint", "--output-format", "sarif", "src with space"])
    finally:
        os.chdir(old)
    assert result.exit_code == 1, result.output
    return json.loads(result.stdout)


def test_validates_against_official_schema(sarif: dict):
    validator_class = jsonschema.validators.validator_for(SCHEMA)
    validator_class.check_schema(SCHEMA)
    validator = validator_class(SCHEMA, format_checker=validator_class.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(sarif), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_schema_rejects_broken_sarif(sarif: dict):
    """Guard against a schema file that accepts anything."""
    broken = json.loads(json.dumps(sarif))
    broken["runs"][0]["results"][0]["level"] = "fatal"
    del broken["runs"][0]["tool"]["driver"]["name"]
    validator = jsonschema.validators.validator_for(SCHEMA)(SCHEMA)
    messages = [e.message for e in validator.iter_errors(broken)]
    assert any("'name' is a required property" in m for m in messages)
    assert any("'fatal' is not one of" in m for m in messages)


def test_catalogue_lists_every_rule(sarif: dict):
    driver = sarif["runs"][0]["tool"]["driver"]
    assert driver["name"] == "flytemigrate"
    ids = [rule["id"] for rule in driver["rules"]]
    assert set(ids) >= {rule.code for rule in ALL_RULES} | {"FM002"}
    fm507 = next(rule for rule in driver["rules"] if rule["id"] == "FM507")
    assert fm507["name"] == "resources-mem"
    assert fm507["defaultConfiguration"]["level"] == "error"
    assert "Why it breaks in Flyte 2" in fm507["help"]["markdown"]
    assert fm507["shortDescription"]["text"]


def test_results_point_at_rules_and_relative_locations(sarif: dict):
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    codes = {r["ruleId"] for r in results}
    assert {"FM501", "FM507", "FM900", "FM901", "FM002"} <= codes
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert location["artifactLocation"]["uri"].startswith("src%20with%20space/")
        assert location["region"]["startLine"] >= 1 and location["region"]["startColumn"] >= 1
    fm507 = [r for r in results if r["ruleId"] == "FM507" and r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("half_migrated_pipeline.py")]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in fm507] == [14, 17]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/")
