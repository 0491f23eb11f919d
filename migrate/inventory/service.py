"""The inventory's workflows as functions: what `carelift inventory` and `carelift deps` do, without click.

    result = import_inventory(Path(".carelift"), [Path("rvtools.xlsx"), Path("cmdb.csv")])
    servers = list_servers(Path(".carelift"), parse_filters(["environment=prd"])).servers
    view = connections(Path(".carelift"), "ehr-web01")

Each function opens the workspace in `directory`, does one thing and returns a dataclass (or the
store's records). Nothing here prints; a user's mistake raises an `infra.errors.CareliftError`
whose title and problems are what the CLI prints. Imports are all or nothing: every file is parsed
first, and the files are stored in one transaction only when none has a problem.
"""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from infra.errors import CareliftError
from migrate.inventory.edits import EditResult, describe
from migrate.inventory.filters import Filter, matches
from migrate.inventory.model import Application, Dependency, InputError, ParsedFile, Problem, Server
from migrate.inventory.names import printable_path
from migrate.inventory.quality import QualityReport, assess
from migrate.inventory.stats import EstateStats, estate_stats
from migrate.inventory.store import DATABASE, BatchRecord, BatchSummary, SourceFile, Workspace, WorkspaceError


class NoInventory(CareliftError):
    """The workspace directory holds no estate database (nothing imported yet, or the wrong directory)."""


class AmbiguousServer(CareliftError):
    """A name several servers share, where one server is meant: the problems tell them apart."""

    def __init__(self, key: str, servers: Sequence[Server]):
        super().__init__(f"{key!r} names {len(servers)} servers; give one's identity instead (in quotes), or "
                         "rename all but one with `carelift inventory rename IDENTITY NEW-NAME`")
        self.problems = tuple(describe(s) for s in servers)


class UnknownServer(CareliftError):
    """Nothing in the workspace is called `key` (the CLI words it with a hint how to search)."""

    def __init__(self, key: str):
        super().__init__(f"no server {key!r} in the workspace")
        self.key = key


class UnknownBatch(CareliftError):
    """No import or edit batch has this number."""


# -- the workspace ----------------------------------------------------------------------------


def utc_now() -> str:
    """The time a batch is recorded at: UTC, to the second, e.g. 2026-12-06T22:05:00Z."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def sha256_of(path: Path) -> str:
    """SHA-256 of a file; of a directory (RVTools CSV set), over its files' names and hashes."""
    digest = hashlib.sha256()
    if path.is_dir():
        for child in sorted(p for p in path.iterdir() if p.is_file()):
            digest.update(f"{child.name}\0{sha256_of(child)}\n".encode())
        return digest.hexdigest()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def open_workspace(directory: Path, *, create: bool = False) -> Iterator[Workspace]:
    """The workspace in `directory`; it must already hold an inventory unless `create`.
    WorkspaceError when it cannot be used (not a carelift database, a newer schema, no permission)."""
    directory = Path(directory)
    if not create and not (directory / DATABASE).exists():
        raise NoInventory(f"no inventory in {directory}: import one with `carelift inventory import PATH...` "
                          "(or point --workspace / CARELIFT_WORKSPACE at it)")
    with Workspace.open(directory) as workspace:
        yield workspace


def _remove_fresh_workspace(directory: Path) -> None:
    """Undo the creation of a workspace whose first import failed: 'nothing written' means nothing."""
    for name in ("estate.db", "estate.db-journal"):
        (directory / name).unlink(missing_ok=True)
    try:
        directory.rmdir()
    except OSError:
        pass  # not empty (it held something else): leave it


def find_server(workspace: Workspace, key: str) -> Server | None:
    """The server `key` (identity, name, FQDN or VM UUID) names; None when none does. A name several
    servers share is AmbiguousServer, listing each with the identity that names it alone."""
    found = workspace.candidates(key)
    if len(found) > 1:
        raise AmbiguousServer(key, found)
    return found[0] if found else None


# -- import -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    files: tuple[tuple[SourceFile, ParsedFile], ...]
    """Each file as recorded (path, SHA-256, format) with what its parser read, in the order given."""
    summaries: tuple[BatchSummary, ...]
    """One batch per file, in the same order: what the import added, updated and skipped."""


def import_files(directory: Path, paths: Sequence[Path], parse: Callable[[Path], ParsedFile]) -> ImportResult:
    """Parse every path with `parse`, then store them in one transaction. InputError (titled "N problem(s)
    in the input; nothing was imported") with every file's problems when any has one: nothing is
    written, and a workspace this call would have created is not left behind."""
    files: list[tuple[SourceFile, ParsedFile]] = []
    problems: list[Problem] = []
    total = 0
    for path in paths:
        try:
            parsed = parse(path)
        except InputError as error:
            problems += error.problems
            total += error.total or 0  # an InputError always counts its problems
            continue
        # A file name that is not UTF-8 is stored escaped (\xNN), as the importers show it.
        files.append((SourceFile(path=printable_path(path.resolve()), sha256=sha256_of(path), format=parsed.format),
                      parsed))
    if problems:
        raise _nothing_imported(InputError(problems, total))
    directory = Path(directory)
    fresh = not (directory / DATABASE).exists()
    try:
        with open_workspace(directory, create=True) as workspace:
            summaries = workspace.import_files(files, now=utc_now())
    except (InputError, WorkspaceError) as error:
        if fresh:
            _remove_fresh_workspace(directory)
        if isinstance(error, InputError):
            raise _nothing_imported(error) from None
        raise
    return ImportResult(tuple(files), tuple(summaries))


def _nothing_imported(error: InputError) -> InputError:
    error.title = f"{error.total:,} problem(s) in the input; nothing was imported"
    return error


def import_inventory(directory: Path, paths: Sequence[Path], fmt: str = "auto", *, strict: bool = False,
                     max_sheet_mb: int | None = None) -> ImportResult:
    """Import inventory exports (`fmt`: auto, or a name of `migrate.inventory.importers.IMPORTERS`).
    `strict`: RVTools warnings are errors. `max_sheet_mb`: the xlsx decompression bounds (default 256)."""
    from migrate.inventory.importers import parse
    from migrate.inventory.importers.xlsx_limits import DEFAULT_MB, Limits, limits

    with limits(Limits.from_mb(max_sheet_mb or DEFAULT_MB)):
        return import_files(directory, paths, lambda path: parse(path, fmt, strict=strict))


def import_dependencies(directory: Path, paths: Sequence[Path], fmt: str = "auto") -> ImportResult:
    """Import dependency files (`fmt`: auto, or a name of `migrate.inventory.dependencies.PARSERS`)."""
    from migrate.inventory import dependencies

    return import_files(directory, paths, lambda path: dependencies.parse_dependency_file(path, fmt))


# -- looking at the inventory -----------------------------------------------------------------


@dataclass(frozen=True)
class ServerList:
    servers: list[Server]
    """The servers the filters keep, sorted by name (case-insensitively for ASCII letters), then identity."""
    total: int
    """How many servers the inventory holds in all."""


def list_servers(directory: Path, filters: Sequence[Filter] = ()) -> ServerList:
    """The servers for which every filter holds (`migrate.inventory.filters.parse_filters`)."""
    with open_workspace(directory) as workspace:
        everything = workspace.servers()
    servers = [s for s in everything if matches(s, filters)] if filters else everything
    return ServerList(servers, len(everything))


@dataclass(frozen=True)
class DependencyCounts:
    """What the dependency data says about one server, in numbers."""

    outbound: int
    inbound: int
    """Inbound edges from servers or external endpoints (self-connections count once, as outbound)."""
    peers: int
    """Other inventory servers it talks to, either way."""
    external: int
    """Endpoints outside the inventory it connects to."""
    observations: int
    listening_ports: tuple[int, ...]

    def to_json(self) -> dict[str, Any]:
        return {"outbound": self.outbound, "inbound": self.inbound, "peers": self.peers, "external": self.external,
                "observations": self.observations, "listening_ports": list(self.listening_ports)}


def dependency_counts(name: str, edges: Sequence[Dependency]) -> DependencyCounts:
    """The counts for the server `name` from its edges (`Workspace.dependencies(identity)`)."""
    me = name.lower()
    outbound = [e for e in edges if e.source.lower() == me]
    inbound = [e for e in edges if e.destination.lower() == me and e.destination_resolved]
    peers = {e.destination.lower() for e in outbound if e.destination_resolved and e.destination.lower() != me}
    peers |= {e.source.lower() for e in inbound if e.source.lower() != me}
    external = {e.destination for e in outbound if not e.destination_resolved}
    return DependencyCounts(outbound=len(outbound), inbound=len(inbound), peers=len(peers), external=len(external),
                            observations=sum(e.weight for e in edges),
                            listening_ports=tuple(sorted({e.port for e in inbound})))


@dataclass(frozen=True)
class ServerDetails:
    server: Server
    applications: tuple[Application, ...]
    """The applications the server belongs to, in the inventory's order."""
    dependencies: DependencyCounts


def show_server(directory: Path, key: str) -> ServerDetails:
    """One server (identity, name, FQDN or VM UUID) with its applications and dependency counts.
    UnknownServer when nothing is called `key`; AmbiguousServer when several servers are."""
    with open_workspace(directory) as workspace:
        server = find_server(workspace, key)
        if server is None:
            raise UnknownServer(key)
        applications = {a.name: a for a in workspace.applications() if a.name in server.applications}
        edges = workspace.dependencies(server.identity)
    return ServerDetails(server, tuple(applications.values()), dependency_counts(server.name, edges))


def stats(directory: Path) -> EstateStats:
    """Counts by OS family, environment, tier and cluster; totals of cores, memory and storage."""
    with open_workspace(directory) as workspace:
        return estate_stats(workspace.servers())


def quality(directory: Path, as_of: date) -> QualityReport:
    """The inventory's quality checks, with OS end of support judged on `as_of`."""
    from migrate.inventory.lifecycle import load_lifecycle

    with open_workspace(directory) as workspace:
        servers = workspace.servers()
        connected = {name for edge in workspace.dependencies()
                     for name in (edge.source, edge.destination if edge.destination_resolved else None) if name}
    return assess(servers, connected, load_lifecycle(), as_of)


def history(directory: Path, batch_id: int | None = None) -> list[BatchRecord]:
    """Every batch (imports and edits), oldest first; with `batch_id`, that one (UnknownBatch if none)."""
    with open_workspace(directory) as workspace:
        batches = workspace.history()
    if batch_id is not None:
        batches = [b for b in batches if b.batch_id == batch_id]
        if not batches:
            raise UnknownBatch(f"no batch {batch_id} (see `carelift inventory history`)")
    return batches


# -- edits: each one batch, all or nothing (migrate.inventory.edits) ----------------------------


def rename(directory: Path, key: str, new_name: str) -> EditResult:
    """Rename the server `key` names (EditError when none or several do, or the name is taken)."""
    with open_workspace(directory) as workspace:
        return workspace.rename(key, new_name, now=utc_now())


def remove(directory: Path, key: str) -> EditResult:
    """Remove the server `key` names with its disks, memberships and edges (its history stays)."""
    with open_workspace(directory) as workspace:
        return workspace.remove(key, now=utc_now())


def undo(directory: Path, batch_id: int) -> EditResult:
    """Undo batch `batch_id` (EditError while a later batch in effect touched the same rows)."""
    with open_workspace(directory) as workspace:
        return workspace.undo(batch_id, now=utc_now())


# -- connections (carelift deps show) ---------------------------------------------------------------


@dataclass(frozen=True)
class Connection:
    """One edge seen from one server: the other end, the port, and how often it was observed."""

    peer: str
    peer_ip: str | None
    port: int
    protocol: str
    process: str | None
    weight: int
    first_seen: str | None
    last_seen: str | None
    external: bool
    """The peer is not an inventory server."""


@dataclass(frozen=True)
class Connections:
    server: str
    """The server's name, or the external endpoint's address as recorded."""
    outbound: tuple[Connection, ...]
    """Heaviest first, then by peer, port and protocol."""
    inbound: tuple[Connection, ...]
    observations: int
    in_inventory: bool

    @property
    def external_endpoints(self) -> int:
        return len({c.peer for c in self.outbound + self.inbound if c.external})

    @property
    def listening_ports(self) -> list[int]:
        return sorted({c.port for c in self.inbound})

    def to_json(self) -> dict[str, Any]:
        """The shape of `carelift deps show --format json`."""
        return {"server": self.server, "outbound": [asdict(c) for c in self.outbound],
                "inbound": [asdict(c) for c in self.inbound],
                "totals": {"outbound": len(self.outbound), "inbound": len(self.inbound),
                           "observations": self.observations, "external_endpoints": self.external_endpoints,
                           "listening_ports": self.listening_ports},
                "in_inventory": self.in_inventory}


def connections(directory: Path, key: str) -> Connections:
    """The inbound and outbound connections of a server (identity, name, FQDN or VM UUID) or of an
    external endpoint (its address as recorded). UnknownServer when it is neither."""
    with open_workspace(directory) as workspace:
        found = find_server(workspace, key)
        name = found.name if found else key.strip().lower()
        edges = workspace.dependencies(found.identity if found else name)
        if found is None and not edges:
            raise UnknownServer(key)
        return split_connections(name, edges, lambda peer: workspace.server(peer) is not None,
                                 in_inventory=found is not None)


def split_connections(name: str, edges: Sequence[Dependency], is_server: Callable[[str], bool], *,
                      in_inventory: bool = True) -> Connections:
    """The edges of `name` split into outbound and inbound, heaviest first, each marked external or not
    (`is_server(peer)`: whether an inbound peer is an inventory server; asked once per peer)."""
    me = name.lower()
    known: dict[str, bool] = {}

    def external_source(peer: str) -> bool:
        if peer not in known:
            known[peer] = not is_server(peer)
        return known[peer]

    def entry(edge: Dependency, peer: str, peer_ip: str | None, external: bool) -> Connection:
        return Connection(peer=peer, peer_ip=peer_ip, port=edge.port, protocol=edge.protocol, process=edge.process,
                          weight=edge.weight, first_seen=edge.first_seen, last_seen=edge.last_seen,
                          external=external)

    def order(item: Connection) -> tuple:
        return -item.weight, item.peer.lower(), item.port, item.protocol

    outbound = sorted((entry(e, e.destination, e.destination_ip, not e.destination_resolved)
                       for e in edges if e.source.lower() == me), key=order)
    inbound = sorted((entry(e, e.source, e.source_ip, external_source(e.source))
                      for e in edges if e.destination.lower() == me and e.source.lower() != me), key=order)
    return Connections(server=name, outbound=tuple(outbound), inbound=tuple(inbound),
                       observations=sum(e.weight for e in edges), in_inventory=in_inventory)
