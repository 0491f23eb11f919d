"""The workspace: one SQLite file (`<workspace>/estate.db`) holding the estate and its history.

- A single file: rollback journal (never WAL), so copying or archiving the workspace is
  copying one file; the directory is created 0700 and the database is kept 0600 whatever the
  umask (the inventory names clinical systems and their owners).
- Versioned schema: `schema_version` lists the applied migrations; `MIGRATIONS` (the SQL
  files in `migrations/`, in order) are applied in one transaction when a workspace opens.
- Every `import_files` call is one `BEGIN IMMEDIATE` transaction: any exception, including
  the `InputError` raised for a mapping file naming an unknown server, rolls everything back.
  The merge rules are in `merge.py`, the import itself in `ingest.py`.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Mapping, Sequence

from infra.errors import CareliftError
from migrate.inventory.model import Application, Dependency, ParsedFile, Server
# The tables' shape one layer down (ingest and edits read it too); re-exported for the callers.
from migrate.inventory.schema import (JSON_COLUMNS, SERVER_COLUMNS, SERVER_FIELDS, BatchSummary,  # noqa: F401
                                      SourceFile, inserted_id, read_servers)
from migrate.inventory.tables.bulk import quiet_gc

DATABASE = "estate.db"
@dataclass(frozen=True)
class PlanRecord:
    """A stored plan; `plan_json` is empty in `Workspace.plans()` listings (only `latest_plan` reads it)."""

    plan_id: int
    created_at: str
    digest: str
    size: int
    """Bytes of the plan JSON (UTF-8)."""
    plan_json: str = ""


@dataclass(frozen=True)
class BatchRecord:
    batch_id: int
    path: str
    sha256: str
    format: str
    imported_at: str
    counts: Mapping[str, int]
    changes: tuple[str, ...]
    undone_by: int | None = None
    """The undo batch that reverted this one (`inventory batches undo`), if any."""


class WorkspaceError(CareliftError):
    """The workspace cannot be used (not a carelift database, newer schema, no permission)."""


def load_migrations() -> tuple[tuple[int, str, str], ...]:
    """(version, name, sql) for every `migrations/NNNN_name.sql`, in version order."""
    folder = resources.files("migrate.inventory") / "migrations"
    found = []
    for entry in folder.iterdir():
        stem, _, suffix = entry.name.partition(".")
        if suffix == "sql":
            number, _, name = stem.partition("_")
            found.append((int(number), name, entry.read_text(encoding="utf-8")))
    found.sort()
    if [v for v, _, _ in found] != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations are not numbered 1..{len(found)}: {[v for v, _, _ in found]}")
    return tuple(found)


MIGRATIONS = load_migrations()
SCHEMA_VERSION = len(MIGRATIONS)


def statements(sql: str):
    """Split a migration into statements (executescript would commit our transaction)."""
    buffer = ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer
            buffer = ""
    if any(line.strip() and not line.strip().startswith("--") for line in buffer.splitlines()):
        raise RuntimeError(f"incomplete SQL statement in a migration: {buffer.strip()[:80]}")


def migrate(connection: sqlite3.Connection, upto: int = SCHEMA_VERSION) -> int:
    """Apply the pending migrations up to `upto` in one transaction; return the version reached."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        connection.execute("CREATE TABLE IF NOT EXISTS schema_version "
                           "(version INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        current = connection.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]
        if current > SCHEMA_VERSION:
            raise WorkspaceError(f"the workspace has schema version {current}, newer than this carelift "
                                 f"knows ({SCHEMA_VERSION}): upgrade carelift")
        for version, name, sql in MIGRATIONS:
            if current < version <= upto:
                for statement in statements(sql):
                    connection.execute(statement)
                connection.execute("INSERT INTO schema_version (version, name) VALUES (?, ?)", (version, name))
                current = version
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return current


def connect(directory: Path) -> sqlite3.Connection:
    """Create the directory (0700) and database file (0600) if needed, and connect to it."""
    if not directory.exists():
        directory.mkdir(mode=0o700, parents=True)
        os.chmod(directory, 0o700)
    elif not directory.is_dir():
        raise WorkspaceError(f"{directory} is not a directory")
    path = directory / DATABASE
    # Created with 0600 before SQLite touches it, then tightened in case an older file is wider.
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    if os.stat(path).st_mode & 0o077:
        os.chmod(path, 0o600)
    connection = sqlite3.connect(path, isolation_level=None, timeout=30)
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("PRAGMA journal_mode = DELETE")
    return connection


class Workspace:
    """The estate database of one workspace directory. Use `Workspace.open(directory)`."""

    def __init__(self, connection: sqlite3.Connection, directory: Path):
        self._connection = connection
        self.directory = directory

    @classmethod
    def open(cls, directory: Path) -> Workspace:
        directory = Path(directory)
        connection = None
        try:
            connection = connect(directory)
            migrate(connection)
        except sqlite3.DatabaseError as error:
            if connection is not None:
                connection.close()
            raise WorkspaceError(f"cannot use {directory / DATABASE} as a carelift workspace: {error}") from error
        except OSError as error:
            raise WorkspaceError(f"cannot open the workspace {directory}: {error.strerror or error}") from error
        except WorkspaceError:
            if connection is not None:
                connection.close()
            raise
        return cls(connection, directory)

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- writing -------------------------------------------------------------------------

    def import_files(self, files: Sequence[tuple[SourceFile, ParsedFile]], *, now: str) -> list[BatchSummary]:
        """Record one batch per file, all in one transaction: on any error nothing changes."""
        from migrate.inventory.ingest import Ingest

        try:
            self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:  # another import holds the write lock past the timeout
            raise WorkspaceError(f"the workspace {self.directory} is busy ({error}); try again") from error
        try:
            with quiet_gc():  # every stored server is indexed in memory, no cycles among them (tables.bulk)
                ingest = Ingest(self._connection, now)
                summaries = [ingest.add_file(source, parsed) for source, parsed in files]
                ingest.finish()
            self._connection.execute("COMMIT")
        except BaseException:
            self._connection.execute("ROLLBACK")
            raise
        return summaries

    def save_plan(self, plan_json: str, digest: str, created_at: str) -> int:
        """Store a computed plan (its JSON text, SHA-256 and creation time); return its id."""
        try:
            cursor = self._connection.execute("INSERT INTO plans (created_at, digest, plan) VALUES (?, ?, ?)",
                                              (created_at, digest, plan_json))
        except sqlite3.OperationalError as error:  # another writer holds the lock past the timeout
            raise WorkspaceError(f"the workspace {self.directory} is busy ({error}); try again") from error
        return inserted_id(cursor)

    # -- reading -------------------------------------------------------------------------

    def latest_plan(self) -> PlanRecord | None:
        """The most recently stored plan with its JSON, or None when no plan was computed yet."""
        row = self._connection.execute("SELECT id, created_at, digest, length(CAST(plan AS BLOB)), plan "
                                       "FROM plans ORDER BY id DESC LIMIT 1").fetchone()
        return PlanRecord(*row) if row else None

    def plans(self) -> list[PlanRecord]:
        """Every stored plan, oldest first, without its JSON (plans of large estates are megabytes)."""
        return [PlanRecord(*row) for row in self._connection.execute(
            "SELECT id, created_at, digest, length(CAST(plan AS BLOB)) FROM plans ORDER BY id")]

    def servers(self) -> list[Server]:
        """Every server, sorted by name (case-insensitively for ASCII letters), then identity."""
        return list(read_servers(self._connection).values())

    def server(self, name: str) -> Server | None:
        """The server called `name` (case-insensitive name, FQDN or VM UUID); None if unknown."""
        key = name.strip().lower()
        row = self._connection.execute(
            "SELECT id FROM servers WHERE lower(name) = ?1 OR lower(fqdn) = ?1 OR lower(vm_uuid) = ?1 "
            "ORDER BY lower(name) = ?1 DESC, lower(name), identity LIMIT 1", (key,)).fetchone()
        return read_servers(self._connection, row[0])[row[0]] if row else None

    def applications(self) -> list[Application]:
        members: dict[int, list[str]] = defaultdict(list)
        for app_id, server in self._connection.execute(
                "SELECT m.application_id, s.name FROM application_servers m JOIN servers s ON s.id = m.server_id "
                "ORDER BY lower(s.name), s.identity"):
            members[app_id].append(server)
        return [Application(name=name, type=type_, vendor=vendor, criticality=criticality,
                            servers=tuple(members[app_id]))
                for app_id, name, type_, vendor, criticality in self._connection.execute(
                    "SELECT id, name, type, vendor, criticality FROM applications ORDER BY key")]

    def dependencies(self, server: str | None = None) -> list[Dependency]:
        """Aggregated edges, sorted; with `server`, only those from or to it (a server name, or
        an external endpoint as recorded)."""
        query = ("SELECT coalesce(s.name, d.source), coalesce(t.name, d.destination), d.port, d.protocol, "
                 "d.process, d.weight, d.first_seen, d.last_seen, d.source_ip, d.destination_ip, d.destination_id "
                 "FROM dependencies d LEFT JOIN servers s ON s.id = d.source_id "
                 "LEFT JOIN servers t ON t.id = d.destination_id")
        params: tuple = ()
        if server is not None:
            found = self._connection.execute(  # an identity names one server even when its name is shared
                "SELECT id FROM servers WHERE identity = ?1 OR lower(name) = ?1 OR lower(fqdn) = ?1 "
                "OR lower(vm_uuid) = ?1 ORDER BY identity = ?1 DESC, lower(name) = ?1 DESC, lower(name), identity "
                "LIMIT 1", (server.strip().lower(),)).fetchone()
            if found:
                query += " WHERE d.source_id = ?1 OR d.destination_id = ?1"
                params = (found[0],)
            else:
                query += " WHERE (d.source_id = 0 AND d.source = ?1) OR (d.destination_id = 0 AND d.destination = ?1)"
                params = (server.strip().lower(),)
        edges = [Dependency(source=row[0], destination=row[1], port=row[2], protocol=row[3], process=row[4],
                            weight=row[5], first_seen=row[6], last_seen=row[7], source_ip=row[8],
                            destination_ip=row[9], destination_resolved=row[10] != 0)
                 for row in self._connection.execute(query, params)]
        edges.sort(key=lambda d: (d.source.lower(), d.destination.lower(), d.port, d.protocol))
        return edges

    def history(self) -> list[BatchRecord]:
        """Every import batch, oldest first, with what it changed ("name: field old → new")."""
        changes: dict[int, list[str]] = defaultdict(list)
        for batch_id, name, field, old, new in self._connection.execute(
                "SELECT batch_id, name, field, old, new FROM changes ORDER BY batch_id, lower(name), identity, id"):
            if field == "*":
                changes[batch_id].append(f"{name}: {new if new in ('removed', 'restored') else 'added'}")
            else:
                changes[batch_id].append(f"{name}: {field} {old if old is not None else '∅'} → "
                                         f"{new if new is not None else '∅'}")
        return [BatchRecord(batch_id=batch_id, path=path, sha256=sha256, format=format_, imported_at=imported_at,
                            counts=json.loads(counts), changes=tuple(changes[batch_id]), undone_by=undone_by)
                for batch_id, path, sha256, format_, imported_at, counts, undone_by in self._connection.execute(
                    "SELECT id, path, sha256, format, imported_at, counts, undone_by FROM batches ORDER BY id")]

    # -- edits (migrate.inventory.edits): each one batch, all or nothing -------------------------

    def candidates(self, key: str) -> list[Server]:
        """The servers `key` (an identity, name, FQDN or VM UUID) names; several when a name is shared."""
        from migrate.inventory.edits import candidates

        return candidates(self._connection, key)

    def rename(self, key: str, new_name: str, *, now: str):
        from migrate.inventory.edits import rename

        return rename(self._connection, key, new_name, now)

    def remove(self, key: str, *, now: str):
        from migrate.inventory.edits import remove

        return remove(self._connection, key, now)

    def undo(self, batch_id: int, *, now: str):
        from migrate.inventory.edits import undo

        return undo(self._connection, batch_id, now)

