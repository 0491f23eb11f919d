"""Azure Migrate agentless dependency analysis export (CSV) → weighted edges.

One row per connection seen in a 6-hour time slot, up to 30 days:
`Timeslot` (or `Time slot`; optional: without it each row is one undated observation), Source server name, Source IP, Source application, Source process,
Destination server name, Destination IP, Destination application, Destination process,
Destination port, optionally Source VLAN and Destination VLAN. A destination outside the
appliance's discovery has no server name: the edge then points at its IP, which the store
resolves to an inventory server or keeps as an external endpoint.

Edges aggregate rows by (source, destination, port, protocol): weight = number of rows
(time slots), first/last seen = earliest slot start and latest slot end (`timeslots` reads the
locale and version variants of the label). A slot label that cannot be read still counts as an
observation, without first/last seen, and the file gets one summary warning. The process kept is
the destination's (the serving process: sqlservr.exe, irisdb, java for an interface engine)
when the export names it, else the source's.
"""

from __future__ import annotations

from pathlib import Path

from migrate.inventory.dependencies.common import EdgeAccumulator, FileProblems, parse_address, parse_port
from migrate.inventory.dependencies.registry import AZURE_MIGRATE_HEADER, PARSERS, Sample
from migrate.inventory.dependencies.tables import Header, checked_header, header_fields, rows
from migrate.inventory.dependencies.timeslots import SlotReader
from migrate.inventory.formats import Format
from migrate.inventory.model import ParsedFile

FORMAT = "azure-migrate-dependencies"

ALIASES = {
    "timeslot": ("timeslot", "time slot"),
    "source_name": ("source server name", "source server"),
    "source_ip": ("source ip", "source ip address"),
    "source_application": ("source application",),
    "source_process": ("source process",),
    "destination_name": ("destination server name", "destination server"),
    "destination_ip": ("destination ip", "destination ip address"),
    "destination_application": ("destination application",),
    "destination_process": ("destination process",),
    "port": ("destination port",),
    "source_vlan": ("source vlan",),
    "destination_vlan": ("destination vlan",),
}
REQUIRED = ("source_name", "destination_name", "port")
"""The time slot only dates the observations: an export without it still gives the edges and weights."""
SIGNATURE = {"source_name", "destination_name", "port"}
"""Fields whose presence in a header identifies this format."""


def parse(path: Path, encoding: str, display: str) -> ParsedFile:  # noqa: C901 - one pass whose header, slot and edge state every check shares (issue 11 section 5 splits the parsers)
    problems = FileProblems(display)
    edges = EdgeAccumulator()
    header: Header | None = None
    slots = SlotReader()
    labels: dict[str, int] = {}
    """Each distinct slot label → a bit; each edge keeps the bits of the slots it was seen in,
    so first/last seen are computed once the whole file tells how its dates are written."""
    seen: dict[tuple[str, str, int, str], int] = {}
    label_rows: dict[str, int] = {}
    bad_addresses: list[tuple[int, str, str]] = []

    for number, cells in rows(path, encoding, problems):
        if header is None:
            header = checked_header(cells, number, ALIASES, REQUIRED, problems, capitalize=True)
            if header is None:
                break
            get, names = header.columns, header.names
            width = max(get.values()) + 1
            continue
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))

        slot = cells[get["timeslot"]].strip() if "timeslot" in get else None
        if slot is not None and slot not in labels:
            labels[slot] = 1 << len(labels)
            slots.see(slot)
        port = parse_port(cells[get["port"]])
        if port is None:
            problems.at(f"port {cells[get['port']].strip()!r} is not a number from 1 to 65535", number,
                        names["port"])
            continue

        ips = {}
        for side, name in (("source_ip", "source_name"), ("destination_ip", "destination_name")):
            raw = cells[get[side]].strip() if side in get else ""
            ips[side] = parse_address(raw) if raw else None
            if raw and ips[side] is None:
                if cells[get[name]].strip():  # the name identifies the endpoint: the address is not needed
                    bad_addresses.append((number, names[side], raw))
                else:
                    problems.at(f"{raw!r} is not an IP address", number, names[side])
        source = cells[get["source_name"]].strip() or ips["source_ip"]
        destination = cells[get["destination_name"]].strip() or ips["destination_ip"]
        if not source:
            problems.at("no source server name or IP", number, names["source_name"])
        if not destination:
            problems.at("no destination server name or IP", number, names["destination_name"])
        if not source or not destination:
            continue

        process = ((cells[get["destination_process"]].strip() if "destination_process" in get else "")
                   or (cells[get["source_process"]].strip() if "source_process" in get else "") or None)
        edges.add(source, destination, port, "tcp", process=process, source_ip=ips["source_ip"],
                  destination_ip=ips["destination_ip"])
        key = (source, destination, port, "tcp")
        if slot is not None:
            seen[key] = seen.get(key, 0) | labels[slot]
            label_rows[slot] = label_rows.get(slot, 0) + 1

    if header is None:
        if not problems:
            problems.at("the file has no header row and no data")
        raise problems.error()
    if not problems and edges.observations == 0:
        problems.at("the file has a header but no connection rows", 2)
    problems.raise_if_any()
    periods = slots.periods()
    warnings = [f"ignored columns: {', '.join(header.ignored)}"] if header.ignored else []
    if "timeslot" not in header.columns:
        warnings.append("no Time slot column: each row counts as one observation, without first/last seen")
    unread = [label for label, period in periods.items() if period is None]
    if unread:
        rows_unread = sum(label_rows[u] for u in unread)
        example = next((u for u in unread if u), unread[0])
        warnings.append(f"{rows_unread} row(s) have a time slot that is not a date and time (e.g. {example!r}); "
                        f"they count as observations without first/last seen")
    if bad_addresses:
        row, column, raw = bad_addresses[0]
        warnings.append(f"{len(bad_addresses)} address(es) are not IP addresses and were ignored, the server name "
                        f"being known (e.g. row {row}, column {column!r}: {raw!r})")
    by_bit = {bit: periods[label] for label, bit in labels.items()}
    spans: dict[int, tuple[str | None, str | None]] = {}  # many edges were seen in the same slots
    for key, mask in seen.items():
        span = spans.get(mask)
        if span is None:
            first = last = None
            rest = mask
            while rest:
                bit = rest & -rest
                rest ^= bit
                period = by_bit[bit]
                if period is not None:
                    first = period[0] if first is None or period[0] < first else first
                    last = period[1] if last is None or period[1] > last else last
            span = spans[mask] = (first, last)
        first_seen, last_seen = span
        if first_seen is not None and last_seen is not None:  # (both come from the same periods)
            edges.set_seen(key, first_seen, last_seen)
    return ParsedFile(path=display, format=FORMAT, dependencies=edges.dependencies(), warnings=tuple(warnings))


def sniff(sample: Sample) -> float:
    return AZURE_MIGRATE_HEADER if sample.lines and SIGNATURE <= header_fields(sample.first, ALIASES) else 0.0


PARSER = PARSERS.register(Format(
    name="azure-migrate", order=1, parse=parse, sniff=sniff, description="the agentless dependency export"))
