"""Acting on the estate's history: rename a server, remove one, undo a batch.

Each edit is a batch like an import (`batches.format` rename, remove or undo), recorded in
`inventory history` with what it changed, and one `BEGIN IMMEDIATE` transaction: on any error
nothing changes. What a batch did to each row is in `undo_log` (written by the triggers of
migration 0004), which is what `undo` replays backwards:

- a batch can be undone while no later batch that is still in effect touched the same rows
  (undo those first, newest first); otherwise the undo is refused naming them;
- an undo is itself a batch, so undoing it puts the batch back;
- a server's `last_batch` (the last import that saw it, changed or not) is rewound too: an import
  that saw a server unchanged logged that (migration 0006), so it counts as a later batch that
  touched the server, like one that changed it.

Every log row belongs to the newest batch when it is written, and batches are never deleted, so
the log is in batch order: a batch's rows are one range of ids (`_log_range`, by bisection) and
the rows of later batches are the ids after it. No index is kept for either question: the two
there were cost a third of a 50,000-server import's store time (1.6 s CPU), and an undo reads
only the range it needs and, for the conflict check, the rows after it.

The planner's advice for servers sharing a name is "rename all but one": `rename` takes the
server's identity (shown by `inventory show` when a name is ambiguous) and refuses a name
another server already has. The identity it had stays an alias (migration 0005), so importing
the export that named it again updates the renamed server and keeps the new name.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, replace

from infra.errors import CareliftError
from migrate.inventory.merge import differences
from migrate.inventory.model import Server
from migrate.inventory.schema import inserted_id, read_servers


class EditError(CareliftError):
    """The edit cannot be made (an unknown or ambiguous server, a name in use, a conflicting batch)."""

    def __init__(self, message: str, details: tuple[str, ...] = ()):
        super().__init__(message)
        self.details = details
        self.problems = details


@dataclass(frozen=True)
class EditResult:
    batch_id: int
    summary: str
    changes: tuple[str, ...] = ()


def candidates(connection: sqlite3.Connection, key: str) -> list[Server]:
    """The servers `key` names: the one with that identity, else every server whose name, FQDN or VM
    UUID it is (case-insensitive), in name order."""
    key = key.strip().lower()
    rows = connection.execute("SELECT id FROM servers WHERE identity = ?", (key,)).fetchall()
    if not rows:
        rows = connection.execute("SELECT id FROM servers WHERE lower(name) = ?1 OR lower(fqdn) = ?1 "
                                  "OR lower(vm_uuid) = ?1", (key,)).fetchall()
    found = [read_servers(connection, sid)[sid] for (sid,) in rows]
    return sorted(found, key=lambda s: (s.name.lower(), s.identity))


def describe(server: Server) -> str:
    """One line telling same-named servers apart: identity, UUID, FQDN, cluster, sources."""
    facts = [f"identity {server.identity!r}"]
    facts += [f"{label} {value}" for label, value in (("VM UUID", server.vm_uuid), ("FQDN", server.fqdn),
                                                      ("cluster", server.cluster), ("owner", server.owner)) if value]
    facts.append(f"seen in {', '.join(server.sources) or 'no source'}")
    return f"{server.name}: {'; '.join(facts)}"


def one(connection: sqlite3.Connection, key: str) -> Server:
    """The single server `key` names; EditError listing the candidates when it names several."""
    found = candidates(connection, key)
    if not found:
        raise EditError(f"no server {key!r} in the inventory")
    if len(found) > 1:
        raise EditError(f"{key!r} names {len(found)} servers: give one's identity (in quotes) instead",
                        tuple(describe(s) for s in found))
    return found[0]


def _server_id(connection: sqlite3.Connection, server: Server) -> int:
    return connection.execute("SELECT id FROM servers WHERE identity = ?", (server.identity,)).fetchone()[0]


def _begin(connection: sqlite3.Connection) -> None:
    try:
        connection.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        raise EditError(f"the workspace is busy ({error}); try again") from error


def _batch(connection: sqlite3.Connection, what: str, kind: str, now: str) -> int:
    return inserted_id(connection.execute("INSERT INTO batches (path, sha256, format, imported_at, counts) "
                                          "VALUES (?, '', ?, ?, '{}')", (what, kind, now)))


def _run(connection: sqlite3.Connection, work) -> EditResult:
    _begin(connection)
    try:
        result = work()
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return result


def rename(connection: sqlite3.Connection, key: str, new_name: str, now: str) -> EditResult:
    """Rename the server `key` names to `new_name` (a server name, validated as importers do)."""
    from migrate.inventory.importers.fields import host_name

    try:
        short, _ = host_name(new_name)
    except ValueError as error:
        raise EditError(f"cannot rename to {new_name[:80]!r}: {error}") from None
    if short != new_name.strip():
        raise EditError(f"cannot rename to {new_name[:80]!r}: give the short name ({short!r}); the FQDN is kept")

    def work() -> EditResult:
        server = one(connection, key)
        sid = _server_id(connection, server)
        if short == server.name:
            raise EditError(f"{server.name!r} is already called that")
        taken = [s for s in candidates(connection, short) if s.name.lower() == short.lower() and s != server]
        if taken:
            raise EditError(f"another server is already named {short!r}: pick a name no server has",
                            tuple(describe(s) for s in taken))
        renamed = replace(server, name=short)
        batch = _batch(connection, f"{server.name} ({server.identity}) to {short}", "rename", now)
        try:
            connection.execute("UPDATE servers SET name = ?, identity = ? WHERE id = ?",
                               (short, renamed.identity, sid))
        except sqlite3.IntegrityError:
            raise EditError(f"another server already has the identity {renamed.identity!r}") from None
        # The export that named it still does: its identity then finds the renamed server (ingest).
        connection.execute("INSERT OR REPLACE INTO aliases (identity, server_id) VALUES (?, ?)",
                           (server.identity, sid))
        connection.execute("DELETE FROM aliases WHERE identity = ?", (renamed.identity,))
        connection.execute("INSERT INTO changes (batch_id, server_id, identity, name, field, old, new) "
                           "VALUES (?, ?, ?, ?, 'name', ?, ?)", (batch, sid, renamed.identity, short, server.name, short))
        connection.execute("UPDATE batches SET counts = ? WHERE id = ?", (json.dumps({"renamed": 1}), batch))
        return EditResult(batch, f"renamed {server.name} ({server.identity}) to {short} ({renamed.identity})",
                          (f"{short}: name {server.name} → {short}",))

    return _run(connection, work)


def remove(connection: sqlite3.Connection, key: str, now: str) -> EditResult:
    """Remove the server `key` names, with its disks, application memberships and dependency edges."""

    def work() -> EditResult:
        server = one(connection, key)
        sid = _server_id(connection, server)
        batch = _batch(connection, f"{server.name} ({server.identity})", "remove", now)
        edges = connection.execute("DELETE FROM dependencies WHERE source_id = ?1 OR destination_id = ?1",
                                   (sid,)).rowcount
        connection.execute("DELETE FROM disks WHERE server_id = ?", (sid,))
        connection.execute("DELETE FROM application_servers WHERE server_id = ?", (sid,))
        connection.execute("DELETE FROM aliases WHERE server_id = ?", (sid,))
        connection.execute("DELETE FROM servers WHERE id = ?", (sid,))
        connection.execute("INSERT INTO changes (batch_id, server_id, identity, name, field, old, new) "
                           "VALUES (?, ?, ?, ?, '*', NULL, 'removed')", (batch, sid, server.identity, server.name))
        connection.execute("UPDATE batches SET counts = ? WHERE id = ?",
                           (json.dumps({"removed": 1, "dependency edges removed": edges}), batch))
        return EditResult(batch, f"removed {server.name} ({server.identity}) and {edges} dependency edges",
                          (f"{server.name}: removed",))

    return _run(connection, work)


def undo(connection: sqlite3.Connection, batch_id: int, now: str) -> EditResult:
    """Undo batch `batch_id`: every row it inserted, updated or deleted is put back as it was."""

    def work() -> EditResult:
        row = connection.execute("SELECT format, path, undone_by FROM batches WHERE id = ?", (batch_id,)).fetchone()
        if row is None:
            raise EditError(f"no batch {batch_id} (see `carelift inventory history`)")
        kind, path, undone_by = row
        if undone_by is not None:
            raise EditError(f"batch {batch_id} was already undone by batch {undone_by} (undo that one to put it back)")
        start, end = _log_range(connection, batch_id)
        log = connection.execute("SELECT tbl, op, row_id, old FROM undo_log WHERE id >= ? AND id < ? ORDER BY id DESC",
                                 (start, end)).fetchall()
        later = _conflicting_batches(connection, batch_id, start, end)
        if later:
            raise EditError(f"later batches changed the same rows (or saw the same servers): undo them first, "
                            f"newest first (batches {', '.join(map(str, later))})")
        batch = _batch(connection, f"batch {batch_id} ({kind} {path})", "undo", now)
        touched = {r for tbl, _, r, old in log if tbl == "servers"} | {
            json.loads(old)["server_id"] for tbl, _, _, old in log if tbl in ("disks", "application_servers") and old}
        touched |= {sid for tbl, op, r, _ in log if tbl in ("disks", "application_servers") and op == "insert"
                    for (sid,) in connection.execute(f"SELECT server_id FROM {tbl} WHERE rowid = ?", (r,))}
        before = {sid: s for sid, s in read_servers(connection).items() if sid in touched}
        try:
            for tbl, op, row_id, old in log:
                _revert(connection, tbl, op, row_id, old)
        except sqlite3.IntegrityError as error:
            raise EditError(f"cannot undo batch {batch_id}: what it changed no longer fits the estate ({error}); "
                            "undo the later batches that conflict first") from None
        after = {sid: s for sid, s in read_servers(connection).items() if sid in touched}
        changes = _record_changes(connection, batch, before, after)
        # Servers the batch only saw unchanged: nothing to list, but their last-seen batch moved back.
        rewound = {r for tbl, _, r, old in log if tbl == "servers" and old and old.startswith(_SEEN)} - changes.keys()
        connection.execute("UPDATE batches SET undone_by = ? WHERE id = ?", (batch, batch_id))
        counts = {"undone": batch_id, "rows": len(log), "servers": len(changes)}
        if rewound:
            counts["last seen rewound"] = len(rewound)
        connection.execute("UPDATE batches SET counts = ? WHERE id = ?", (json.dumps(counts), batch))
        summary = (f"undid batch {batch_id} ({kind} {path}): {len(log)} rows put back, {len(changes)} servers changed"
                   + (f", {len(rewound)} it had only seen (their last-seen batch put back)" if rewound else ""))
        return EditResult(batch, summary, tuple(line for lines in changes.values() for line in lines))

    return _run(connection, work)


def _log_range(connection: sqlite3.Connection, batch_id: int) -> tuple[int, int]:
    """The undo_log ids [start, end) of what batch `batch_id` wrote: the log is in batch order."""
    return _split(connection, batch_id), _split(connection, batch_id + 1)


def _split(connection: sqlite3.Connection, batch_id: int) -> int:
    """An id splitting the log into the rows of batches before `batch_id` (ids below it) and
    those of `batch_id` and later (ids from it on); bisected over the ids, gaps allowed."""
    low, high = 1, connection.execute("SELECT coalesce(max(id), 0) + 1 FROM undo_log").fetchone()[0]
    # Rows with an id below `low` are of earlier batches; rows from `high` on are of batch_id or later.
    while low < high:
        middle = (low + high) // 2
        # A row from `middle` on exists: middle < high <= the largest id + 1.
        row_id, batch = connection.execute("SELECT id, batch_id FROM undo_log WHERE id >= ? ORDER BY id LIMIT 1",
                                           (middle,)).fetchone()
        if batch < batch_id:
            low = row_id + 1
        else:
            high = middle
    return low


def _conflicting_batches(connection: sqlite3.Connection, batch_id: int, start: int, end: int) -> list[int]:
    """Later batches still in effect that wrote a row batch `batch_id` wrote (its log ids [start,
    end)), newest first: the log rows after its range are the later batches'. An undo of a batch
    later than `batch_id` is not one: it only put those rows back as `batch_id` left them."""
    found = []
    for later, kind, counts in connection.execute(
            "SELECT DISTINCT b.id, b.format, b.counts FROM undo_log other JOIN batches b ON b.id = other.batch_id "
            "WHERE other.id >= ?2 AND b.undone_by IS NULL AND (other.tbl, other.row_id) IN "
            "(SELECT tbl, row_id FROM undo_log WHERE id >= ?1 AND id < ?2) ORDER BY b.id DESC", (start, end)):
        if kind == "undo" and json.loads(counts).get("undone", 0) > batch_id:
            continue
        found.append(later)
    return found


_SEEN = '{"last_batch":'
"""How servers_logged_seen (migration 0006) records an import seeing a server unchanged: its old
last_batch alone (a whole row logged by servers_logged_update starts with its id)."""

_KEYS = {"servers": "id", "applications": "id", "dependencies": "id", "disks": "rowid", "application_servers": "rowid",
         "aliases": "rowid"}


def _revert(connection: sqlite3.Connection, table: str, op: str, row_id: int, old: str | None) -> None:
    key = _KEYS[table]  # the table name comes from the log the triggers write, never from input
    if op == "insert":
        connection.execute(f"DELETE FROM {table} WHERE {key} = ?", (row_id,))
        return
    if old is None:  # the undo_log triggers record the old row of every update and delete
        raise RuntimeError(f"undo_log holds no old row for the {op} of {table} row {row_id}")
    values = json.loads(old)
    values.pop(key, None)
    columns = list(values)
    if op == "update":
        assignments = ", ".join(f"{column} = ?" for column in columns)
        connection.execute(f"UPDATE {table} SET {assignments} WHERE {key} = ?", (*values.values(), row_id))
    else:
        connection.execute(f"INSERT INTO {table} ({key}, {', '.join(columns)}) VALUES "
                           f"({', '.join('?' * (len(columns) + 1))})", (row_id, *values.values()))


def _record_changes(connection: sqlite3.Connection, batch: int, before: dict[int, Server],
                    after: dict[int, Server]) -> dict[int, list[str]]:
    rows: list[tuple[int, int, str, str, str, str | None, str | None]] = []
    lines: defaultdict[int, list[str]] = defaultdict(list)
    for sid in sorted(before.keys() | after.keys()):
        old, new = before.get(sid), after.get(sid)  # at least one of them: sid comes from their keys
        if old is None and new is not None:
            rows.append((batch, sid, new.identity, new.name, "*", None, "restored"))
            lines[sid].append(f"{new.name}: restored")
        elif old is not None and new is None:
            rows.append((batch, sid, old.identity, old.name, "*", None, "removed"))
            lines[sid].append(f"{old.name}: removed")
        elif old is not None and new is not None:
            for field, was, now in differences(old, new):
                rows.append((batch, sid, new.identity, new.name, field, was, now))
                lines[sid].append(f"{new.name}: {field} {was if was is not None else '∅'} → "
                                  f"{now if now is not None else '∅'}")
    connection.executemany("INSERT INTO changes (batch_id, server_id, identity, name, field, old, new) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    return lines
