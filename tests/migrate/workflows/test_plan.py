"""Planning a workspace's estate without the CLI (migrate.workflows.plan): computed, digested, written
and stored in that order; the latest plan explained."""

from __future__ import annotations

import datetime
import hashlib
import json

import pytest
import yaml

from migrate.inventory.store import Workspace
from migrate.landing.placement import LandingError
from migrate.planning.model import InfeasiblePlan
from migrate.planning.settings import SettingsError
from migrate.workflows.plan import EmptyInventory, explain, plan_workspace
from migrate.workflows.sources import NoInventory, latest_record
from tests.conftest import STACKS


def plans_in(directory) -> int:
    with Workspace.open(directory) as store:
        return len(store.plans())


def test_the_plan_is_stored_with_its_digest_and_summary(workspace):
    stored = plan_workspace(workspace)
    record = latest_record(workspace)
    assert (record.plan_id, record.plan_json, record.digest) == (stored.plan_id, stored.text, stored.digest)
    assert stored.digest == hashlib.sha256(stored.text.encode("utf-8")).hexdigest()
    assert stored.sections["metrics"]["servers"] == 5 and "notes" in stored.sections
    assert plan_workspace(workspace).text == stored.text  # same inventory and settings: the same bytes


def test_the_written_text_is_the_stored_text_and_a_failed_write_stores_nothing(workspace):
    written = []
    stored = plan_workspace(workspace, write=written.append)
    assert written == [stored.text]

    def refuse(text):
        raise OSError("disk full")

    with pytest.raises(OSError):
        plan_workspace(workspace, write=refuse)
    assert plans_in(workspace) == 1


def test_settings_are_read_before_the_workspace_so_their_problems_come_first(tmp_path):
    (tmp_path / "bad.yaml").write_text("colour: red\n")
    with pytest.raises(SettingsError):
        plan_workspace(tmp_path / "no-workspace", tmp_path / "bad.yaml")
    with pytest.raises(NoInventory):
        plan_workspace(tmp_path / "no-workspace")


def test_an_empty_workspace_and_an_infeasible_plan_store_nothing(tmp_path, workspace):
    Workspace.open(tmp_path / "empty").close()
    with pytest.raises(EmptyInventory, match="holds no servers: import an inventory first"):
        plan_workspace(tmp_path / "empty")
    (tmp_path / "tight.yaml").write_text("wave: {max_servers: 1}\n")
    with pytest.raises(InfeasiblePlan):
        plan_workspace(workspace, tmp_path / "tight.yaml")
    assert plans_in(workspace) == 0
    assert plan_workspace(workspace, tmp_path / "tight.yaml", relax=True).sections["metrics"]["move_groups"] > 3


def test_today_only_warns_about_a_start_date_already_past(workspace, tmp_path):
    (tmp_path / "settings.yaml").write_text("start_date: 2027-01-04\n")
    before = plan_workspace(workspace, tmp_path / "settings.yaml", today=datetime.date(2026, 12, 1))
    after = plan_workspace(workspace, tmp_path / "settings.yaml", today=datetime.date(2027, 6, 1))
    assert not any("2027-01-04" in w["message"] for w in before.sections["warnings"])
    assert any("2027-01-04" in w["message"] for w in after.sections["warnings"])
    assert json.loads(before.text)["waves"] == json.loads(after.text)["waves"]


def test_a_plan_that_cannot_land_in_the_stack_is_not_stored(workspace):
    # prod's rules send the hand-made servers to spokes and subnets prod does not have yet.
    with pytest.raises(LandingError) as caught:
        plan_workspace(workspace, stack=str(STACKS / "Pulumi.prod.yaml"))
    assert caught.value.title == "the plan cannot land in stack prod" and len(caught.value.problems) == 3
    assert plans_in(workspace) == 0


def test_with_a_stack_each_planned_server_has_its_target_in_the_stored_plan(workspace, tmp_path):
    document = yaml.safe_load((STACKS / "Pulumi.prod.yaml").read_text(encoding="utf-8"))
    document["config"]["carelift:landing"]["rules"] = []
    document["config"]["carelift:landing"]["default"] = {"spoke": "clinical", "subnet": "snet-ehr-app"}
    (tmp_path / "Pulumi.prod.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    stored = plan_workspace(workspace, stack=str(tmp_path / "Pulumi.prod.yaml"))
    servers = json.loads(latest_record(workspace).plan_json)["servers"]
    assert {name: (s["target"] or {}).get("subnet") for name, s in servers.items()} == {
        "dc01": "snet-ehr-app", "epic-prd-app01": "snet-ehr-app", "epic-prd-db01": "snet-ehr-app",
        "epic-tst-app01": "snet-ehr-app", "old01": None}  # old01 is retired: in no wave, so no target
    assert stored.digest == hashlib.sha256(stored.text.encode("utf-8")).hexdigest()
    assert json.loads(stored.text)["waves"] == json.loads(plan_workspace(workspace).text)["waves"]


def test_explain_reads_the_latest_plan(workspace):
    stored = plan_workspace(workspace)
    explained = explain(workspace, "EPIC-PRD-DB01")
    assert explained.record.plan_id == stored.plan_id
    assert explained.explanation["server"] == "epic-prd-db01"
    assert explain(workspace, "nosuch01").explanation is None


def test_the_day_the_plan_is_made_is_the_tools_audit_day(workspace, tmp_path, monkeypatch):
    # One CARELIFT_AS_OF moves every dated judgement: a start date after it is not "in the past".
    settings = tmp_path / "settings.yaml"
    settings.write_text("start_date: 2030-03-04\n", encoding="utf-8")

    def warnings_on(day: str) -> list[str]:
        monkeypatch.setenv("CARELIFT_AS_OF", day)
        return [w["code"] for w in json.loads(plan_workspace(workspace, settings).text).get("warnings", [])]

    assert "start-in-past" not in warnings_on("2030-03-04")
    assert "start-in-past" in warnings_on("2030-03-05")
