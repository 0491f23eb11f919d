"""What every dependency parser shares: the file's problems and head, timestamps, and edge aggregation.

Decoding and delimited text come from `migrate.inventory.tables`, which the importers share.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from migrate.inventory.model import Dependency, Problem
from migrate.inventory.tables.problems import Problems
from migrate.inventory.tables.text import kind_message, kind_of

SAMPLE_BYTES = 64 * 1024


class FileProblems(Problems):
    """The shared importer problem list (first LIMIT kept, all counted), bound to one file."""

    def __init__(self, file: str):
        super().__init__()
        self.file = file

    def at(self, message: str, row: int | None = None, column: str | None = None) -> None:
        self.add(Problem(self.file, message, row=row, column=column))


# --- the file -----------------------------------------------------------------------------------

def read_sample(path: Path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(SAMPLE_BYTES)


def not_text_reason(path: Path) -> str | None:
    """Why a file that should be a text export is not one (None when it is text)."""
    kind = kind_of(path)
    if kind == "text":
        return None
    if kind == "xlsx":
        return "is an Excel workbook, not a text export: save the sheet as CSV"
    return kind_message(kind)


# --- values ---------------------------------------------------------------------------------

_TIMESTAMP_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d",
    "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y",
    "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y",
    "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y",
)
_RANGE_SEPARATOR = re.compile(r"\s+(?:-|–|to)\s+", re.I)


def parse_timestamp(text: str) -> str | None:
    """ISO 8601 (`2025-03-03T06:00:00`, UTC when the input names a zone) or None when unreadable.

    Month-first is tried before day-first for slashed dates (US exports); `13/03/2025` still
    reads as day-first because no month 13 exists.
    """
    text = text.strip()
    if not text:
        return None
    moment: datetime | None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        moment = None
        for fmt in _TIMESTAMP_FORMATS:
            try:
                moment = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if moment is None:
        return None
    if moment.tzinfo is not None:
        return moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
    return moment.isoformat(timespec="seconds")


def parse_period(text: str) -> tuple[str, str] | None:
    """A time slot `start - end` (or one timestamp) → (start, end) in ISO form, None when unreadable."""
    parts = _RANGE_SEPARATOR.split(text.strip(), maxsplit=1)
    start = parse_timestamp(parts[0])
    if start is None:
        return None
    if len(parts) == 1:
        return start, start
    end = parse_timestamp(parts[1])
    return None if end is None else (start, end)


def parse_port(text: str) -> int | None:
    """A TCP/UDP port 1..65535; spreadsheets turn `1433` into `1433.0`, which is accepted."""
    text = text.strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit():
        return None
    port = int(text)
    return port if 0 < port < 65536 else None


@functools.lru_cache(maxsize=65536)
def parse_address(text: str) -> str | None:
    """A canonical IP address (IPv4-mapped IPv6 becomes IPv4, zone ids dropped), None if not an IP."""
    text = text.strip().strip("[]").split("%", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address)


def is_loopback(address: str) -> bool:
    return ipaddress.ip_address(address).is_loopback


# --- aggregation ----------------------------------------------------------------------------

class EdgeAccumulator:
    """Observations → one Dependency per (source, destination, port, protocol).

    weight sums the observations; first/last seen are the earliest start and latest end; the
    process and addresses are the first ones observed (input order is the file's, so this is
    deterministic).
    """

    def __init__(self) -> None:
        self._edges: dict[tuple[str, str, int, str], list] = {}
        self.observations = 0

    def add(self, source: str, destination: str, port: int, protocol: str = "tcp", *, weight: int = 1,
            process: str | None = None, first_seen: str | None = None, last_seen: str | None = None,
            source_ip: str | None = None, destination_ip: str | None = None) -> None:
        self.observations += 1
        key = (source, destination, port, protocol)
        edge = self._edges.get(key)
        if edge is None:
            self._edges[key] = [weight, first_seen, last_seen, process, source_ip, destination_ip]
            return
        edge[0] += weight
        if first_seen is not None and (edge[1] is None or first_seen < edge[1]):
            edge[1] = first_seen
        if last_seen is not None and (edge[2] is None or last_seen > edge[2]):
            edge[2] = last_seen
        if edge[3] is None:
            edge[3] = process
        if edge[4] is None:
            edge[4] = source_ip
        if edge[5] is None:
            edge[5] = destination_ip

    def __len__(self) -> int:
        return len(self._edges)

    def set_seen(self, key: tuple[str, str, int, str], first_seen: str, last_seen: str) -> None:
        """First/last seen of an edge decided after the whole file was read (time-slot formats)."""
        self._edges[key][1:3] = [first_seen, last_seen]

    def dependencies(self) -> tuple[Dependency, ...]:
        return tuple(
            Dependency(source=s, destination=d, port=port, protocol=protocol, process=process, weight=weight,
                       first_seen=first, last_seen=last, source_ip=source_ip, destination_ip=destination_ip)
            for (s, d, port, protocol), (weight, first, last, process, source_ip, destination_ip)
            in sorted(self._edges.items(), key=lambda item: (item[0][0].lower(), item[0][1].lower(), *item[0][2:], *item[0][:2]))
        )


def lines(handle) -> Iterator[tuple[int, str]]:
    """(1-based line number, line without its end) for a text file opened with newline=''."""
    for number, line in enumerate(handle, start=1):
        yield number, line.rstrip("\r\n")
