"""Generic dependency CSV: what teams write by hand or export from a flow collector.

Columns (header names case-insensitive, any order; comma, semicolon or tab):

| column | required | meaning |
|---|---|---|
| source | yes | server name or IP address of the client side |
| destination | yes | server name or IP address of the serving side |
| port | yes | destination port, 1–65535 |
| protocol | no | tcp (default) or udp |
| process | no | serving process, e.g. sqlservr.exe |
| weight | no | observation count, a positive integer (default 1) |
| first_seen, last_seen | no | ISO 8601 timestamps |
| source_ip, destination_ip | no | addresses, when source/destination are names |

Rows with the same source, destination, port and protocol add up their weights.
"""

from __future__ import annotations

from pathlib import Path

from migrate.inventory.dependencies.common import (EdgeAccumulator, FileProblems, parse_address, parse_port,
                                                   parse_timestamp)
from migrate.inventory.dependencies.registry import CSV_HEADER, PARSERS, Sample
from migrate.inventory.dependencies.tables import checked_header, header_fields, rows
from migrate.inventory.formats import Format
from migrate.inventory.model import ParsedFile

FORMAT = "dependency-csv"

ALIASES = {
    "source": ("source", "src", "from", "client"),
    "destination": ("destination", "dest", "dst", "to", "target"),
    "port": ("port", "destination port", "dst port", "dport"),
    "protocol": ("protocol", "proto"),
    "process": ("process", "destination process"),
    "weight": ("weight", "count", "connections", "observations"),
    "first_seen": ("first seen", "firstseen"),
    "last_seen": ("last seen", "lastseen"),
    "source_ip": ("source ip", "src ip"),
    "destination_ip": ("destination ip", "dst ip", "dest ip"),
}
REQUIRED = ("source", "destination", "port")
SIGNATURE = set(REQUIRED)
PROTOCOLS = ("tcp", "udp")


def parse(path: Path, encoding: str, display: str) -> ParsedFile:  # noqa: C901 - one pass whose header and edge state every check shares (issue 11 section 5 splits the parsers)
    problems = FileProblems(display)
    edges = EdgeAccumulator()
    header = None
    for number, cells in rows(path, encoding, problems):
        if header is None:
            header = checked_header(cells, number, ALIASES, REQUIRED, problems)
            if header is None:
                break
            get, names = header.columns, header.names
            width = max(get.values()) + 1
            continue
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))

        # Defaults bind this row's cells and the current header's columns (B023).
        def cell(name: str, cells: list[str] = cells, get: dict[str, int] = get) -> str:
            return cells[get[name]].strip() if name in get else ""

        before = problems.count
        source, destination = cell("source"), cell("destination")
        if not source:
            problems.at("empty source", number, names["source"])
        if not destination:
            problems.at("empty destination", number, names["destination"])
        port = parse_port(cell("port"))
        if port is None:
            problems.at(f"port {cell('port')!r} is not a number from 1 to 65535", number, names["port"])
        protocol = cell("protocol").lower() or "tcp"
        if protocol not in PROTOCOLS:
            problems.at(f"protocol {cell('protocol')!r} is not tcp or udp", number, names["protocol"])
        weight = 1
        if cell("weight"):
            text = cell("weight").removesuffix(".0")
            weight = int(text) if text.isdigit() else 0
            if weight < 1:
                problems.at(f"weight {cell('weight')!r} is not a positive whole number", number, names["weight"])
        seen = {}
        for name in ("first_seen", "last_seen"):
            seen[name] = parse_timestamp(cell(name)) if cell(name) else None
            if cell(name) and seen[name] is None:
                problems.at(f"{cell(name)!r} is not an ISO 8601 date and time", number, names[name])
        if seen["first_seen"] and seen["last_seen"] and seen["first_seen"] > seen["last_seen"]:
            problems.at("first_seen is after last_seen", number, names["first_seen"])
        ips = {}
        for name in ("source_ip", "destination_ip"):
            ips[name] = parse_address(cell(name)) if cell(name) else None
            if cell(name) and ips[name] is None:
                problems.at(f"{cell(name)!r} is not an IP address", number, names[name])
        if problems.count > before or port is None:  # (a missing port was counted as a problem)
            continue
        # An address in a name column is written canonically (IPv4-mapped IPv6 → IPv4) so the
        # store can match it against inventory IPs.
        source = parse_address(source) or source
        destination = parse_address(destination) or destination
        edges.add(source, destination, port, protocol, weight=weight, process=cell("process") or None,
                  first_seen=seen["first_seen"], last_seen=seen["last_seen"],
                  source_ip=ips["source_ip"] or parse_address(source),
                  destination_ip=ips["destination_ip"] or parse_address(destination))

    if header is None:
        if not problems:
            problems.at("the file has no header row and no data")
        raise problems.error()
    if not problems and edges.observations == 0:
        problems.at("the file has a header but no rows", 2)
    problems.raise_if_any()
    warnings = (f"ignored columns: {', '.join(header.ignored)}",) if header.ignored else ()
    return ParsedFile(path=display, format=FORMAT, dependencies=edges.dependencies(), warnings=warnings)


def sniff(sample: Sample) -> float:
    return CSV_HEADER if sample.lines and SIGNATURE <= header_fields(sample.first, ALIASES) else 0.0


PARSER = PARSERS.register(Format(
    name="csv", order=4, parse=parse, sniff=sniff,
    description="source,destination,port[,protocol,process,weight,first_seen,last_seen]"))
