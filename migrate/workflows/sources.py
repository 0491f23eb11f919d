"""Where a workflow's inventory and plan come from: a workspace that holds an inventory, the
latest plan stored in it, or a plan JSON file."""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.errors import CareliftError
from migrate.inventory.service import NoInventory, open_workspace, utc_now
from migrate.inventory.store import PlanRecord, Workspace
from migrate.planning.service import read_plan_file

__all__ = ["NoInventory", "NoPlan", "StoredDocument", "existing_workspace", "latest_plan", "latest_record",
           "plan_document", "utc_now"]


class NoPlan(CareliftError):
    """The workspace holds no plan yet."""


def existing_workspace(directory: Path) -> AbstractContextManager[Workspace]:
    """The workspace in `directory`, which must already hold an inventory (NoInventory otherwise; a
    WorkspaceError when it cannot be used: not a carelift database, a newer schema, no permission)."""
    return open_workspace(directory)


@dataclass(frozen=True)
class StoredDocument:
    record: PlanRecord
    """The stored plan: id, time, digest and its JSON text as computed."""
    document: dict[str, Any]
    """The plan JSON, parsed."""


def latest_record(directory: Path) -> PlanRecord:
    """The latest plan stored in the workspace, its JSON as text (byte for byte as computed)."""
    with existing_workspace(directory) as workspace:
        record = workspace.latest_plan()
    if record is None:
        raise NoPlan("no plan in the workspace yet: compute one with `carelift plan [--settings FILE]`")
    return record


def latest_plan(directory: Path) -> StoredDocument:
    """The latest plan stored in the workspace, with its JSON parsed."""
    record = latest_record(directory)
    return StoredDocument(record, json.loads(record.plan_json))


def plan_document(directory: Path, plan_file: Path | None = None) -> dict[str, Any]:
    """The plan a command works on: `plan_file` when given, else the workspace's latest plan."""
    if plan_file is not None:
        return read_plan_file(plan_file)
    return latest_plan(directory).document

