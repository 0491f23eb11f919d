"""From plan to landing on the shipped sample estate and the prod stack, end to end through the CLI."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from migrate.cli import main
from migrate.landing.factory import COLUMNS
from tests.conftest import REPO, STACKS
from tests.migrate.cli.test_plan import sample_workspace  # noqa: F401 (the shared fixture)

DEMO_SETTINGS = REPO / "migrate" / "data" / "demo-settings.yaml"

# Every test here starts from the sample estate imported and planned, and most render and audit the prod
# stack with its overlay: seconds each (about 13 s in all on two cores). CI runs them.
pytestmark = pytest.mark.slow


def invoke(workspace: Path, *args: str):
    return CliRunner().invoke(main, ["--workspace", str(workspace), *args])


@pytest.fixture(scope="module")
def planned(sample_workspace) -> Path:
    """The sample estate (imported as the README says) planned with the demo's settings."""
    result = invoke(sample_workspace, "plan", "--settings", str(DEMO_SETTINGS))
    assert result.exit_code == 0, result.output
    return sample_workspace


@pytest.fixture(scope="module")
def project(planned, tmp_path_factory) -> Path:
    """A copy of the project's stack directory with the prod stack naming its generated overlay."""
    root = tmp_path_factory.mktemp("project")
    shutil.copy(REPO / "Pulumi.yaml", root / "Pulumi.yaml")
    (root / "stacks").mkdir()
    shutil.copy(STACKS / "Pulumi.prod.yaml", root / "stacks" / "Pulumi.prod.yaml")
    result = invoke(planned, "plan", "landing", "--stack", str(root / "stacks" / "Pulumi.prod.yaml"))
    assert result.exit_code == 0, result.output
    assert "proposed spoke nonprod" in result.output and "landing overlay written to" in result.output
    with (root / "stacks" / "Pulumi.prod.yaml").open("a", encoding="utf-8") as stack:
        stack.write("  carelift:landingOverlay: stacks/Pulumi.prod.landing.yaml\n")
    return root


def overlay(project: Path) -> dict:
    return yaml.safe_load((project / "stacks" / "Pulumi.prod.landing.yaml").read_text(encoding="utf-8"))


def failed(result) -> dict[str, int]:
    counts: dict[str, int] = {}
    for finding in json.loads(result.output)["findings"]:
        if finding["status"] == "fail":
            counts[finding["control"]] = counts.get(finding["control"], 0) + 1
    return counts


def test_without_the_overlay_the_plan_names_every_missing_place(planned):
    result = invoke(planned, "plan", "runbook", "--wave", "3", "--stack", str(STACKS / "Pulumi.prod.yaml"))
    assert result.exit_code == 2
    assert "spoke 'nonprod' does not exist in stack prod" in result.output
    assert "spoke 'corp' does not exist in stack prod" in result.output


def test_the_overlay_is_deterministic_and_exact(planned, project, tmp_path):
    again = tmp_path / "again.yaml"
    stack = str(project / "stacks" / "Pulumi.prod.yaml")
    assert invoke(planned, "plan", "landing", "--stack", stack, "-o", str(again)).exit_code == 0
    assert again.read_bytes() == (project / "stacks" / "Pulumi.prod.landing.yaml").read_bytes()
    for wave in overlay(project)["overlay"]["hybridWaves"]:
        for rule in wave["rules"]:
            assert "*" not in rule["sources"] + rule["destinations"] + rule["ports"]
            assert all(s.endswith("/32") or s.count("/") == 1 for s in rule["sources"])


def test_the_retained_gateways_keep_their_landed_pacs(project):
    """The sample's DICOM gateways stay on premises (R-RETAIN-DEVICE-GATEWAY) and send to the PACS, which
    lands in wave 6: one permanent rule from their four /32s to the imaging subnet on DICOM's port (same wave,
    direction, subnet, protocol and port: grouped), which the audit below then renders and checks with
    everything else."""
    kept = {w["wave"]: w for w in overlay(project)["overlay"]["steadyStateWaves"]}
    pacs = [(r["sources"], r["destinations"], r["ports"]) for r in kept[6]["rules"] if r["name"].startswith("p")]
    assert pacs == [([f"10.3.0.{n}/32" for n in (15, 16, 17, 18)], ["10.42.4.0/23"], ["104"])]
    (gateways,) = [r["description"] for r in kept[6]["rules"] if r["name"].startswith("p")]
    assert gateways.startswith("Permanent: 4 servers stay on premises (retain). On-premises dependency 4 servers "
                               "(pacs-prd-gw01, pacs-prd-gw02, pacs-prd-gw03 and 1 more) -> clinical/snet-imaging")
    permanent = [r for w in kept.values() for r in w["rules"] if r["name"].startswith("p")]
    for rule in permanent:  # one side the server's own /32s, never '*' or 0.0.0.0/0
        assert "*" not in rule["sources"] + rule["destinations"] + rule["ports"]
        assert any(all(a.endswith("/32") for a in side) for side in (rule["sources"], rule["destinations"]))
    assert len(permanent) == 9  # 19 before servers with the same flow and ports were grouped


def test_the_stack_with_its_overlay_renders_and_audits_clean(project):
    result = CliRunner().invoke(main, ["audit", "--stack", str(project / "stacks" / "Pulumi.prod.yaml"),
                                       "--format", "json"])
    assert result.exit_code == 0, result.output[-2000:]
    assert failed(result) == {}


def test_removing_a_waves_rules_leaves_the_audit_clean(project):
    path = project / "stacks" / "Pulumi.prod.landing.yaml"
    original = path.read_text(encoding="utf-8")
    document = overlay(project)
    document["overlay"]["hybridWaves"] = document["overlay"]["hybridWaves"][1:]
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    try:
        result = CliRunner().invoke(main, ["audit", "--stack", str(project / "stacks" / "Pulumi.prod.yaml"),
                                           "--format", "json"])
        assert result.exit_code == 0 and failed(result) == {}
    finally:
        path.write_text(original, encoding="utf-8")


def test_a_wildcard_rule_is_refused_in_the_overlay_and_fails_cl_fw_004_in_a_template(project, planned, tmp_path):
    stack = str(project / "stacks" / "Pulumi.prod.yaml")
    document = overlay(project)
    document["overlay"]["hybridWaves"][0]["rules"][0]["sources"] = ["0.0.0.0/0"]
    wide = project / "stacks" / "Pulumi.prod.landing.yaml"
    original = wide.read_text(encoding="utf-8")
    wide.write_text(yaml.safe_dump(document), encoding="utf-8")
    try:
        refused = CliRunner().invoke(main, ["infra", "validate", "--stack", stack])
        assert refused.exit_code == 2
        assert "carelift:network.hybridWaves[0].rules[0].sources[0]: must not be 0.0.0.0/0" in refused.output
    finally:
        wide.write_text(original, encoding="utf-8")
    export = tmp_path / "prod.arm.json"
    assert CliRunner().invoke(main, ["infra", "export-arm", "--stack", stack, "-o", str(export)]).exit_code == 0
    template = json.loads(export.read_text())
    first = document["overlay"]["hybridWaves"][0]["wave"]  # the plan decides which wave has hybrid rules first
    group = next(r for r in template["resources"] if r["name"].endswith(f"rcg-migration-wave-{first:02d}"))
    rule = group["properties"]["ruleCollections"][0]["rules"][0]
    rule.update(sourceAddresses=["*"], destinationAddresses=["*"], destinationPorts=["*"])
    export.write_text(json.dumps(template))
    audit = CliRunner().invoke(main, ["audit", "--arm", str(export), "--ai-register", stack, "--format", "json"])
    assert audit.exit_code == 1
    assert failed(audit).get("CL-FW-004", 0) >= 1


def test_each_waves_csv_and_runbook(planned, project, tmp_path):
    stack = str(project / "stacks" / "Pulumi.prod.yaml")
    out = tmp_path / "wave-2.csv"
    result = invoke(planned, "plan", "export", "--format", "azure-migrate-csv", "--wave", "2", "--stack", stack,
                    "--test-vnet", "vnet-rbh-prod-test", "-o", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(COLUMNS)
    rows = list(csv.DictReader(io.StringIO(text)))
    plan = json.loads(invoke(planned, "plan", "export").output)
    rehost = sorted(n for n, s in plan["servers"].items() if s["wave"] == 2 and s["strategy"] == "rehost")
    assert sorted(r["SOURCE_MACHINE_NAME"] for r in rows) == rehost
    assert {r["AZMIGRATEPROJECT_NAME"] for r in rows} == {"rbh-datacenter-exit"}
    assert {r["OK_TO_MIGRATE"] for r in rows} == {"N"} and {r["OK_TO_TESTMIGRATE"] for r in rows} == {"Y"}
    runbook = invoke(planned, "plan", "runbook", "--wave", "2", "--stack", stack)
    assert runbook.exit_code == 0, runbook.output
    assert "# Wave 2 runbook (stack prod)" in runbook.output and "rcg-migration-wave-02" in runbook.output


def test_plan_with_a_stack_gives_every_server_a_target_or_a_reason(planned, project, tmp_path):
    out = tmp_path / "plan.json"
    stack = str(project / "stacks" / "Pulumi.prod.yaml")
    result = invoke(planned, "plan", "--settings", str(DEMO_SETTINGS), "--stack", stack, "-o", str(out))
    assert result.exit_code == 0, result.output
    for name, server in json.loads(out.read_text())["servers"].items():
        if server["wave"] is None:
            continue
        assert server["target"] or server["target_reason"], name
        if server["target"]:
            assert set(server["target"]) >= {"stack", "subscription", "resourceGroup", "vnet", "subnet"}
