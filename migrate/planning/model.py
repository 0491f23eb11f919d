"""What each planning stage returns. Frozen dataclasses; the plan JSON is built from them."""

from __future__ import annotations

from dataclasses import dataclass

from infra.errors import CareliftError

READINESS = ("Ready", "Ready with conditions", "Not ready", "Unknown")
STRATEGIES = ("retire", "retain", "rehost", "replatform", "repurchase", "refactor", "relocate")


@dataclass(frozen=True)
class Readiness:
    status: str
    """One of READINESS."""
    reasons: tuple[str, ...] = ()
    """Full sentences, e.g. "Windows Server 2008 R2 left extended support on 2024-01-09."."""


@dataclass(frozen=True)
class Strategy:
    strategy: str
    """One of STRATEGIES."""
    rule: str
    """Why: the rule id and its sentence, e.g. "R-RETIRE-POWERED-OFF: powered off in every source"."""
    target: str | None = None
    """Replatform/repurchase target, e.g. "Azure SQL Managed Instance", "Azure Files", a SaaS product."""
    overridden: bool = False
    """True when the user's overrides file decided it (recorded in the plan)."""


@dataclass(frozen=True)
class DiskSizing:
    label: str
    size_gb: float
    tier: str
    """Managed-disk SKU and size, e.g. "Premium SSD P30"."""


@dataclass(frozen=True)
class Sizing:
    sku: str | None
    """Azure VM size, e.g. Standard_D4s_v5; None when not sized (retire/retain/repurchase or no data)."""
    vcpu: int = 0
    memory_gb: float = 0.0
    mode: str = "as-on-premises"
    """as-on-premises or performance-based."""
    rule: str = ""
    disks: tuple[DiskSizing, ...] = ()


@dataclass(frozen=True)
class Cost:
    """Monthly USD under each pricing option; `monthly` is the one the settings chose."""

    compute_payg: float = 0.0
    compute_ri1y: float = 0.0
    compute_ri3y: float = 0.0
    storage: float = 0.0
    monthly: float = 0.0
    hybrid_benefit: bool = False


@dataclass(frozen=True)
class ServerAssessment:
    name: str
    readiness: Readiness
    strategy: Strategy
    sizing: Sizing
    cost: Cost


@dataclass(frozen=True)
class MoveGroup:
    id: str
    """Stable id derived from content, e.g. "epic-prd" or "grp-<first server>"."""
    servers: tuple[str, ...]
    applications: tuple[str, ...] = ()
    environment: str | None = None
    reasons: tuple[str, ...] = ()
    """Why these servers move together (application+environment, strong links with ports, affinity)."""
    vcpu: int = 0
    storage_tb: float = 0.0
    tier0: bool = False
    phi: bool = False
    foundation: bool = False
    """Extended infrastructure: the group moves in the foundation wave 0 (`groups.classify_services`)."""
    hub: bool = False
    """Holds a hub (`groups.classify_services`): planned like any group; recorded for explanations."""


@dataclass(frozen=True)
class CrossingLink:
    source: str
    destination: str
    port: int
    weight: int
    source_wave: int
    destination_wave: int
    needs: tuple[str, ...] = ()
    """Hybrid connectivity the link needs while it crosses: ExpressRoute/VPN, DNS forwarding, firewall rule."""


@dataclass(frozen=True)
class WaveAssignment:
    waves: dict[str, int]
    """Move group id -> wave number (0 = foundation)."""
    crossing_links: tuple[CrossingLink, ...]
    hybrid_exposure: int
    """H = Σ weight(u,v) × |wave(u) − wave(v)| over dependency links between servers in the plan."""
    notes: tuple[str, ...] = ()
    """Relaxations applied (--relax splits) and other decisions worth a reader's attention."""
    groups: tuple[MoveGroup, ...] = ()
    """The move groups as planned, sorted by id: the input groups, with --relax pieces in place of
    the oversized groups they split (ids `<group>.1`, `<group>.2`, ...)."""


@dataclass(frozen=True)
class Infeasibility:
    constraint: str
    message: str
    servers: tuple[str, ...] = ()

    def __str__(self) -> str:
        servers = ", ".join(self.servers[:10]) + (f" … ({len(self.servers)} servers)" if len(self.servers) > 10 else "")
        return f"{self.constraint}: {self.message}" + (f" [servers: {servers}]" if servers else "")


class InfeasiblePlan(CareliftError):
    """The settings cannot be satisfied; every conflict with the servers and constraints involved."""

    def __init__(self, problems: list[Infeasibility]):
        self.problems = tuple(problems)
        self.title = f"the plan is infeasible: {len(self.problems)} constraint(s) cannot be met"
        super().__init__(f"{len(self.problems)} infeasible constraint(s)")


@dataclass(frozen=True)
class WaveDates:
    number: int
    start: str
    """ISO date the wave's replication starts."""
    cutover: str
    """ISO datetime with offset of the cutover window's start, e.g. 2027-02-06T00:00:00-06:00."""
    cutover_end: str
