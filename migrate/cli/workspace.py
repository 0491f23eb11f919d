"""What `carelift inventory` and `carelift deps` share: the workspace, and `--format` over a registry."""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

import click

from migrate.cli.errors import fail
from migrate.inventory.model import InputError, ParsedFile
from migrate.inventory.names import printable_path

if TYPE_CHECKING:
    from migrate.inventory.formats import Registry
    from migrate.inventory.model import Server
    from migrate.inventory.store import BatchSummary, SourceFile, Workspace


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


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def remove_fresh_workspace(directory: Path) -> None:
    """Undo the creation of a workspace whose first import failed: 'nothing written' means nothing."""
    for name in ("estate.db", "estate.db-journal"):
        (directory / name).unlink(missing_ok=True)
    try:
        directory.rmdir()
    except OSError:
        pass  # not empty (it held something else): leave it


@contextmanager
def open_workspace(directory: Path, *, create: bool = False) -> Iterator[Workspace]:
    from migrate.inventory.store import DATABASE, Workspace, WorkspaceError

    if not create and not (directory / DATABASE).exists():
        fail(f"no inventory in {directory}: import one with `carelift inventory import PATH...` "
             "(or point --workspace / CARELIFT_WORKSPACE at it)")
    try:
        workspace = Workspace.open(directory)
    except WorkspaceError as error:
        fail(str(error))
    with workspace:
        yield workspace


def import_all_or_nothing(directory: Path, paths: Sequence[Path], parse: Callable[[Path], ParsedFile],
                          ) -> tuple[list[tuple[SourceFile, ParsedFile]], list[BatchSummary]]:
    """Parse every path, then import them in one transaction; any problem exits 2 with nothing written."""
    from migrate.inventory.store import DATABASE, SourceFile, WorkspaceError

    batch, problems, total = [], [], 0
    for path in paths:
        try:
            parsed = parse(path)
        except InputError as error:
            problems += error.problems
            total += error.total
            continue
        # A file name that is not UTF-8 is stored escaped (\xNN), as the importers show it.
        batch.append((SourceFile(path=printable_path(path.resolve()), sha256=sha256_of(path), format=parsed.format),
                      parsed))
    if problems:
        fail(f"{total:,} problem(s) in the input; nothing was imported", map(str, problems), total=total)

    fresh = not (directory / DATABASE).exists()
    try:
        with open_workspace(directory, create=True) as workspace:
            summaries = workspace.import_files(batch, now=utc_now())
    except (InputError, WorkspaceError) as error:
        if fresh:
            remove_fresh_workspace(directory)
        if isinstance(error, WorkspaceError):
            fail(str(error))
        fail(f"{error.total:,} problem(s) in the input; nothing was imported", map(str, error.problems),
             total=error.total)
    return batch, summaries


def one_server(workspace: Workspace, key: str) -> Server | None:
    """The server `key` (identity, name, FQDN or VM UUID) names; None when none does. A name several
    servers share exits 2 listing them, each with the identity that names it alone."""
    from migrate.inventory.edits import describe

    found = workspace.candidates(key)
    if len(found) > 1:
        fail(f"{key!r} names {len(found)} servers; give one's identity instead (in quotes), or rename all but one "
             "with `carelift inventory rename IDENTITY NEW-NAME`", [describe(s) for s in found])
    return found[0] if found else None


class _RegistryChoice(click.Choice):
    """`auto` and a registry's format names, read when click first needs them: listing the formats
    imports every format module, which `carelift --help` need not pay for."""

    def __init__(self, registry: Registry):
        self.registry = registry
        super().__init__(())

    @property  # type: ignore[override]
    def choices(self) -> tuple[str, ...]:
        return ("auto",) + self.registry.names()

    @choices.setter
    def choices(self, value: Any) -> None:
        pass  # click.Choice.__init__ assigns it; the registry is the one list


class _FormatsOption(click.Option):
    """`--format` whose help ends with every registered format's one-line description."""

    def __init__(self, *args: Any, registry: Registry, intro: str, **kwargs: Any):
        super().__init__(*args, type=_RegistryChoice(registry), **kwargs)
        self.registry, self.intro = registry, intro

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        self.help = f"{self.intro} {self.registry.listing()}."
        return super().get_help_record(ctx)


def registry_format_option(registry: Registry, intro: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`--format auto|NAME` over the formats of `registry` (passed as `fmt`); `intro` opens the help."""
    return click.option("--format", "fmt", cls=_FormatsOption, registry=registry, intro=intro, default="auto",
                        show_default=True)
