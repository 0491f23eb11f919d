"""Which stored server an incoming one is: the estate index and the matching rules.

Pure functions over `Server` and `EstateIndex`; `ingest.py` applies them inside its transaction.

An update changes a server only when the match is certain, and the result does not depend on
the order of the imports. A VM UUID alone is not certain: clones,
replicas and restored copies carry their original's (`iasimov` running in one vCenter and
its powered-off copy `iasimov_old` in another share it). The vCenter is the tag `vcenter`
(RVTools' `VI SDK Server`); see `Server.identity`.
1. the server with the same identity (vCenter, VM UUID, name, name qualifier);
2. the same vCenter and VM UUID under another name: the VM was renamed (unless this file
   already gave that server: then they are two VMs);
3. the same VM UUID and name, vCenters not contradicting (one side may lack it);
4. the same name (or FQDN, or short name, see `EstateIndex.find`) with nothing contradicting:
   not two different vCenters, name qualifiers or VM UUIDs (a server known by name adopts the
   UUID a later export gives: a CMDB row imported before RVTools);
5. else a new server.
When rule 3 or 4 finds several servers, nothing is changed (`Match.candidates`): the importer
makes that a problem for a mapping file (it names its server some other way) and a warning
for any other file, whose row is skipped. A new server whose VM UUID another server already
carries (`shared_uuid`) gets a warning: two servers (a clone, replica or restored copy, or a VM
renamed outside one vCenter).
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from dataclasses import dataclass

from migrate.inventory.model import Server


def is_ip(text: str) -> bool:
    if ":" not in text and not (text[:1].isdigit() and text.count(".") == 3):
        return False  # the common case, a host name, without the cost of ipaddress
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


class EstateIndex:
    """Servers by row id, with the lookups an import needs: identity, name/FQDN, short name, IP."""

    def __init__(self, servers: dict[int, Server]):
        self.servers: dict[int, Server] = {}
        self.by_identity: dict[str, int] = {}
        self.exact: dict[str, set[int]] = defaultdict(set)
        self.short: dict[str, set[int]] = defaultdict(set)
        self.by_ip: dict[str, set[int]] = defaultdict(set)
        self.by_uuid: dict[str, set[int]] = defaultdict(set)
        self._keys: dict[int, tuple] = {}
        for sid, server in servers.items():
            self.put(sid, server)

    def put(self, sid: int, server: Server) -> None:
        previous = self.servers.get(sid)
        if previous is not None and (previous.identity, previous.name, previous.fqdn, previous.ips,
                                     previous.vm_uuid) == \
                (server.identity, server.name, server.fqdn, server.ips, server.vm_uuid):
            self.servers[sid] = server  # same lookup keys: the indexes stand
            return
        self.remove(sid)
        exact = {key.strip().lower() for key in (server.name, server.fqdn) if key and key.strip()}
        short = {key.split(".", 1)[0] for key in exact if not is_ip(key)}
        ips = {ip.strip().lower() for ip in server.ips}
        uuids = {server.vm_uuid.strip().lower()} if server.vm_uuid else set()
        self.servers[sid] = server
        self.by_identity[server.identity] = sid
        for index, keys in ((self.exact, exact), (self.short, short), (self.by_ip, ips), (self.by_uuid, uuids)):
            for key in keys:
                index[key].add(sid)
        self._keys[sid] = (server.identity, exact, short, ips, uuids)

    def remove(self, sid: int) -> Server | None:
        if sid not in self._keys:
            return None
        identity, exact, short, ips, uuids = self._keys.pop(sid)
        if self.by_identity.get(identity) == sid:
            del self.by_identity[identity]
        for index, keys in ((self.exact, exact), (self.short, short), (self.by_ip, ips), (self.by_uuid, uuids)):
            for key in keys:
                index[key].discard(sid)
        return self.servers.pop(sid)

    def rekey(self, old: int, new: int) -> None:
        keys = self._keys.pop(old)
        identity, exact, short, ips, uuids = self._keys[new] = keys
        self.servers[new] = self.servers.pop(old)
        self.by_identity[identity] = new
        for index, found in ((self.exact, exact), (self.short, short), (self.by_ip, ips), (self.by_uuid, uuids)):
            for key in found:
                index[key].discard(old)
                index[key].add(new)

    def find(self, name: str) -> set[int]:
        """Servers called `name`: exact name or FQDN; else for a dotted name, a server of that
        short name whose domain is unknown (no FQDN); else for a short name, the servers whose
        name or FQDN starts with it. Case-insensitive."""
        key = name.strip().lower()
        if not key:
            return set()
        if self.exact.get(key):
            return set(self.exact[key])
        if is_ip(key):
            return set()
        if "." in key:
            return {sid for sid in self.exact.get(key.split(".", 1)[0], ()) if not self.servers[sid].fqdn}
        return set(self.short.get(key, ()))

    def find_by_ip(self, address: str) -> int | None:
        found = self.by_ip.get(address.strip().lower(), set())
        if len(found) > 1:
            found = {sid for sid in found if self.servers[sid].power_state == "on"}
        return next(iter(found)) if len(found) == 1 else None


@dataclass(frozen=True)
class Match:
    sid: int | None
    """The stored server, or None for a new one."""
    renamed: bool = False
    """The match is certain without the name (same vCenter and VM UUID): the incoming name is a rename."""
    candidates: tuple[int, ...] = ()
    """Several servers fit and nothing tells which: none may change."""


def tag(server: Server, key: str) -> str | None:
    """A tag's value, trimmed and lower-cased (for comparison), or None."""
    for name, value in server.tags:
        if name == key:
            return value.strip().lower() or None
    return None


def compatible(stored: Server, vcenter: str | None, qualifier: str | None, uuid: str | None) -> bool:
    """False when something says `stored` is another VM: another vCenter, name qualifier or VM UUID."""
    for value, other in ((vcenter, tag(stored, "vcenter")), (qualifier, tag(stored, "name-qualifier")),
                         (uuid, stored.vm_uuid.strip().lower() if stored.vm_uuid else None)):
        if value and other and value != other:
            return False
    return True


def match(estate: EstateIndex, incoming: Server, *, mapping_only: bool = False, touched=()) -> Match:
    """The rules in the module docstring; `touched`: servers this file already gave (they are other VMs)."""
    sid = estate.by_identity.get(incoming.identity)
    if sid is not None:
        return Match(sid)
    vcenter, qualifier = tag(incoming, "vcenter"), tag(incoming, "name-qualifier")
    uuid = incoming.vm_uuid.strip().lower() if incoming.vm_uuid and not mapping_only else None
    named = estate.find(incoming.name)
    if uuid:
        if vcenter:
            renamed = [s for s in estate.by_uuid.get(uuid, ()) if tag(estate.servers[s], "vcenter") == vcenter
                       and s not in touched]
            if len(renamed) == 1:
                return Match(renamed[0], renamed=True)
        named = {s for s in named if compatible(estate.servers[s], vcenter, qualifier, uuid)}
        found = {s for s in named if estate.servers[s].vm_uuid} or named
    else:
        found = {s for s in named if compatible(estate.servers[s], vcenter, qualifier, None)}
    if len(found) > 1:
        exact = {s for s in found if vcenter and tag(estate.servers[s], "vcenter") == vcenter}
        found = exact if len(exact) == 1 else found
    if len(found) > 1:
        return Match(None, candidates=tuple(sorted(found)))
    return Match(found.pop() if found else None)


def shared_uuid(estate: EstateIndex, incoming: Server) -> list[Server]:
    """The stored servers already carrying `incoming`'s VM UUID (clones, replicas, copies), by name."""
    uuid = incoming.vm_uuid.strip().lower() if incoming.vm_uuid else None
    if not uuid:
        return []
    return sorted((estate.servers[s] for s in estate.by_uuid.get(uuid, ())), key=lambda s: (s.name.lower(),
                                                                                           s.identity))
