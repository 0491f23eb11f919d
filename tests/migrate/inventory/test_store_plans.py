"""Plans stored in the workspace (migration 3): newest last, listed without their JSON."""

from __future__ import annotations

from migrate.inventory.store import SCHEMA_VERSION, Workspace


def test_plans_are_stored_in_order_and_the_latest_comes_back_whole(tmp_path):
    with Workspace.open(tmp_path / "ws") as ws:
        assert ws.latest_plan() is None and ws.plans() == []
        first = ws.save_plan('{"schema": "carelift.plan/v1", "n": 1}\n', "d1", "2026-11-27T09:00:00Z")
        second = ws.save_plan('{"schema": "carelift.plan/v1", "name": "café"}\n', "d2", "2026-11-28T09:00:00Z")
    assert second > first
    with Workspace.open(tmp_path / "ws") as ws:  # survives closing: it is committed
        latest = ws.latest_plan()
        listed = ws.plans()
    assert (latest.plan_id, latest.digest, latest.created_at) == (second, "d2", "2026-11-28T09:00:00Z")
    assert latest.plan_json == '{"schema": "carelift.plan/v1", "name": "café"}\n'
    assert latest.size == len(latest.plan_json.encode("utf-8"))
    assert [(p.plan_id, p.digest, p.plan_json) for p in listed] == [(first, "d1", ""), (second, "d2", "")]


def test_the_plans_table_arrives_with_schema_version_3(tmp_path):
    assert SCHEMA_VERSION >= 3
    with Workspace.open(tmp_path / "ws") as ws:
        columns = [row[1] for row in ws._connection.execute("PRAGMA table_info(plans)")]
    assert columns == ["id", "created_at", "digest", "plan"]
