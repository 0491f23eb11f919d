"""The AI register end to end: ungoverned AI is refused before deployment and fails the right control in audits."""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from migrate.cli import main
from tests.conftest import STACKS

PROD = str(STACKS / "Pulumi.prod.yaml")


def run(*args: str, as_of: str = "2026-12-06"):
    return CliRunner().invoke(main, list(args), env={"CARELIFT_AS_OF": as_of})


def failed_controls(result) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for f in json.loads(result.output)["findings"]:
        if f["status"] == "fail":
            found.setdefault(f["control"], set()).add(f["resourceId"].rsplit("/", 1)[-1])
    return found


def use_cases(cfg) -> list[dict]:
    return cfg["carelift:openai"]["useCases"]


@pytest.fixture(scope="module")
def prod_export(tmp_path_factory) -> str:
    """The prod stack exported as an ARM template once (`infra export-arm`), for the tests that audit a file."""
    export = tmp_path_factory.mktemp("export") / "prod.arm.json"
    assert run("infra", "export-arm", "--stack", PROD, "-o", str(export)).exit_code == 0
    return export.read_text(encoding="utf-8")


def test_prod_register_passes_every_ai_control():
    result = run("audit", "--stack", PROD, "--format", "json")
    assert result.exit_code == 0, result.output
    ai = [f for f in json.loads(result.output)["findings"] if f["control"].startswith("CL-AI-")]
    assert {f["control"] for f in ai} >= {"CL-AI-009", "CL-AI-013", "CL-AI-014", "CL-AI-015", "CL-AI-016",
                                          "CL-AI-017", "CL-AI-018", "CL-AI-019"}
    assert {f["status"] for f in ai} == {"pass"}


@pytest.mark.slow  # renders a whole stack through the CLI (seconds); CI runs it
def test_suspending_a_deployments_use_cases_is_refused_before_deploy_and_fails_the_audit(stack_copy):
    def suspend_admin(cfg):
        for u in use_cases(cfg):
            if u["deployment"] == "gpt-admin":
                u["status"] = "suspended"

    path = str(stack_copy(suspend_admin))
    validate = run("infra", "validate", "--stack", path)
    assert validate.exit_code == 2
    assert "carelift:openai.deployments[1]: deployment 'gpt-admin' is referenced by no approved, in-date use case" \
        in validate.output
    audit = run("audit", "--stack", path, "--format", "json")
    assert audit.exit_code == 1
    assert failed_controls(audit) == {"CL-AI-013": {"gpt-admin"}}


@pytest.mark.slow  # renders a whole stack through the CLI (seconds); CI runs it
def test_an_overdue_review_fails_review_and_registration():
    audit = run("audit", "--stack", PROD, "--format", "json", as_of="2027-02-25")
    assert audit.exit_code == 1
    failed = failed_controls(audit)
    assert failed["CL-AI-019"] == {"it-helpdesk-assistant"}
    assert "CL-AI-013" not in failed  # prior-auth letters still govern gpt-admin until 2027-02-28


@pytest.mark.slow  # renders a whole stack through the CLI (seconds); CI runs it
def test_a_retired_model_fails_the_lifecycle_control(stack_copy):
    def retired(cfg):
        cfg["carelift:openai"]["deployments"][1].update(model="gpt-4o", version="2024-11-20")

    path = str(stack_copy(retired))
    assert run("infra", "validate", "--stack", path).exit_code == 2
    audit = run("audit", "--stack", path, "--format", "json")
    assert failed_controls(audit) == {"CL-AI-015": {"gpt-admin"}}


def test_a_weakened_filter_in_an_exported_template_fails_with_the_stack_register(prod_export, tmp_path):
    export = tmp_path / "prod.arm.json"
    template = json.loads(prod_export)
    for resource in template["resources"]:
        if resource["type"].endswith("/raiPolicies") and resource["name"].endswith("high-risk"):
            for entry in resource["properties"]["contentFilters"]:
                if "severityThreshold" in entry:
                    entry["severityThreshold"] = "High"
    export.write_text(json.dumps(template))
    audit = run("audit", "--arm", str(export), "--ai-register", PROD, "--format", "json")
    assert audit.exit_code == 1
    # CL-AI-012 (the account-wide floor, medium) fails on the policy too; CL-AI-014 names the deployment.
    assert failed_controls(audit) == {"CL-AI-014": {"gpt-clinical"}, "CL-AI-012": {"rai-rbh-prod-high-risk"}}


def test_without_a_register_deployments_in_a_template_fail(prod_export, tmp_path):
    export = tmp_path / "prod.arm.json"
    export.write_text(prod_export, encoding="utf-8")
    failed = failed_controls(run("audit", "--arm", str(export), "--format", "json"))
    assert failed["CL-AI-013"] == {"gpt-clinical", "gpt-admin"}


@pytest.mark.parametrize("content, message", [
    ("useCases: [{id: x}]", "useCases[0].name: is required"),
    ("just: text", "needs a top-level useCases: list"),
])
def test_a_bad_register_file_exits_2_naming_the_key(tmp_path, content, message):
    register = tmp_path / "register.yaml"
    register.write_text(content)
    export = tmp_path / "t.json"
    export.write_text(json.dumps({"resources": []}))
    result = run("audit", "--arm", str(export), "--ai-register", str(register), "--allow-empty")
    assert result.exit_code == 2
    assert message in result.output
