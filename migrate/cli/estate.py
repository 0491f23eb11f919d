"""`carelift estate`: generate a realistic hospital estate to try carelift on.

Parsing options and rendering only: `migrate.estate.generator` builds the estate (pure,
deterministic for a seed) and `migrate.estate.files` writes the exports.
"""

from __future__ import annotations

from pathlib import Path

import click

from migrate.cli.errors import fail
from migrate.cli.options import output_option
from migrate.estate.generator import DEFAULT_DAYS, DEFAULT_SEED, DEFAULT_SERVERS, MAX_SERVERS, minimum_size


@click.group()
def estate() -> None:
    """Generate a realistic hospital estate (RVTools, Azure Migrate, application mapping, dependencies)."""


@estate.command()
@click.option("--servers", "-n", type=click.IntRange(minimum_size(), MAX_SERVERS), default=DEFAULT_SERVERS,
              show_default=True, help="Servers to generate (VM templates come on top).")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True,
              help="Random seed: the same seed and options give byte-identical files.")
@click.option("--days", type=click.IntRange(1, 30), default=DEFAULT_DAYS, show_default=True,
              help="Days of dependency data (Azure Migrate exports up to 30, in 6-hour slots).")
@output_option("Directory to write into (created if missing; the four files are replaced).", directory=True,
               required=True)
def generate(servers: int, seed: int, days: int, output: Path) -> None:
    """Write a Riverbend Health estate: EHR with its environments and reporting databases, PACS/VNA
    with DICOM links, LIS, RIS, pharmacy, an HL7 interface engine, identity, Citrix, file and print,
    backup, monitoring and dev/test sprawl, with end-of-life operating systems among them.

    Import it with `carelift inventory import` (the xlsx and the Azure Migrate CSV, then the
    mapping) and `carelift deps import` (the dependency export).
    """
    from migrate.estate.files import FILES, describe, write_estate
    from migrate.estate.generator import generate as build

    from migrate.cli.files import destination

    if output.is_symlink():  # the output rule of every writer: never through a link
        fail(f"refusing to write into {output}: it is a symbolic link; give the directory itself")
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        fail(f"cannot create {output}: {error.strerror or error}")
    for name in FILES:  # each file is replaced by a rename: only a regular file (or nothing) may be there
        if destination(output / name).kind != "file":  # an OutputError goes to the CLI's one handler
            fail(f"cannot write {output / name}: it is not a regular file (a device or a FIFO); carelift replaces "
                 "only regular files")
    generated = build(servers=servers, seed=seed, days=days)
    try:
        write_estate(generated, output)
    except OSError as error:
        fail(f"cannot write into {output}: {error.strerror or error}")
    counts = describe(generated)
    click.echo(f"{counts['servers']} servers ({counts['vmware']} VMware VMs, {counts['physical']} physical, "
               f"{counts['hyperv']} Hyper-V; {counts['powered_off']} powered off), {counts['templates']} templates, "
               f"{counts['hosts']} ESXi hosts, {counts['connections']} connections over {days} days (seed {seed})")
    for name in FILES:
        click.echo(f"  {output / name}")
    click.echo(f"next: carelift inventory import {output / FILES[0]} {output / FILES[1]} && "
               f"carelift inventory import {output / FILES[2]} && carelift deps import {output / FILES[3]}")
