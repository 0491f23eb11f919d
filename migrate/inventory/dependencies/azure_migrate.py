"""Azure Migrate agentless dependency analysis export (CSV) → weighted edges.

One row per connection seen in a 6-hour time slot, up to 30 days:
`Timeslot` (or `Time slot`), Source server name, Source IP, Source application, Source process,
Destination server name, Destination IP, Destination application, Destination process,
Destination port, optionally Source VLAN and Destination VLAN. A destination outside the
appliance's discovery has no server name: the edge then points at its IP, which the store
resolves to an inventory server or keeps as an external endpoint.

Edges aggregate rows by (source, destination, port, protocol): weight = number of rows
(time slots), first/last seen = earliest slot start and latest slot end. The process kept is
the destination's (the serving process: sqlservr.exe, irisdb, java for an interface engine)
when the export names it, else the source's.
"""

from __future__ import annotations

from pathlib import Path

from migrate.inventory.dependencies.common import (EdgeAccumulator, FileProblems, parse_address, parse_period,
                                                   parse_port)
from migrate.inventory.dependencies.tables import Header, checked_header, rows
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
REQUIRED = ("timeslot", "source_name", "destination_name", "port")
SIGNATURE = {"timeslot", "destination_name", "port"}
"""Fields whose presence in a header identifies this format."""


def parse(path: Path, encoding: str, display: str) -> ParsedFile:
    problems = FileProblems(display)
    edges = EdgeAccumulator()
    header: Header | None = None
    periods: dict[str, tuple[str, str] | None] = {}

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

        slot = cells[get["timeslot"]].strip()
        if slot not in periods:
            periods[slot] = parse_period(slot)
        period = periods[slot]
        if period is None:
            problems.at(f"time slot {slot!r} is not a date and time (expected e.g. "
                        f"'2025-03-03 00:00 - 2025-03-03 06:00')", number, names["timeslot"])
            continue
        port = parse_port(cells[get["port"]])
        if port is None:
            problems.at(f"port {cells[get['port']].strip()!r} is not a number from 1 to 65535", number,
                        names["port"])
            continue

        ips = {}
        for side in ("source_ip", "destination_ip"):
            raw = cells[get[side]].strip() if side in get else ""
            ips[side] = parse_address(raw) if raw else None
            if raw and ips[side] is None:
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
        edges.add(source, destination, port, "tcp", process=process, first_seen=period[0], last_seen=period[1],
                  source_ip=ips["source_ip"], destination_ip=ips["destination_ip"])

    if header is None and not problems:
        problems.at("the file has no header row and no data")
    elif not problems and edges.observations == 0:
        problems.at("the file has a header but no connection rows", 2)
    problems.raise_if_any()
    warnings = (f"ignored columns: {', '.join(header.ignored)}",) if header.ignored else ()
    return ParsedFile(path=display, format=FORMAT, dependencies=edges.dependencies(), warnings=warnings)
