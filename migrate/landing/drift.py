"""Whether the inventory `plan landing` reads is the one the plan was computed from.

`plan landing` takes the hybrid rules from the plan's crossing links, but the steady-state and
permanent rules from the workspace's dependencies as they are now (the plan JSON lists only the
crossing links). The plan records the digest of the inventory it was computed from
(``inputs.inventory.sha256``: servers, applications and dependencies, `migrate.planning.digests`);
when the workspace's inventory no longer has that digest (a dependency export imported since, a
server edited, a plan file from another workspace), the two halves of the overlay rest on different
data: a link added since gets a kept rule the plan's waves never accounted for, a link gone keeps
its hybrid rule, a server's new address or classification is not the plan's. The overlay is what
the hub firewall and the landing NSGs deploy, so `plan landing` refuses it (exit 2) unless told to go
on (``--allow-drift``), as a stale saved plan is refused elsewhere; either way both digests are named.

`plan runbook` and `plan export --format azure-migrate-csv` join the plan the same way: its waves,
dates, sizes and crossing links with each server's facts from the workspace as they are now (the data
classification and application the placement rules match, so the landing subnet; the addresses of
the hybrid rules; the owner; the operating system behind the licence type; the classification tag).
A server edited or re-imported since would be cut over to a subnet, with rules or a licence the plan
and the overlay deployed from it never had, so they are refused alike (`RUNBOOK`, `MIGRATE_CSV`).
`plan --stack` needs no check: it places the plan it has just computed from the servers it read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from infra.errors import CareliftError


class InventoryDrift(CareliftError):
    """The workspace's inventory is not the one the plan was computed from."""

    def __init__(self, title: str, problems: list[str]):
        self.problems = problems
        super().__init__(title)


@dataclass(frozen=True)
class Use:
    """What a command joins from the plan and the workspace, for the lines that say what a drift means."""

    joins: str
    """The title's tail: what would be mixed."""
    sources: str
    """What comes from the plan and what from the workspace now ({links}: the dependencies digest)."""
    consequence: str
    """What goes wrong when the two differ."""
    writes: str
    """What --allow-drift writes anyway."""
    again: str = "plan again (`carelift plan`), land that plan (`carelift plan landing`) and deploy it"
    """What to do instead."""


LANDING = Use(
    "the landing would mix the crossing links of the plan with other dependencies",
    "the hybrid rules come from the crossing links of the plan, the steady-state and permanent rules from the "
    "dependencies of the workspace as they are now (sha256 {links}, the dependencies digest of the overlay)",
    "so a link added since gets a kept rule the waves of the plan never accounted for, a link gone keeps its hybrid "
    "rule, and a changed server address or classification is not the one the plan used",
    "this overlay", "plan again (`carelift plan`) and land that plan")
RUNBOOK = Use(
    "the runbook would join the waves of the plan with other server facts",
    "the waves, dates and crossing links come from the plan; where each server lands (the placement rules match "
    "its data classification and applications), the addresses in its hybrid rules and its owner come from the "
    "inventory of the workspace as it is now",
    "so a server edited since may be cut over to another subnet, or with other rules, than the plan and the "
    "landing overlay deployed from it",
    "this runbook")
MIGRATE_CSV = Use(
    "the Azure Migrate CSV would join the waves of the plan with other server facts",
    "the servers of the wave and their sizes come from the plan; the target subnet (the placement rules match the "
    "data classification and applications), the operating system behind the licence type and the classification "
    "tag come from the inventory of the workspace as it is now",
    "so a server edited since may be replicated to another subnet, or with another licence or tag, than the plan "
    "and the landing overlay deployed from it",
    "this CSV")


@dataclass(frozen=True)
class Drift:
    recorded: str | None
    """The inventory digest the plan recorded (``inputs.inventory.sha256``), None if it records none."""
    current: str
    """The workspace inventory's digest now, computed as the plan computes it."""
    recorded_dependencies: int | None
    """How many dependencies the plan was computed from (``inputs.inventory.dependencies``)."""
    dependencies: int
    """How many the workspace holds now."""
    links: str
    """The digest of the links the kept rules come from (the overlay's ``dependencies``)."""
    use: Use = LANDING
    """The command joining them: what the lines say it mixes and writes."""

    @property
    def drifted(self) -> bool:
        return self.recorded is not None and self.recorded != self.current

    def title(self) -> str:
        # No apostrophes in these lines: the terminal shortens a long span between two of them as a quoted value.
        return f"the inventory of the workspace changed since the plan was computed: {self.use.joins}"

    def lines(self, flag: str = "--allow-drift") -> list[str]:
        """What differs, what it means, what to do: the lines under the title (or of the warning)."""
        if self.recorded is None:
            return [f"the plan records no inventory digest (inputs.inventory.sha256), so carelift cannot tell "
                    f"whether the {self.dependencies:,} dependencies of the workspace (sha256 {self.links}) are the "
                    f"ones it was computed from"]
        then = f" with {self.recorded_dependencies:,} dependencies" if self.recorded_dependencies is not None else ""
        return [
            f"the plan was computed from inventory sha256 {self.recorded}{then}; the inventory of the workspace is "
            f"now sha256 {self.current} with {self.dependencies:,} dependencies",
            self.use.sources.format(links=self.links),
            self.use.consequence,
            f"{self.use.again}, or pass {flag} to write {self.use.writes} anyway",
        ]


def drift(plan: Mapping[str, Any], current: str, dependencies: int, links: str, use: Use = LANDING) -> Drift:
    """The plan's recorded inventory against the workspace's (``current``: `planning.digests.inventory_digest`
    of the workspace's servers, applications and dependencies, as `carelift plan` computes it), for the
    command ``use`` says."""
    inventory = (plan.get("inputs") or {}).get("inventory") or {}
    recorded = inventory.get("sha256") if isinstance(inventory, Mapping) else None
    count = inventory.get("dependencies") if isinstance(inventory, Mapping) else None
    return Drift(str(recorded) if isinstance(recorded, str) and recorded else None, current,
                 count if isinstance(count, int) and not isinstance(count, bool) else None, dependencies, links, use)


def checked(found: Drift, allow: bool) -> list[str]:
    """Raise InventoryDrift when the inventory drifted and ``allow`` is off; else the warning lines (none
    when the digests agree)."""
    if found.drifted and not allow:
        raise InventoryDrift(found.title(), found.lines())
    if found.drifted:
        return [found.title() + " (--allow-drift: written anyway)", *found.lines()[:3]]
    return found.lines() if found.recorded is None else []
