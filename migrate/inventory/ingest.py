"""The body of `Workspace.import_files`, run inside its transaction.

Per file: match each incoming server to a stored one, merge (`merge.py`), write what changed
with one `changes` row per field, then aggregate the file's dependency edges into the store.
Problems are collected over every file and raised together as one `InputError` at the end,
so the caller's transaction rolls back and nothing is written.

Matching a server to a stored one: `matching.py`.

Resolving a dependency endpoint: a server name (as above), else an IP address carried by
exactly one server (by one powered-on server when several carry it); anything else stays an
external endpoint, kept lower-cased. Edges still external are resolved again at the end of
every import that added or changed servers. An export whose SHA-256 was already imported is
not counted twice: its edges are skipped with the reason "already imported (batch N)".
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from typing import Any

from migrate.inventory.matching import EstateIndex, is_ip, match, shared_uuid, tag
from migrate.inventory.merge import differences, merge_server, merge_tags
from migrate.inventory.model import Application, InputError, ParsedFile, Problem, Server
from migrate.inventory.schema import SERVER_COLUMNS, BatchSummary, SourceFile, inserted_id, read_servers

UPSERT_EDGE = """
INSERT INTO dependencies (source_id, source, destination_id, destination, port, protocol, process, weight,
                          first_seen, last_seen, source_ip, destination_ip)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (source_id, source, destination_id, destination, port, protocol) DO UPDATE SET
    weight = weight + excluded.weight,
    first_seen = min(coalesce(first_seen, excluded.first_seen), coalesce(excluded.first_seen, first_seen)),
    last_seen = max(coalesce(last_seen, excluded.last_seen), coalesce(excluded.last_seen, last_seen)),
    process = coalesce(excluded.process, process),
    source_ip = coalesce(excluded.source_ip, source_ip),
    destination_ip = coalesce(excluded.destination_ip, destination_ip)
"""
INSERT_DISK = "INSERT INTO disks (server_id, position, label, size_gb, used_gb, shared) VALUES (?, ?, ?, ?, ?, ?)"
INSERT_MEMBER = "INSERT INTO application_servers (application_id, server_id) VALUES (?, ?)"
EDGE_COLUMNS = ("source_id, source, destination_id, destination, port, protocol, process, weight, "
                "first_seen, last_seen, source_ip, destination_ip")


class Ingest:
    def __init__(self, connection: sqlite3.Connection, now: str):
        self.db = connection
        self.now = now
        self.estate = EstateIndex(read_servers(connection))
        for identity, sid in connection.execute("SELECT identity, server_id FROM aliases"):
            # a server renamed with `carelift inventory rename` still answers to its old identity
            if sid in self.estate.servers:
                self.estate.by_identity.setdefault(identity, sid)
        self._refresh_identities()
        self.apps: dict[str, list] = {row[1]: list(row) for row in connection.execute(
            "SELECT id, key, name, type, vendor, criticality FROM applications")}
        self.problems: list[Problem] = []
        self.rejected: set[tuple[str, str]] = set()
        """(file, server name) already reported: an application listing it is not reported again."""
        self.provisional = 0
        self.servers_changed = False
        self.edge_batches: dict[str, int] = {}
        for batch_id, sha256, counts in connection.execute(  # an undone import may be imported again
                "SELECT id, sha256, counts FROM batches WHERE undone_by IS NULL ORDER BY id"):
            if json.loads(counts).get("dependencies"):
                self.edge_batches.setdefault(sha256, batch_id)

    def _refresh_identities(self) -> None:
        """Store each server's identity as `Server.identity` computes it now: a workspace written
        when the identity was the VM UUID alone gets the fuller key before anything is added
        (in two steps, so no two rows ever hold the same identity in between)."""
        stale = [(sid, self.estate.servers[sid].identity) for sid, stored in
                 self.db.execute("SELECT id, identity FROM servers") if sid in self.estate.servers
                 and self.estate.servers[sid].identity != stored]
        if stale:
            self.db.executemany("UPDATE servers SET identity = '~' || id WHERE id = ?", [(sid,) for sid, _ in stale])
            self.db.executemany("UPDATE servers SET identity = ? WHERE id = ?", [(key, sid) for sid, key in stale])

    # -- one file ------------------------------------------------------------------------

    def add_file(self, source: SourceFile, parsed: ParsedFile) -> BatchSummary:
        batch_id = inserted_id(self.db.execute("INSERT INTO batches (path, sha256, format, imported_at, counts) "
                                               "VALUES (?, ?, ?, ?, '{}')",
                                               (source.path, source.sha256, source.format, self.now)))
        before: dict[int, Server | None] = {}
        with_apps: set[int] = set()
        self.warnings: list[str] = []
        self.ambiguous = 0
        for index, incoming in enumerate(parsed.servers):
            self._add_server(incoming, parsed, index, before, with_apps)
        for application in parsed.applications:
            self._add_application(application, parsed, before)
        added, updated, unchanged = self._write_servers(batch_id, before)

        skipped = dict(parsed.skipped)
        if self.ambiguous:
            skipped["ambiguous match"] = self.ambiguous
        edges = self._add_edges(source, parsed, batch_id, skipped)
        app_keys = {a.name.strip().lower() for a in parsed.applications if a.name.strip()}
        app_keys |= {a.strip().lower() for s in parsed.servers for a in s.applications if a.strip()}
        counts = {"added": added, "updated": updated, "unchanged": unchanged, "dependencies": edges,
                  "applications": len(app_keys), **{f"skipped:{reason}": n for reason, n in sorted(skipped.items())}}
        self.db.execute("UPDATE batches SET counts = ? WHERE id = ?", (json.dumps(counts), batch_id))
        return BatchSummary(batch_id=batch_id, path=source.path, format=source.format, added=added,
                            updated=updated, unchanged=unchanged, skipped=skipped, dependencies=edges,
                            applications=len(app_keys), warnings=tuple(self.warnings))

    def finish(self) -> None:
        if self.problems:
            raise InputError(self.problems)
        if self.servers_changed:
            self._resolve_external_edges()

    # -- servers ---------------------------------------------------------------------------

    def _add_server(self, incoming: Server, parsed: ParsedFile, index: int, before: dict, with_apps: set) -> None:
        row = parsed.server_rows[index] if len(parsed.server_rows) == len(parsed.servers) else None
        name = (incoming.name or "").strip()
        if not name:
            self._problem(parsed, row, "a server without a name", "")
            return
        incoming = self._normalise(replace(incoming, name=name) if name != incoming.name else incoming, parsed)
        sid, renamed = self._match(incoming, parsed, row, before)
        if sid is False:
            return
        if sid is None:
            if parsed.mapping_only:
                self._problem(parsed, row, f"server {name!r} is not in the inventory: import the discovery "
                                           "export that lists it (RVTools, Azure Migrate, CMDB) first", name)
                return
            self._warn_shared_uuid(incoming)
            self.provisional -= 1
            sid, server = self.provisional, incoming
            before[sid] = None
        else:
            current = self.estate.servers[sid]
            before.setdefault(sid, current)
            if not renamed and not (tag(incoming, "vcenter") and not tag(current, "vcenter")):
                # Matched by name or UUID and name: the incoming spelling (case, FQDN) is a lookup key, not a
                # rename — except that the vCenter's spelling wins over one from an export without a vCenter,
                # whichever came first, so the name shown does not depend on the import order.
                incoming = replace(incoming, name=current.name)
            server = merge_server(current, incoming, annotate_only=parsed.mapping_only)
            if sid in with_apps and incoming.applications:
                # The same server twice in one file (one row per application): both count.
                both = current.applications + incoming.applications
                server = replace(server, applications=self._canonical_apps(both))
        if incoming.applications:
            with_apps.add(sid)
        self.estate.put(sid, server)

    def _match(self, incoming: Server, parsed: ParsedFile, row: int | None,
               this_file: dict) -> tuple[int | None | bool, bool]:
        """(the stored server `incoming` is, None for a new one, or False after recording a problem
        or a warning; whether the match allows a rename)."""
        found = match(self.estate, incoming, mapping_only=parsed.mapping_only, touched=this_file)
        if not found.candidates:
            return found.sid, found.renamed
        names = sorted(f"{s.name} ({s.vm_uuid or s.fqdn or 'no UUID'}"
                       + (f", {tag(s, 'vcenter')}" if tag(s, "vcenter") else "") + ")"
                       for s in (self.estate.servers[sid] for sid in found.candidates))
        message = f"server {incoming.name!r} matches {len(names)} servers of the inventory: {', '.join(names)}"
        if parsed.mapping_only:
            self._problem(parsed, row, f"{message}; give its FQDN or VM UUID", incoming.name)
        else:  # an update changes a server only when the match is certain
            self.warnings.append(f"row {row}: " * (row is not None) + f"{message}; not applied to any of them "
                                 "(nothing tells which)")
            self.ambiguous += 1
        return False, False

    def _warn_shared_uuid(self, incoming: Server) -> None:
        others = shared_uuid(self.estate, incoming)
        if others:
            listed = ", ".join(s.name + (f" ({tag(s, 'vcenter')})" if tag(s, "vcenter") else "") for s in others)
            where = f" ({tag(incoming, 'vcenter')})" if tag(incoming, "vcenter") else ""
            self.warnings.append(f"{incoming.name}{where} has the VM UUID of {listed}: kept as separate servers "
                                 f"(a clone, replica or restored copy; or a VM renamed outside one vCenter)")

    def _normalise(self, server: Server, parsed: ParsedFile) -> Server:
        """Canonical application names, IPs without blanks or repeats, sorted sources and tags."""
        sources = set(server.sources) if parsed.mapping_only else {*server.sources, parsed.format}
        # Any: four Server fields of different tuple types, passed back to replace() by name.
        values: dict[str, Any] = {
            "applications": self._canonical_apps(server.applications) if server.applications else (),
            "ips": tuple(dict.fromkeys(ip.strip() for ip in server.ips if ip and ip.strip())),
            "sources": tuple(sorted(s for s in sources if s)),
            "tags": merge_tags((), server.tags) if server.tags else ()}
        changed = {k: v for k, v in values.items() if v != getattr(server, k)}
        return replace(server, **changed) if changed else server

    def _write_servers(self, batch_id: int, before: dict[int, Server | None]) -> tuple[int, int, int]:
        added = updated = unchanged = 0
        changes, seen = [], []
        for sid, old in before.items():
            if old is None:
                continue
            new = self.estate.servers[sid]
            diffs = differences(old, new)
            if diffs:
                updated += 1
                self._write_row(sid, new, old, batch_id)
                changes += [(batch_id, sid, new.identity, new.name, field, was, now) for field, was, now in diffs]
            else:
                unchanged += 1
                seen.append((batch_id, sid))
        # New servers in one executemany with the ids SQLite would give them one INSERT at a time (the
        # table has no AUTOINCREMENT: the next rowid is the largest plus one), 50,000 statements fewer.
        insert = (f"INSERT INTO servers (id, identity, {', '.join(SERVER_COLUMNS)}, first_batch, last_batch) "
                  f"VALUES ({', '.join('?' * (len(SERVER_COLUMNS) + 4))})")
        rows, disks, members = [], [], []
        next_id = self.db.execute("SELECT coalesce(max(id), 0) + 1 FROM servers").fetchone()[0]
        for provisional in [sid for sid, old in before.items() if old is None]:
            server = self.estate.servers[provisional]
            sid, next_id = next_id, next_id + 1
            rows.append((sid, server.identity, *row_values(server), batch_id, batch_id))
            self.estate.rekey(provisional, sid)
            disks += [(sid, n, d.label, d.size_gb, d.used_gb, int(d.shared)) for n, d in enumerate(server.disks)]
            members += [(self.apps[name.lower()][0], sid) for name in server.applications]
            changes.append((batch_id, sid, server.identity, server.name, "*", None, "added"))
            added += 1
        self.db.executemany(insert, rows)
        self.db.executemany(INSERT_DISK, disks)
        self.db.executemany(INSERT_MEMBER, members)
        self.db.executemany("UPDATE servers SET last_batch = ? WHERE id = ?", seen)
        self.db.executemany("INSERT INTO changes (batch_id, server_id, identity, name, field, old, new) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?)", changes)
        self.servers_changed |= bool(added or updated)
        return added, updated, unchanged

    def _write_row(self, sid: int, server: Server, old: Server, batch_id: int) -> None:
        assignments = ", ".join(f"{column} = ?" for column in SERVER_COLUMNS)
        self.db.execute(f"UPDATE servers SET identity = ?, {assignments}, last_batch = ? WHERE id = ?",
                        (server.identity, *row_values(server), batch_id, sid))
        if old.disks != server.disks:
            self.db.execute("DELETE FROM disks WHERE server_id = ?", (sid,))
            self.db.executemany(INSERT_DISK, [(sid, n, d.label, d.size_gb, d.used_gb, int(d.shared))
                                              for n, d in enumerate(server.disks)])
        if old.applications != server.applications:
            self.db.execute("DELETE FROM application_servers WHERE server_id = ?", (sid,))
            self.db.executemany(INSERT_MEMBER, [(self.apps[name.lower()][0], sid) for name in server.applications])

    # -- applications --------------------------------------------------------------------

    def _canonical_apps(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """Application names as first recorded (creating unknown ones), de-duplicated, sorted."""
        keys = sorted({name.strip().lower(): name.strip() for name in names if name and name.strip()}.items())
        for key, name in keys:
            if key not in self.apps:
                self._insert_app(Application(name=name))
        return tuple(self.apps[key][2] for key, _ in keys)

    def _insert_app(self, app: Application) -> None:
        key, name = app.name.strip().lower(), app.name.strip()
        app_id = inserted_id(self.db.execute("INSERT INTO applications (key, name, type, vendor, criticality) "
                                             "VALUES (?, ?, ?, ?, ?)",
                                             (key, name, app.type or "other", app.vendor, app.criticality)))
        self.apps[key] = [app_id, key, name, app.type or "other", app.vendor, app.criticality]

    def _add_application(self, app: Application, parsed: ParsedFile, before: dict) -> None:
        key = app.name.strip().lower()
        if not key:
            self._problem(parsed, None, "an application without a name")
            return
        if key not in self.apps:
            self._insert_app(app)
        else:
            record = self.apps[key]
            merged = [app.type if app.type and app.type != "other" else record[3],
                      app.vendor or record[4], app.criticality if app.criticality is not None else record[5]]
            if merged != record[3:]:
                record[3:] = merged
                self.db.execute("UPDATE applications SET type = ?, vendor = ?, criticality = ? WHERE id = ?",
                                (*merged, record[0]))
        for member in app.servers:
            if (parsed.path, member.strip().lower()) in self.rejected:
                continue
            found = self.estate.find(member)
            if len(found) != 1:
                self._problem(parsed, None, f"application {app.name!r} lists server {member!r}, which "
                                            f"{'matches several servers' if found else 'is not in the inventory'}")
                continue
            sid = found.pop()
            current = self.estate.servers[sid]
            before.setdefault(sid, current)
            self.estate.put(sid, replace(current, applications=self._canonical_apps((*current.applications, app.name))))

    # -- dependencies --------------------------------------------------------------------

    def _add_edges(self, source: SourceFile, parsed: ParsedFile, batch_id: int, skipped: dict) -> int:
        if not parsed.dependencies:
            return 0
        if source.sha256 in self.edge_batches:
            skipped[f"already imported (batch {self.edge_batches[source.sha256]})"] = len(parsed.dependencies)
            return 0
        self.edge_batches[source.sha256] = batch_id
        edges: dict[tuple, list] = {}
        for d in parsed.dependencies:
            key = (*self._endpoint(d.source, d.source_ip), *self._endpoint(d.destination, d.destination_ip),
                   int(d.port), (d.protocol or "tcp").strip().lower())
            values = [d.process or None, int(d.weight), d.first_seen, d.last_seen, d.source_ip, d.destination_ip]
            if key in edges:
                values = combine(edges[key], values)
            edges[key] = values
        self.db.executemany(UPSERT_EDGE, [(*key, *values) for key, values in edges.items()])
        return len(parsed.dependencies)

    def _endpoint(self, name: str | None, address: str | None) -> tuple[int, str]:
        """(server id, "") for an inventory server, else (0, the lower-cased name or address)."""
        name, address = (name or "").strip(), (address or "").strip()
        if name and not is_ip(name):
            found = self.estate.find(name)
            if len(found) == 1:
                return found.pop(), ""
        for candidate in (address, name if is_ip(name) else ""):
            if candidate and (sid := self.estate.find_by_ip(candidate)) is not None:
                return sid, ""
        return 0, (name or address or "unknown").lower()

    def _resolve_external_edges(self) -> None:
        moved = []
        for row in self.db.execute(f"SELECT id, {EDGE_COLUMNS} FROM dependencies "
                                   "WHERE source_id = 0 OR destination_id = 0").fetchall():
            edge_id, source_id, source, destination_id, destination, port, protocol, *values = row
            source_ip, destination_ip = values[4], values[5]
            new_source = (source_id, source) if source_id else self._endpoint(source, source_ip)
            new_destination = ((destination_id, destination) if destination_id
                               else self._endpoint(destination, destination_ip))
            if (*new_source, *new_destination) != (source_id, source, destination_id, destination):
                self.db.execute("DELETE FROM dependencies WHERE id = ?", (edge_id,))
                moved.append((*new_source, *new_destination, port, protocol, *values))
        self.db.executemany(UPSERT_EDGE, moved)

    def _problem(self, parsed: ParsedFile, row: int | None, message: str, server: str | None = None) -> None:
        if server is not None:
            self.rejected.add((parsed.path, server.strip().lower()))
        self.problems.append(Problem(file=parsed.path, message=message, row=row,
                                     column="server" if row is not None else None))


def row_values(server: Server) -> list:
    """The `servers` columns of `server`, in SERVER_COLUMNS order (tuples as JSON)."""
    values = [getattr(server, column) for column in SERVER_COLUMNS]
    for position in JSON_POSITIONS:
        values[position] = _to_json(values[position])
    values[TEMPLATE_POSITION] = int(values[TEMPLATE_POSITION])
    return values


JSON_POSITIONS = tuple(SERVER_COLUMNS.index(name) for name in ("ips", "sources", "tags"))
_to_json = json.JSONEncoder(ensure_ascii=False).encode
"""json.dumps(value, ensure_ascii=False), without building an encoder per call (json.dumps does
for any non-default option): three per stored server."""
TEMPLATE_POSITION = SERVER_COLUMNS.index("template")


def combine(a: list, b: list) -> list:
    """Two observations of one edge: weights add, first/last seen widen, the later process and IPs win."""
    return [b[0] or a[0], a[1] + b[1],
            min((x for x in (a[2], b[2]) if x), default=None), max((x for x in (a[3], b[3]) if x), default=None),
            b[4] or a[4], b[5] or a[5]]
