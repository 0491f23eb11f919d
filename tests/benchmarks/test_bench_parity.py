"""The parity benchmark's own logic on a miniature Checkov layout written here (Checkov's files stay out)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_parity.py"
SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_parity", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the script is executed
    spec.loader.exec_module(module)
    return module


def vault(name: str, purge) -> dict:
    return {"type": "Microsoft.KeyVault/vaults", "apiVersion": "2023-07-01", "name": name, "location": "eastus2",
            "properties": {"enablePurgeProtection": purge}}


@pytest.fixture
def layout(tmp_path):
    checks = tmp_path / "checkov" / "arm" / "checks" / "resource"
    fixtures = tmp_path / "tests" / "arm" / "checks" / "resource"
    checks.mkdir(parents=True)
    (fixtures / "example_PurgeCheck").mkdir(parents=True)
    (checks / "PurgeCheck.py").write_text(
        'class PurgeCheck(BaseResourceCheck):\n    def __init__(self):\n        id = "CKV_AZURE_110"\n'
        '        supported_resources = ("Microsoft.KeyVault/vaults",)\n')
    (fixtures / "test_PurgeCheck.py").write_text(
        "from checkov.arm.checks.resource.PurgeCheck import check\n"
        "passing_resources = {'Microsoft.KeyVault/vaults.good'}\n"
        "failing_resources = {'Microsoft.KeyVault/vaults.bad', 'Microsoft.KeyVault/vaults.odd'}\n")
    template = {"$schema": SCHEMA, "resources": [vault("good", True), vault("bad", False), vault("odd", True)]}
    (fixtures / "example_PurgeCheck" / "main.json").write_text(json.dumps(template))
    (fixtures / "example_PurgeCheck" / "broken.json").write_text("{not json")
    return tmp_path, checks, fixtures


def test_checks_are_read_from_checkov_source_including_inherited_types(bench, tmp_path):
    (tmp_path / "Base.py").write_text('class Base(X):\n    supported_resources = ["Microsoft.Network/networkSecurityGroups"]\n')
    (tmp_path / "Ssh.py").write_text('class Ssh(Base):\n    def __init__(self):\n        super().__init__(check_id="CKV_AZURE_10")\n')
    checks = bench.checkov_checks(tmp_path)
    assert checks["Ssh"].id == "CKV_AZURE_10" and checks["Ssh"].types == ("Microsoft.Network/networkSecurityGroups",)


def test_disagreements_are_counted_with_their_reason(bench, layout, capsys):
    _, checks_dir, fixtures = layout
    figures = bench.parity(fixtures, bench.checkov_checks(checks_dir), verbose=False)
    assert (figures["compared"], figures["agreed"]) == (3, 2)
    rejected, odd = figures["byId"]["CKV_AZURE_110"]["disagreements"]
    assert rejected.startswith("broken.json: file rejected: is not valid JSON")
    assert odd.startswith("main.json odd: expected fail, got pass — CL-KV-001 pass")


def test_a_difference_listed_in_the_readme_counts_as_agreement(bench, layout, monkeypatch):
    _, checks_dir, fixtures = layout
    monkeypatch.setattr(bench, "differences", lambda: {("CKV_AZURE_110", "main.json", "odd"): "by design"})
    figures = bench.parity(fixtures, bench.checkov_checks(checks_dir), verbose=False)
    assert (figures["agreed"], figures["acceptedDifferences"]) == (3, 1)


def test_fixture_names_give_the_verdict_when_the_test_names_no_resources(bench):
    assert [bench._verdict_of_name(n) for n in ("pass2", "storage-FAILED", "x-SKIPPED", "notes")] == [
        "pass", "fail", None, None]


def test_tolerance_counts_rejections_of_valid_json_only(bench, layout, capsys):
    _, _, fixtures = layout
    stats = bench.tolerance(sorted(fixtures.rglob("*.json")), "mini")
    assert (stats["files"], stats["validJson"], stats["rejected"], stats["tracebacks"]) == (2, 1, [], [])
    assert stats["resources"] == 3
