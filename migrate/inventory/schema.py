"""The estate tables as Python reads and writes them: server columns, the records of an import,
and reading servers back with their disks and applications.

The layer below the workspace (`store.py`), the import (`ingest.py`) and the edits (`edits.py`),
so the workspace can call those two without an import cycle.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, fields
from typing import Mapping

from migrate.inventory.model import Disk, Server
from migrate.inventory.tables.bulk import quiet_gc

JSON_COLUMNS = ("ips", "sources", "tags")
SERVER_FIELDS = tuple(f.name for f in fields(Server))
SERVER_COLUMNS = tuple(name for name in SERVER_FIELDS if name not in ("disks", "applications"))


def inserted_id(cursor: sqlite3.Cursor) -> int:
    """The rowid the INSERT just run on `cursor` gave its row (sqlite3 leaves `lastrowid` None only
    when no row was inserted, which an INSERT without a conflict clause never does)."""
    rowid = cursor.lastrowid
    if rowid is None:
        raise RuntimeError("the INSERT inserted no row")
    return rowid


@dataclass(frozen=True)
class SourceFile:
    path: str
    sha256: str
    format: str


@dataclass(frozen=True)
class BatchSummary:
    batch_id: int
    path: str
    format: str
    added: int
    updated: int
    unchanged: int
    skipped: Mapping[str, int]
    dependencies: int
    applications: int
    warnings: tuple[str, ...] = ()
    """What the import did not apply, or applied with a caveat (e.g. servers sharing a VM UUID)."""


def read_servers(connection: sqlite3.Connection, server_id: int | None = None) -> dict[int, Server]:
    """Servers by row id, with their disks and application names (one server when `server_id`),
    in name order (case-insensitive for ASCII letters), then identity.

    Hot path of `inventory list` (50,000 servers ≤ 3 s): Server fields are passed by position,
    and equal disks, source lists and tag lists share one immutable instance; the cyclic collector
    waits until they are all built (`tables.bulk.quiet_gc`).
    """
    with quiet_gc():
        return _read_servers(connection, server_id)


def _read_servers(connection: sqlite3.Connection, server_id: int | None) -> dict[int, Server]:
    one = server_id is not None
    params = (server_id,) if one else ()
    disks: dict[int, list[Disk]] = defaultdict(list)
    same_disk: dict[tuple, Disk] = {}
    for sid, *values in connection.execute(
            "SELECT server_id, label, size_gb, used_gb, shared FROM disks "
            f"{'WHERE server_id = ?' if one else ''} ORDER BY server_id, position", params):
        key = tuple(values)
        disk = same_disk.get(key)
        if disk is None:
            disk = same_disk[key] = Disk(values[0], values[1], values[2], bool(values[3]))
        disks[sid].append(disk)
    applications: dict[int, list[str]] = defaultdict(list)
    for sid, name in connection.execute(
            "SELECT m.server_id, a.name FROM application_servers m JOIN applications a ON a.id = m.application_id "
            f"{'WHERE m.server_id = ?' if one else ''} ORDER BY a.key", params):
        applications[sid].append(name)

    decoded: dict[str, tuple] = {"[]": ()}

    def decode(text: str) -> tuple:
        value = decoded.get(text)
        if value is None:
            if text.startswith('["') and "\\" not in text:
                # A list of strings without escapes (IPs): no string can hold '", "', so split.
                return tuple(text[2:-2].split('", "'))
            value = tuple(tuple(v) if isinstance(v, list) else v for v in json.loads(text))
            if len(decoded) < 10_000:
                decoded[text] = value
        return value

    servers = {}
    columns = ", ".join("NULL" if name in ("disks", "applications") else name for name in SERVER_FIELDS)
    ips, disk_pos, template, sources, apps, tags = (SERVER_FIELDS.index(name) for name in (
        "ips", "disks", "template", "sources", "applications", "tags"))
    no_items: list = []
    for sid, *values in connection.execute(f"SELECT id, {columns} FROM servers {'WHERE id = ?' if one else ''} "
                                           "ORDER BY lower(name), identity", params):
        values[ips] = decode(values[ips])
        values[disk_pos] = tuple(disks.get(sid, no_items))
        values[template] = bool(values[template])
        values[sources] = decode(values[sources])
        values[apps] = tuple(applications.get(sid, no_items))
        values[tags] = decode(values[tags])
        servers[sid] = Server(*values)
    return servers
