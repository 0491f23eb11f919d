"""Where workflows read an inventory and a plan from (migrate.workflows.sources)."""

from __future__ import annotations

import json

import pytest

from migrate.inventory.store import Workspace
from migrate.planning.document import plan_to_json
from migrate.planning.service import PlanFileError
from migrate.workflows.sources import (NoInventory, NoPlan, existing_workspace, latest_plan, latest_record,
                                       plan_document)
from tests.migrate.planning.test_plan import sample_plan


def test_a_directory_without_an_inventory_is_refused_and_left_uncreated(tmp_path):
    with pytest.raises(NoInventory) as caught:
        with existing_workspace(tmp_path / "none"):
            pass
    assert caught.value.title == (f"no inventory in {tmp_path / 'none'}: import one with `carelift inventory import "
                                  "PATH...` (or point --workspace / CARELIFT_WORKSPACE at it)")
    assert not (tmp_path / "none").exists()


def test_a_workspace_without_a_plan_says_how_to_compute_one(workspace):
    with pytest.raises(NoPlan, match=r"no plan in the workspace yet: compute one with `carelift plan"):
        latest_record(workspace)


def test_the_latest_plan_is_the_last_stored_byte_for_byte_and_parsed(workspace):
    text = plan_to_json(sample_plan())
    with Workspace.open(workspace) as store:
        store.save_plan("{}", "0" * 64, "2026-11-27T08:00:00Z")
        second = store.save_plan(text, "1" * 64, "2026-11-27T09:00:00Z")
    record = latest_record(workspace)
    assert (record.plan_id, record.plan_json, record.digest) == (second, text, "1" * 64)
    stored = latest_plan(workspace)
    assert stored.record == record and stored.document == json.loads(text)


def test_a_plan_file_is_used_instead_of_the_stored_plan_when_given(workspace, tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(plan_to_json(sample_plan()), encoding="utf-8")
    # The workspace holds no plan: the file alone is read.
    assert plan_document(workspace, path)["schema"] == "carelift.plan/v1"
    with pytest.raises(NoPlan):
        plan_document(workspace)
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(PlanFileError):
        plan_document(workspace, path)
