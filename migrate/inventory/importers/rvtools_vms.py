"""The VMs of one RVTools export: telling apart rows that share a name or a VM UUID, and finding
which VM a side-sheet row belongs to (rules in `rvtools`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from migrate.inventory.importers import fields
from migrate.inventory.importers.tabular import Row


@dataclass
class Vm:
    """A VM being assembled from the sheets."""

    row: int
    server: dict
    disks: list[tuple[str, float, bool]] = field(default_factory=list)
    disk_keys: list[str | None] = field(default_factory=list)
    """vDisk's `Disk Key` of each of `disks` (None: no column, or blank)."""
    partitions: list[tuple[str | None, float]] = field(default_factory=list)
    """vPartition's rows with a consumed size: (`Disk Key` or None, consumed GB)."""
    consumed_gb: float | None = None
    in_use_gb: float | None = None
    total_gb: float | None = None
    ips: list[str] = field(default_factory=list)
    place: dict[str, str | None] = field(default_factory=dict)
    """vcenter, datacenter, cluster, host, folder as vInfo gives them: what tells same-named VMs apart."""
    incomplete: set[str] = field(default_factory=set)
    """Side sheets with a row of this VM that could not be read."""


class Owners:
    """Which vInfo VM a side-sheet row belongs to: by VM UUID when it names one VM, else by name,
    narrowed by the row's vCenter / datacenter / cluster / host when vInfo lists the name twice."""

    AMBIGUOUS = object()

    def __init__(self, vms: list[Vm]):
        self.by_name: dict[str, list[Vm]] = {}
        self.by_uuid: dict[str, list[Vm]] = {}
        for vm in vms:
            self.by_name.setdefault(vm.server["name"].casefold(), []).append(vm)
            if vm.server.get("vm_uuid"):
                self.by_uuid.setdefault(vm.server["vm_uuid"], []).append(vm)

    def find(self, row: Row):
        name = (row.text("vm") or "").casefold()
        found = self.by_name.get(name, [])
        if len(found) == 1:  # the common case: the name says which VM, no UUID to parse
            return found[0]
        try:
            uuid = fields.vm_uuid(row.text("uuid"))
        except ValueError:
            uuid = None
        if uuid:
            with_uuid = [vm for vm in found if vm.server.get("vm_uuid") == uuid] or \
                (self.by_uuid.get(uuid, []) if not found else [])  # renamed since vInfo was read
            found = with_uuid or found
        if len(found) > 1:
            for key in ("vcenter", "datacenter", "cluster", "host"):
                value = row.text(key)
                if value:
                    narrowed = [vm for vm in found if (vm.place.get(key) or "").casefold() == value.casefold()]
                    found = narrowed or found
        if not found:
            return None
        return found[0] if len(found) == 1 else self.AMBIGUOUS


def tell_apart(vms: list[Vm], warnings: list[str]) -> list[Vm]:
    """Keep every VM: same names become qualified servers, same UUIDs stay separate servers;
    only the same VM (name, UUID and vCenter) listed twice is dropped. Warnings say which."""
    kept: list[Vm] = []
    seen: dict[tuple, Vm] = {}
    for vm in vms:
        vcenter = vm.place.get("vcenter")
        key = (vm.server["name"].casefold(), vm.server.get("vm_uuid"), (vcenter or "").casefold())
        if key[1] and key in seen:
            warnings.append(f"vInfo rows {seen[key].row} and {vm.row} are the same VM ({vm.server['name']}, VM UUID "
                            f"{key[1]}{', vCenter ' + vcenter if vcenter else ''}); "
                            f"row {vm.row} ignored")
            continue
        seen[key] = vm
        kept.append(vm)
    by_name: dict[str, list[Vm]] = {}
    by_uuid: dict[str, list[Vm]] = {}
    for vm in kept:
        by_name.setdefault(vm.server["name"].casefold(), []).append(vm)
        if vm.server.get("vm_uuid"):
            by_uuid.setdefault(vm.server["vm_uuid"], []).append(vm)
    for group in by_name.values():
        if len(group) > 1:
            qualify(group, warnings)
    for uuid, group in by_uuid.items():
        if len({(vm.server["name"].casefold(), (vm.place.get("vcenter") or "").casefold()) for vm in group}) > 1:
            listed = ", ".join(f"row {vm.row} {vm.server['name']}"
                               + (f" ({vm.place['vcenter']})" if vm.place.get("vcenter") else "") for vm in group)
            warnings.append(f"VM UUID {uuid} is on {len(group)} VMs ({listed}): kept as {len(group)} servers "
                            f"(clones, replicas or restored copies carry the UUID of their original)")
    return kept


QUALIFIERS = (("vcenter",), ("vcenter", "datacenter"), ("vcenter", "datacenter", "cluster"),
              ("vcenter", "datacenter", "cluster", "host"), ("vcenter", "datacenter", "cluster", "host", "folder"))


def qualify(group: list[Vm], warnings: list[str]) -> None:
    """Tag each VM of a same-name group with what tells it apart (the fewest placement fields that do)."""
    name = group[0].server["name"]
    rows = ", ".join(str(vm.row) for vm in group)
    keys = [(vm.server.get("vm_uuid"), (vm.place.get("vcenter") or "").casefold()) for vm in group]
    if all(uuid for uuid, _ in keys) and len(set(keys)) == len(keys):
        warnings.append(f"VM name {name!r} is on {len(group)} vInfo rows ({rows}): kept as {len(group)} servers, "
                        f"told apart by their VM UUIDs")
        return
    used: list[str] = []
    labels: list[str] = []
    for fields_ in QUALIFIERS:
        used = [key for key in fields_ if any(vm.place.get(key) for vm in group)]
        labels = ["/".join(vm.place.get(key) or "-" for key in used) for vm in group]
        if len({label.casefold() for label in labels}) == len(group):
            break
    else:  # alike in every placement field: still distinct rows, numbered in file order
        seen: dict[str, int] = {}
        for index, label in enumerate(labels):
            seen[label.casefold()] = seen.get(label.casefold(), 0) + 1
            labels[index] = f"{label}#{seen[label.casefold()]}" if label else f"#{seen[label.casefold()]}"
        used.append("file order")
    for vm, label in zip(group, labels, strict=True):
        vm.server["tags"] = tuple(sorted({**dict(vm.server.get("tags", ())), "name-qualifier": label}.items()))
    warnings.append(f"VM name {name!r} is on {len(group)} vInfo rows ({rows}) with no VM UUID to tell them apart: "
                    f"kept as {len(group)} servers qualified by {'/'.join(used)} ({', '.join(labels)})")
