"""Estate totals for `carelift inventory stats`: counts by OS family, environment, tier and
cluster, and the cores, memory and storage to land in Azure."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable

from migrate.inventory.model import ENVIRONMENTS, OS_FAMILIES, Server

UNSET = "unset"


@dataclass(frozen=True)
class EstateStats:
    servers: int
    powered_off: int
    by_os_family: tuple[tuple[str, int], ...]
    by_environment: tuple[tuple[str, int], ...]
    by_tier: tuple[tuple[str, int], ...]
    by_cluster: tuple[tuple[str, int], ...]
    cores: int
    memory_mb: int
    storage_gb: float
    storage_used_gb: float
    """Used space where the source reports it (RVTools vPartition), else 0 for that disk."""

    def to_json(self) -> dict:
        return {"servers": self.servers, "powered_off": self.powered_off,
                "by_os_family": dict(self.by_os_family), "by_environment": dict(self.by_environment),
                "by_tier": dict(self.by_tier), "by_cluster": dict(self.by_cluster),
                "totals": {"cores": self.cores, "memory_mb": self.memory_mb, "storage_gb": round(self.storage_gb, 2),
                           "storage_used_gb": round(self.storage_used_gb, 2)}}


def estate_stats(servers: Iterable[Server]) -> EstateStats:
    servers = list(servers)
    families = Counter(s.os_family for s in servers)
    environments = Counter(s.environment or UNSET for s in servers)
    tiers = Counter(UNSET if s.tier is None else str(s.tier) for s in servers)
    clusters = Counter(s.cluster or UNSET for s in servers)
    return EstateStats(
        servers=len(servers),
        powered_off=sum(1 for s in servers if s.power_state == "off"),
        by_os_family=ordered(families, OS_FAMILIES),
        by_environment=ordered(environments, ENVIRONMENTS),
        by_tier=ordered(tiers, ("0", "1", "2", "3")),
        by_cluster=ordered(clusters, ()),
        cores=sum(s.cores or 0 for s in servers),
        memory_mb=sum(s.memory_mb or 0 for s in servers),
        storage_gb=sum(s.storage_gb for s in servers),
        storage_used_gb=sum(d.used_gb or 0 for s in servers for d in s.disks),
    )


def ordered(counts: Counter, known_order: Iterable[str]) -> tuple[tuple[str, int], ...]:
    """Known values in their natural order, then the others alphabetically, "unset" last."""
    known = [k for k in known_order if counts.get(k)]
    others = sorted(k for k in counts if k not in known and k != UNSET)
    tail = [UNSET] if counts.get(UNSET) else []
    return tuple((k, counts[k]) for k in (*known, *others, *tail))
