"""The shipped, dated catalogs the sizer reads: Azure VM sizes and managed-disk tiers.

    catalog = load_catalog()          # migrate/data/vm_sizes.yaml
    tiers = load_disk_tiers()         # migrate/data/disk_tiers.yaml

The lower layer that sizing (which picks from them) and cost (which quotes their dates) share, so
neither has to import the other to read them. CatalogError names the file and the entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from infra.errors import CareliftError
from infra.inputs import read_input_text


class CatalogError(CareliftError):
    """A shipped catalog or price file is missing or malformed (names the file and the entry)."""


@dataclass(frozen=True)
class VmSize:
    name: str
    series: str
    family: str
    category: str
    vcpu: int
    memory_gib: float
    max_data_disks: int
    premium_storage: bool
    generations: tuple[int, ...]

    @property
    def burstable(self) -> bool:
        return self.category == "burstable"


@dataclass(frozen=True)
class VmCatalog:
    catalog_date: str
    source: str
    sizes: tuple[VmSize, ...]


@dataclass(frozen=True)
class DiskTier:
    name: str
    size_gib: int
    iops: int
    mbps: int


@dataclass(frozen=True)
class DiskTiers:
    tiers_date: str
    labels: tuple[tuple[str, str], ...]
    """Disk type (premium-ssd, standard-ssd) -> its label (Premium SSD, Standard SSD)."""
    types: tuple[tuple[str, tuple[DiskTier, ...]], ...]
    """Disk type -> its tiers, smallest first."""

    def label(self, kind: str) -> str:
        return dict(self.labels)[kind]

    def tiers(self, kind: str) -> tuple[DiskTier, ...]:
        return dict(self.types)[kind]


def _read(name: str, path: Path | None) -> tuple[Any, str]:
    if path is None:
        return yaml.safe_load((resources.files("migrate") / "data" / name).read_text(encoding="utf-8")), \
            f"migrate/data/{name}"
    return yaml.safe_load(read_input_text(path)), str(path)


@lru_cache(maxsize=4)
def load_catalog(path: Path | None = None) -> VmCatalog:
    document, origin = _read("vm_sizes.yaml", path)
    sizes = []
    fields = ("name", "series", "family", "category", "vcpu", "memory_gib", "max_data_disks", "premium_storage",
              "generations")
    for index, entry in enumerate((document or {}).get("sizes") or []):
        if not isinstance(entry, dict) or set(entry) != set(fields):
            raise CatalogError(f"{origin}: sizes[{index}] needs exactly the fields {', '.join(fields)}")
        sizes.append(VmSize(**{**entry, "generations": tuple(entry["generations"]),
                               "memory_gib": float(entry["memory_gib"])}))
    if not sizes or "catalog_date" not in document:
        raise CatalogError(f"{origin}: needs a catalog_date and a list of sizes")
    return VmCatalog(str(document["catalog_date"]), str(document.get("source", "")),
                     tuple(sorted(sizes, key=lambda s: s.name)))


@lru_cache(maxsize=4)
def load_disk_tiers(path: Path | None = None) -> DiskTiers:
    document, origin = _read("disk_tiers.yaml", path)
    labels, types = [], []
    for kind in ("premium-ssd", "standard-ssd"):
        entry = ((document or {}).get("types") or {}).get(kind)
        if not isinstance(entry, dict) or not entry.get("tiers"):
            raise CatalogError(f"{origin}: types.{kind} needs a label and tiers")
        tiers = tuple(sorted((DiskTier(**t) for t in entry["tiers"]), key=lambda t: t.size_gib))
        labels.append((kind, str(entry["label"])))
        types.append((kind, tiers))
    return DiskTiers(str(document["tiers_date"]), tuple(labels), tuple(types))
