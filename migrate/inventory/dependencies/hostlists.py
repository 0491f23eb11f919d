"""Connection lists collected on each host: Linux `ss -tanp`/`ss -tnp`, `netstat -tanp`, Windows `netstat -ano[b]`.

One file per host. The host is named by a header line `# host: NAME` or by the file name
(`NAME.ss.txt`, `NAME_netstat.txt`, `NAME-netstat-ano.txt`, `netstat_NAME.txt`, ...); an optional
`# collected: 2025-03-03T10:00:00Z` line dates the snapshot (first/last seen).

Established connections become edges. Listening sockets say which side serves: a connection
whose local port is one the host listens on is inbound (remote → host, on the local port); any
other is outbound (host → remote, on the remote port). Without any listening socket in the
file (`ss -tnp` without `-a`), the side with the lower port is taken as the server and a warning
says so. The process kept is the host's side of the connection: the serving process for an
inbound edge, the client for an outbound one. Loopback and non-TCP sockets are skipped and counted. Addresses come out canonical:
`[::ffff:10.1.2.3]:443` and `::ffff:10.1.2.3:443` both mean 10.1.2.3 port 443.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from migrate.inventory.dependencies.common import (EdgeAccumulator, FileProblems, is_loopback, lines, parse_address,
                                                   parse_timestamp)
from migrate.inventory.dependencies.registry import PARSERS, SCANNED_LINES, Sample, line_score
from migrate.inventory.formats import Format
from migrate.inventory.model import ParsedFile
from migrate.inventory.names import printable
from migrate.inventory.tables.text import open_text

SS_STATES = {"ESTAB", "LISTEN", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "CLOSE-WAIT",
             "LAST-ACK", "CLOSING", "CLOSED", "UNCONN", "UNKNOWN"}
SS_NETIDS = {"tcp", "udp", "raw", "u_str", "u_dgr", "u_seq", "nl", "p_raw", "p_dgr", "v_str", "v_dgr", "xdp",
             "mptcp", "tipc", "sctp"}
ESTABLISHED = {"ESTAB", "ESTABLISHED", "HERGESTELLT", "ESTABLECIDO", "ÉTABLI", "ETABLI"}
LISTENING = {"LISTEN", "LISTENING", "ABHÖREN", "ESCUCHANDO", "ÉCOUTE", "ECOUTE"}
NETSTAT_PROTOCOLS = {"tcp", "tcp4", "tcp6", "udp", "udp4", "udp6"}

_HEADER_LINE = re.compile(r"^#\s*(host|hostname|collected|date|time|timestamp)\s*[:=]\s*(.+?)\s*$", re.I)
_FILE_NAME = re.compile(
    r"^(?:(?:ss|netstat)[._-](?P<prefixed>.+)"
    r"|(?P<suffixed>.+?)[._-](?:ss|netstat)(?:[._-]+-?[a-z]+)?)$", re.I)
_OPTIONS = re.compile(r"-?[atnpulobexW]{1,6}")
_SS_PROCESS = re.compile(r'users:\(\("([^"]+)"')


@dataclass(frozen=True)
class Socket:
    line: int
    state: str
    """"listen", "established" or "other"."""
    local: str
    local_port: int | None
    """None for `*` (any port)."""
    remote: str
    """A canonical address, or `*` for any."""
    remote_port: int | None
    process: str | None
    tcp: bool = True


def host_from_file_name(path: Path) -> str | None:
    name = printable(path.name)  # bytes of a non-UTF-8 name stay visible as \xNN
    for extension in (".txt", ".log", ".out"):
        if name.lower().endswith(extension):
            name = name[: -len(extension)]
    match = _FILE_NAME.match(name)
    if not match:
        return None
    host = (match.group("prefixed") or match.group("suffixed")).strip()
    # `ss-tanp.txt` names the command's options, not a host.
    return None if not host or _OPTIONS.fullmatch(host) else host


def split_endpoint(text: str) -> tuple[str, str]:
    """`[::1]:22`, `10.0.0.5:22`, `::ffff:10.0.0.5:22`, `:::22`, `*:22`, `0.0.0.0:*` → (address, port)."""
    if text.startswith("["):
        address, _, rest = text[1:].partition("]")
        return address, rest.lstrip(":")
    address, _, port = text.rpartition(":")
    return address, port


def _endpoint(text: str) -> tuple[str, int | None] | None:
    address, port = split_endpoint(text)
    address = address.split("%", 1)[0]
    if address in ("*", "", "::", "0.0.0.0"):
        canonical = "*"
    else:
        parsed = parse_address(address)
        if parsed is None:
            return None
        canonical = parsed
    if port in ("*", ""):
        return canonical, None
    if not port.isdigit() or not 0 <= int(port) < 65536:
        return None
    return canonical, int(port)


def _state(word: str) -> str:
    word = word.upper()
    return "established" if word in ESTABLISHED else "listen" if word in LISTENING else "other"


def parse_ss_line(number: int, tokens: list[str]) -> Socket | str | None:
    """A Socket, None for a line that carries no socket (header), or the reason the line is malformed."""
    tcp = True
    if tokens[0].lower() in SS_NETIDS:
        tcp = tokens[0].lower() in ("tcp", "mptcp")
        tokens = tokens[1:]
    if not tokens or tokens[0].upper() not in SS_STATES:
        return None if tokens and tokens[0] in ("State", "Netid") else "not an ss socket line"
    if len(tokens) < 5:
        return "expected State, Recv-Q, Send-Q, Local Address:Port and Peer Address:Port"
    local, remote = _endpoint(tokens[3]), _endpoint(tokens[4])
    if local is None or remote is None:
        return (f"cannot read the addresses {tokens[3]!r} and {tokens[4]!r} (collect with -n for numeric "
                f"addresses and ports)")
    found = _SS_PROCESS.search(" ".join(tokens[5:]))
    return Socket(number, _state(tokens[0]), *local, *remote, found.group(1) if found else None, tcp)


def parse_netstat_line(number: int, tokens: list[str]) -> Socket | str | None:
    protocol = tokens[0].lower()
    if protocol not in NETSTAT_PROTOCOLS:
        return None
    tcp = protocol.startswith("tcp")
    if len(tokens) >= 6 and tokens[1].isdigit() and tokens[2].isdigit():
        # Linux: Proto Recv-Q Send-Q Local Foreign State PID/Program (UDP rows have no state).
        local_text, remote_text = tokens[3], tokens[4]
        state = tokens[5] if tcp else ""
        owner = " ".join(tokens[6:] if tcp else tokens[5:])
        program = owner.split("/", 1)[1].strip() if "/" in owner else None
    elif len(tokens) >= 4:
        # Windows: Proto Local Foreign State PID (UDP rows have no state).
        local_text, remote_text = tokens[1], tokens[2]
        state = tokens[3] if tcp and len(tokens) >= 5 else ""
        program = None
    else:
        return "expected Proto, Local Address, Foreign Address and State"
    local, remote = _endpoint(local_text), _endpoint(remote_text)
    if local is None or remote is None:
        return (f"cannot read the addresses {local_text!r} and {remote_text!r} (collect with -n for numeric "
                f"addresses; Linux netstat also cuts long addresses unless run with -W)")
    return Socket(number, _state(state) if state else "other", *local, *remote, program or None, tcp)


def read_sockets(path: Path, encoding: str, tool: str, problems: FileProblems) -> tuple[list[Socket], dict[str, str]]:
    parse_line = parse_ss_line if tool == "ss" else parse_netstat_line
    sockets: list[Socket] = []
    meta: dict[str, str] = {}
    with open_text(path, encoding) as handle:
        for number, line in lines(handle):
            text = line.strip()
            if not text:
                continue
            if text.startswith("#"):
                header = _HEADER_LINE.match(text)
                if header:
                    key = "host" if header.group(1).lower() in ("host", "hostname") else "collected"
                    meta.setdefault(key, header.group(2))
                    meta.setdefault(f"{key}_line", str(number))
                continue
            if tool == "netstat" and text.startswith("Active UNIX domain sockets"):
                break
            if tool == "netstat" and text.startswith("[") and text.endswith("]") and sockets:
                # `netstat -anob` names the owning executable on the line after the connection.
                last = sockets[-1]
                if last.process is None and number - last.line <= 2:
                    sockets[-1] = Socket(last.line, last.state, last.local, last.local_port, last.remote,
                                         last.remote_port, text[1:-1], last.tcp)
                continue
            result = parse_line(number, text.split())
            if isinstance(result, str):
                if tool == "ss" or text.split()[0].lower() in NETSTAT_PROTOCOLS:
                    problems.at(result, number)
            elif result is not None:
                sockets.append(result)
    return sockets, meta


def parse(path: Path, encoding: str, display: str, tool: str) -> ParsedFile:
    problems = FileProblems(display)
    sockets, meta = read_sockets(path, encoding, tool, problems)
    host = meta.get("host") or host_from_file_name(path) or ""
    if not host:
        problems.at("cannot tell which host this was collected on: name the file <host>.ss.txt or "
                    "<host>_netstat.txt, or add a line '# host: NAME'")
    collected = None
    if "collected" in meta:
        collected = parse_timestamp(meta["collected"])
        if collected is None:
            problems.at(f"{meta['collected']!r} is not a date and time", int(meta["collected_line"]))
    if not problems and not any(s.tcp and s.state in ("established", "listen") for s in sockets):
        problems.at(f"no TCP connections found: is this the output of {tool}?")
    problems.raise_if_any()

    listening = {s.local_port for s in sockets if s.tcp and s.state == "listen"}
    skipped: dict[str, int] = {}
    edges = EdgeAccumulator()
    for socket in sockets:
        reason = _skip_reason(socket)
        local_port, remote_port = socket.local_port, socket.remote_port
        if reason is not None or local_port is None or remote_port is None:
            reason = reason or "no port"
            skipped[reason] = skipped.get(reason, 0) + 1
            continue
        local_ip = None if socket.local == "*" else socket.local
        if listening:
            inbound = local_port in listening
        else:
            inbound = local_port < remote_port
        if inbound:
            edges.add(socket.remote, host, local_port, process=socket.process, first_seen=collected,
                      last_seen=collected, source_ip=socket.remote, destination_ip=local_ip)
        else:
            edges.add(host, socket.remote, remote_port, process=socket.process, first_seen=collected,
                      last_seen=collected, source_ip=local_ip, destination_ip=socket.remote)

    skipped.pop("listening socket", None)
    warnings: tuple[str, ...] = ()
    if not listening and len(edges):
        warnings = ("no listening sockets in the file (collect with `ss -tanp` / `netstat -ano`): the side with "
                    "the lower port was taken as the server",)
    return ParsedFile(path=display, format=tool, dependencies=edges.dependencies(), skipped=skipped,
                      warnings=warnings)


def _skip_reason(socket: Socket) -> str | None:
    """Why a socket gives no edge, before its ports are looked at (None: it may give one)."""
    if not socket.tcp:
        return "listening socket" if socket.state == "listen" else "not tcp"
    if socket.state != "established":
        return "listening socket" if socket.state == "listen" else "not established"
    if socket.remote == "*" or is_loopback(socket.remote) or socket.remote == socket.local:
        return "loopback"
    return None


# -- detection: the first of the first lines that looks like either tool's output decides -----------

_SS_HEADER = re.compile(r"^(Netid\s+)?State\s+Recv-Q\s+Send-Q\s+Local\s+Address:Port", re.I)
_NETSTAT_HEADER = re.compile(r"^(Active (Internet )?Connections|Proto\s+(Recv-Q|Local Address))", re.I)
# A line that looks like both (`tcp ESTAB ...`: a netid and a protocol) is ss's: netstat's score for a
# line is a little below ss's for the same line, still above either's for the next line.
_SAME_LINE_BELOW_SS = 0.005


def _looks_like_ss(line: str) -> bool:
    tokens = line.split()
    return bool(_SS_HEADER.match(line) or tokens[0] in SS_STATES or (
        len(tokens) > 1 and tokens[0] in SS_NETIDS and tokens[1] in SS_STATES))


def _looks_like_netstat(line: str) -> bool:
    return bool(_NETSTAT_HEADER.match(line) or line.split()[0].lower() in NETSTAT_PROTOCOLS)


def sniff_ss(sample: Sample) -> float:
    return next((line_score(index) for index, line in enumerate(sample.lines[:SCANNED_LINES])
                 if _looks_like_ss(line)), 0.0)


def sniff_netstat(sample: Sample) -> float:
    return next((line_score(index) - _SAME_LINE_BELOW_SS for index, line in enumerate(sample.lines[:SCANNED_LINES])
                 if _looks_like_netstat(line)), 0.0)


_COLLECTED = "collected on one host (named by the file, e.g. HOST.{0}.txt, or a '# host: NAME' line)"
SS = PARSERS.register(Format(name="ss", order=2, parse=partial(parse, tool="ss"), sniff=sniff_ss,
                             description=f"`ss -tanp` {_COLLECTED.format('ss')}"))
NETSTAT = PARSERS.register(Format(name="netstat", order=3, parse=partial(parse, tool="netstat"), sniff=sniff_netstat,
                                  description=f"`netstat -tanp` or Windows `netstat -ano` {_COLLECTED.format('netstat')}"))
