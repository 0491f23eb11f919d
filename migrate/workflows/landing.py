"""The plan joined to a stack, with the workspace: what `carelift plan landing | runbook`, `plan export
--format azure-migrate-csv` and `plan --stack` do before they write.

Each reads, in this order, what its command always read: the stack file's path, the plan (a plan
file, or the workspace's latest), the stack config, then the servers' facts from the workspace's
inventory (addresses, data classification, owner, OS), and calls `migrate.landing.service`.

`plan landing` also reads the workspace's dependencies: the plan JSON lists only the links that cross
the hybrid boundary, and the steady-state rules need every link whose two ends both land in Azure.
They are read here, beside the facts, and handed to the pure `land` as data: landing (like planning)
never opens the store, and the plan JSON does not grow by every link of the estate. They are the
same edges `carelift plan` computed the crossing links from (`Workspace.dependencies`).

`plan landing`, `plan runbook` and the Azure Migrate CSV check first that the workspace's inventory is
the one the plan was computed from (`migrate.landing.drift`: exit 2, or warnings with ``allow_drift``);
`plan --stack` places the plan it has just computed from the servers it read, so it has nothing to check.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

from migrate.inventory.model import Dependency, Server
from migrate.landing.factory import WaveExport
from migrate.landing.drift import MIGRATE_CSV, RUNBOOK, Use, checked, drift
from migrate.landing.placement import LandingError, ServerFacts
from migrate.landing.service import (Landing, azure_migrate_export, dependencies_digest, land, plan_with_targets,
                                     server_facts, stack_config, stack_path, wave_runbook)
from migrate.planning.digests import inventory_digest
from migrate.workflows.sources import existing_workspace, plan_document


def inventory_facts(directory: Path) -> dict[str, ServerFacts]:
    """What the workspace's inventory knows of each server that the plan JSON does not carry."""
    with existing_workspace(directory) as workspace:
        return server_facts(workspace.servers())


def inventory_links(directory: Path) -> tuple[dict[str, ServerFacts], list[Dependency]]:
    """The servers' facts and the dependency edges, from one opening of the workspace."""
    facts, dependencies, _ = inventory_state(directory)
    return facts, dependencies


def inventory_state(directory: Path) -> tuple[dict[str, ServerFacts], list[Dependency], str]:
    """The servers' facts, the dependency edges and the inventory's digest as `carelift plan` records it
    (``inputs.inventory.sha256``), from one opening of the workspace."""
    with existing_workspace(directory) as workspace:
        servers, dependencies = workspace.servers(), workspace.dependencies()
        digest = inventory_digest(servers, workspace.applications(), dependencies)
    return server_facts(servers), dependencies, digest


def overlay_destination(stack: str) -> Path:
    """Where `plan landing` writes by default: Pulumi.<stack>.landing.yaml beside the stack file."""
    from infra.landing_overlay import overlay_path

    return overlay_path(stack_path(stack))


@dataclass(frozen=True)
class StackLanding:
    stack: str
    """The stack's name."""
    landing: Landing
    """Placement, proposed spokes and subnets, hybrid rules and the overlay's text."""
    warnings: tuple[str, ...] = ()
    """What the user must know though the overlay was written: the inventory drifted since the plan
    (``allow_drift``), or the plan records no inventory digest to check."""


def land_plan(directory: Path, stack: str, plan_file: Path | None = None, *,
              allow_drift: bool = False) -> StackLanding:
    """Place every planned server in the stack (read without its current overlay, which is regenerated
    whole) and derive the landing overlay: hybrid rules from the plan's crossing links, steady-state
    and permanent rules from the workspace's dependencies. LandingError lists every placement problem,
    or what overflows Azure's limits; InventoryDrift says the workspace's inventory is not the one the
    plan (a plan file or the stored one) was computed from, unless ``allow_drift`` (then a warning)."""
    path = stack_path(stack)
    plan = plan_document(directory, plan_file)
    config = stack_config(path, bare=True)
    if config.landing is None:
        raise LandingError(f"stack {config.stack} has no carelift:landing rules: add them (see README, "
                           f"'From plan to landing')", [])
    facts, dependencies, digest = inventory_state(directory)
    warnings = checked(drift(plan, digest, len(dependencies), dependencies_digest(dependencies)), allow_drift)
    return StackLanding(config.stack, land(plan, facts, config, dependencies), tuple(warnings))


def checked_facts(directory: Path, plan: Mapping[str, Any], use: Use,
                  allow_drift: bool) -> tuple[dict[str, ServerFacts], tuple[str, ...]]:
    """The servers' facts, once the workspace's inventory is the one the plan was computed from (InventoryDrift
    otherwise, unless ``allow_drift``: then the warning lines), read with its digest in one opening."""
    facts, dependencies, digest = inventory_state(directory)
    found = drift(plan, digest, len(dependencies), dependencies_digest(dependencies), use)
    return facts, tuple(checked(found, allow_drift))


@dataclass(frozen=True)
class WaveRunbook:
    text: str
    """The runbook in Markdown."""
    warnings: tuple[str, ...] = ()
    """The inventory drifted since the plan (``allow_drift``), or the plan records no digest to check."""


@dataclass(frozen=True)
class WaveCsv:
    export: WaveExport
    """The CSV and what it left out."""
    warnings: tuple[str, ...] = ()
    """As `WaveRunbook.warnings`."""


def runbook(directory: Path, wave: int, stack: str, plan_file: Path | None = None, *,
            allow_drift: bool = False) -> WaveRunbook:
    """The wave's runbook in Markdown, the plan landed in the stack as deployed, with the servers' facts from
    the workspace: InventoryDrift when its inventory is not the one the plan was computed from (`drift.RUNBOOK`)."""
    plan = plan_document(directory, plan_file)
    config = stack_config(stack_path(stack), bare=False)
    facts, warnings = checked_facts(directory, plan, RUNBOOK, allow_drift)
    return WaveRunbook(wave_runbook(plan, wave, facts, config), warnings)


def azure_migrate_csv(directory: Path, wave: int, stack: str, plan_file: Path | None = None,
                      test_vnet: str | None = None, *, allow_drift: bool = False) -> WaveCsv:
    """One wave as Azure Migrate's at-scale CSV, the plan landed in the stack as deployed, with the servers'
    facts from the workspace: InventoryDrift as for the runbook (`drift.MIGRATE_CSV`)."""
    plan = plan_document(directory, plan_file)
    config = stack_config(stack_path(stack), bare=False)
    facts, warnings = checked_facts(directory, plan, MIGRATE_CSV, allow_drift)
    return WaveCsv(azure_migrate_export(plan, wave, facts, config, test_vnet), warnings)


def with_targets(plan: Mapping[str, Any], servers: Sequence[Server], stack: str) -> dict[str, Any]:
    """The plan document with each server's landing target in `stack` (`plan --stack`): the servers
    are the inventory the plan was computed from, so no second read of the workspace."""
    config = stack_config(stack_path(stack), bare=False)
    return plan_with_targets(plan, server_facts(servers), config)
