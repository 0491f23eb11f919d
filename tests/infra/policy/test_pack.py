"""The pack as Pulumi runs it: PulumiPolicy.yaml, requirements.txt and __main__.py."""

from __future__ import annotations

import runpy
from pathlib import Path

import pulumi_policy
import yaml

from infra.compliance.catalog import all_controls

PACK = Path(__file__).resolve().parents[3] / "infra" / "policy"


def test_pulumi_policy_yaml_runs_python_in_the_project_virtualenv():
    project = yaml.safe_load((PACK / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    assert project["runtime"]["name"] == "python"
    assert (PACK / project["runtime"]["options"]["virtualenv"]).resolve() == PACK.parents[1] / ".venv"
    assert project["version"]


def test_requirements_install_carelift_and_the_policy_sdk():
    lines = [line.split("#")[0].strip() for line in (PACK / "requirements.txt").read_text().splitlines()]
    lines = [line for line in lines if line]
    editable = next(line for line in lines if line.startswith("-e "))
    assert (PACK / editable[3:].strip() / "pyproject.toml").is_file()
    assert any(line.startswith("pulumi-policy") for line in lines)


def test_main_builds_the_carelift_hipaa_pack(monkeypatch):
    # PolicyPack() serves gRPC forever: record its arguments instead.
    recorded = {}
    monkeypatch.setattr(pulumi_policy, "PolicyPack", lambda **kwargs: recorded.update(kwargs))
    runpy.run_path(str(PACK / "__main__.py"), run_name="__main__")
    assert recorded["name"] == "carelift-hipaa"
    assert recorded["enforcement_level"] is pulumi_policy.EnforcementLevel.ADVISORY
    assert [p.name for p in recorded["policies"]] == [c.id for c in all_controls()]
