"""Where a workflow's inventory and plan come from: a workspace that holds an inventory, the
latest plan stored in it, or a plan JSON file."""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from infra.errors import CareliftError
from migrate.inventory.store import DATABASE, PlanRecord, Workspace
from migrate.planning.service import read_plan_file


class NoInventory(CareliftError):
    """The workspace directory holds no estate database (nothing imported yet, or the wrong directory)."""


class NoPlan(CareliftError):
    """The workspace holds no plan yet."""


@contextmanager
def existing_workspace(directory: Path) -> Iterator[Workspace]:
    """The workspace in `directory`, which must already hold an inventory (a WorkspaceError when it
    cannot be used: not a carelift database, a newer schema, no permission)."""
    directory = Path(directory)
    if not (directory / DATABASE).exists():
        raise NoInventory(f"no inventory in {directory}: import one with `carelift inventory import PATH...` "
                          "(or point --workspace / CARELIFT_WORKSPACE at it)")
    with Workspace.open(directory) as workspace:
        yield workspace


def utc_now() -> str:
    """The time a plan is stored at: UTC, to the second, e.g. 2026-12-06T22:05:00Z."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


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

