"""Planning a workspace's estate: what `carelift plan` and `plan explain` do before they print.

    stored = plan_workspace(Path(".carelift"), settings_path=Path("settings.yaml"))
    stored.plan_id, stored.digest, stored.text, stored.sections["metrics"]

The planner itself is pure (`migrate.planning.service`); this module reads its inputs from the
workspace store and stores the plan it returns, which planning may not do (../shared/DESIGN.md).
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from infra import clock
from infra.errors import CareliftError
from migrate.inventory.store import PlanRecord
from migrate.planning.digests import sha256_text
from migrate.planning.encoder import dump_document
from migrate.planning.service import Progress, compute_plan, load_inputs
from migrate.planning.views import explain as explain_server
from migrate.workflows.landing import with_targets
from migrate.workflows.sources import existing_workspace, latest_plan, utc_now

class EmptyInventory(CareliftError):
    """The workspace holds no servers to plan."""


@dataclass(frozen=True)
class StoredPlan:
    plan_id: int
    """The plan's number in the workspace (`plan show` reads the latest)."""
    digest: str
    """SHA-256 of `text`."""
    text: str
    """The plan JSON as stored (with landing targets when a stack was given)."""
    sections: dict[str, Any]
    """The plan's top-level keys (metrics, pricing, notes, warnings, ...), for a summary."""


def plan_workspace(directory: Path, settings_path: Path | None = None, *, relax: bool = False,
                   stack: str | None = None, today: datetime.date | None = None, progress: Progress | None = None,
                   write: Callable[[str], None] | None = None) -> StoredPlan:
    """Plan the estate in the workspace and store the plan.

    The settings (and the overrides they name) are read before the workspace is opened. `today`
    (default: the UTC date) is only used to warn about a start date already past. With `stack`,
    each server gets its landing target in that stack. `write`, when given, is called with the
    plan JSON before the plan is stored: if it raises, nothing is stored (`plan --out`: a plan is
    stored only if its file was written)."""
    inputs = load_inputs(settings_path)
    with existing_workspace(directory) as workspace:
        servers = workspace.servers()
        if not servers:
            raise EmptyInventory(f"the workspace {directory} holds no servers: import an inventory first")
        applications = workspace.applications()
        dependencies = workspace.dependencies()
        computed = compute_plan(servers, applications, dependencies, inputs, relax=relax,
                                today=today or clock.today(),
                                progress=progress)
        text = computed.text
        if stack:
            text = dump_document(with_targets(json.loads(text), servers, stack))
        digest = sha256_text(text)
        if write is not None:
            write(text)
        plan_id = workspace.save_plan(text, digest, utc_now())
    return StoredPlan(plan_id, digest, text, computed.sections)


@dataclass(frozen=True)
class Explained:
    record: PlanRecord
    """The stored plan explained (the latest)."""
    explanation: dict[str, Any] | None
    """`views.explanation` of the server, or None when the plan has no server of that name."""


def explain(directory: Path, server: str) -> Explained:
    """Why `server` is in its wave and move group, and why that size and strategy, in the latest plan."""
    stored = latest_plan(directory)
    return Explained(stored.record, explain_server(stored.document, server))
