"""Host-collected connection lists: ss, Linux netstat, Windows netstat."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrate.inventory.dependencies import parse_dependency_file
from migrate.inventory.dependencies.hostlists import host_from_file_name, split_endpoint
from migrate.inventory.model import InputError

SS_TANP = """\
State      Recv-Q Send-Q Local Address:Port      Peer Address:Port     Process
LISTEN     0      128    0.0.0.0:443             0.0.0.0:*             users:(("nginx",pid=812,fd=6))
LISTEN     0      128    [::]:22                 [::]:*                users:(("sshd",pid=700,fd=4))
ESTAB      0      0      10.2.0.5:443            10.6.0.21:53422       users:(("nginx",pid=813,fd=12))
ESTAB      0      0      10.2.0.5:443            10.6.0.21:53423       users:(("nginx",pid=813,fd=13))
ESTAB      0      0      [::ffff:10.2.0.5]:443   [::ffff:10.6.0.22]:50000 users:(("nginx",pid=813,fd=14))
ESTAB      0      0      10.2.0.5:40100          10.5.0.9:5432         users:(("python3",pid=900,fd=3))
ESTAB      0      0      127.0.0.1:40200         127.0.0.1:6379        users:(("python3",pid=900,fd=5))
TIME-WAIT  0      0      10.2.0.5:40101          10.5.0.9:5432
ESTAB      0      0      [2001:db8::5]:22        [2001:db8::99]:61000  users:(("sshd",pid=1000,fd=4))
"""

NETSTAT_LINUX = """\
Active Internet connections (servers and established)
Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name
tcp        0      0 0.0.0.0:2575            0.0.0.0:*               LISTEN      1200/hciengine
tcp        0      0 10.4.0.10:2575          10.2.0.31:51000         ESTABLISHED 1200/hciengine
tcp        0      0 10.4.0.10:46000         10.2.0.40:2575          ESTABLISHED 1200/hciengine
tcp6       0      0 :::22                   :::*                    LISTEN      700/sshd
tcp6       0      0 ::ffff:10.4.0.10:2575   ::ffff:10.2.0.32:51001  ESTABLISHED 1200/hciengine
udp        0      0 0.0.0.0:68              0.0.0.0:*                           650/dhclient
Active UNIX domain sockets (servers and established)
Proto RefCnt Flags       Type       State         I-Node   PID/Program name     Path
unix  2      [ ACC ]     STREAM     LISTENING     17000    1/systemd            /run/systemd/private
"""

NETSTAT_WINDOWS = """\

Active Connections

  Proto  Local Address          Foreign Address        State           PID
  TCP    0.0.0.0:1433           0.0.0.0:0              LISTENING       2400
 [sqlservr.exe]
  TCP    10.5.0.24:1433         10.2.0.50:49712        ESTABLISHED     2400
 [sqlservr.exe]
  TCP    10.5.0.24:49800        10.1.0.10:389          ESTABLISHED     640
  RpcSs
 [svchost.exe]
  TCP    [::]:1433              [::]:0                 LISTENING       2400
  TCP    [::1]:1433             [::1]:49900            ESTABLISHED     2400
  UDP    0.0.0.0:123            *:*                                    1188
"""


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding, newline="")
    return path


def edges(parsed):
    return {(d.source, d.destination, d.port): d for d in parsed.dependencies}


def test_ss_listening_ports_make_connections_inbound(tmp_path):
    parsed = parse_dependency_file(write(tmp_path, "ehr-prd-web01.ss.txt", SS_TANP))
    assert parsed.format == "ss"
    found = edges(parsed)
    # Two connections from the same client to the same port are two observations of one edge.
    assert found[("10.6.0.21", "ehr-prd-web01", 443)].weight == 2
    assert found[("10.6.0.21", "ehr-prd-web01", 443)].process == "nginx"
    assert found[("10.6.0.21", "ehr-prd-web01", 443)].destination_ip == "10.2.0.5"
    # IPv4-mapped IPv6 is the same IPv4 client.
    assert ("10.6.0.22", "ehr-prd-web01", 443) in found
    # Not a listening port locally: outbound, to the remote's port.
    assert found[("ehr-prd-web01", "10.5.0.9", 5432)].process == "python3"
    assert ("2001:db8::99", "ehr-prd-web01", 22) in found
    assert len(found) == 4
    assert parsed.skipped == {"loopback": 1, "not established": 1}
    assert parsed.warnings == ()


def test_linux_netstat_with_ipv6_and_unix_sockets(tmp_path):
    parsed = parse_dependency_file(write(tmp_path, "hl7-prd-eng01_netstat.txt", NETSTAT_LINUX))
    assert parsed.format == "netstat"
    assert set(edges(parsed)) == {("10.2.0.31", "hl7-prd-eng01", 2575), ("10.2.0.32", "hl7-prd-eng01", 2575),
                                  ("hl7-prd-eng01", "10.2.0.40", 2575)}
    assert parsed.skipped == {"not tcp": 1}


def test_windows_netstat_ano_in_utf16_with_owning_executables(tmp_path):
    # Windows PowerShell's `netstat -anob > file` writes UTF-16LE with a BOM and CRLF line ends.
    text = NETSTAT_WINDOWS.replace("\n", "\r\n")
    parsed = parse_dependency_file(write(tmp_path, "rx-prd-db01-netstat.txt", text, encoding="utf-16"))
    found = edges(parsed)
    assert found[("10.2.0.50", "rx-prd-db01", 1433)].process == "sqlservr.exe"
    assert found[("rx-prd-db01", "10.1.0.10", 389)].process == "svchost.exe"
    assert len(found) == 2
    assert parsed.skipped == {"loopback": 1, "not tcp": 1}


def test_header_line_names_the_host_and_the_time(tmp_path):
    text = "# host: pacs-prd-gw01\n# collected: 2025-03-03T10:00:00Z\n" + SS_TANP
    parsed = parse_dependency_file(write(tmp_path, "capture.txt", text))
    edge = edges(parsed)[("10.6.0.21", "pacs-prd-gw01", 443)]
    assert edge.first_seen == edge.last_seen == "2025-03-03T10:00:00Z"


def test_without_listening_sockets_the_lower_port_serves_and_a_warning_says_so(tmp_path):
    established_only = "\n".join(line for line in SS_TANP.splitlines() if not line.startswith("LISTEN"))
    parsed = parse_dependency_file(write(tmp_path, "web01.ss.txt", established_only))
    assert ("10.6.0.21", "web01", 443) in edges(parsed)
    assert ("web01", "10.5.0.9", 5432) in edges(parsed)
    assert "lower port" in parsed.warnings[0]


def test_ss_with_netid_column_and_no_header(tmp_path):
    text = ("tcp   LISTEN 0 128 *:8080 *:*\n"
            "tcp   ESTAB  0 0   10.7.0.5:8080 10.6.0.9:50123\n"
            "udp   UNCONN 0 0   0.0.0.0:68 0.0.0.0:*\n")
    parsed = parse_dependency_file(write(tmp_path, "proxy01.ss.txt", text))
    assert set(edges(parsed)) == {("10.6.0.9", "proxy01", 8080)}


def test_unknown_host_is_a_problem(tmp_path):
    with pytest.raises(InputError, match="problem") as caught:
        parse_dependency_file(write(tmp_path, "capture.txt", SS_TANP))
    assert "# host: NAME" in caught.value.problems[0].message


def test_malformed_socket_lines_name_their_line(tmp_path):
    text = SS_TANP + "ESTAB 0 0 10.2.0.5:443 not-an-address:1\n"
    with pytest.raises(InputError) as caught:
        parse_dependency_file(write(tmp_path, "web01.ss.txt", text))
    [problem] = caught.value.problems
    assert problem.row == len(SS_TANP.splitlines()) + 1


def test_text_without_connections_is_a_problem(tmp_path):
    with pytest.raises(InputError) as caught:
        parse_dependency_file(write(tmp_path, "web01.ss.txt", "State Recv-Q Send-Q Local Address:Port\n"))
    assert "no TCP connections" in caught.value.problems[0].message


@pytest.mark.parametrize("name, host", [
    ("ehr-prd-web01.ss.txt", "ehr-prd-web01"), ("EHR-PRD-WEB01_netstat.txt", "EHR-PRD-WEB01"),
    ("rx-db01-netstat-ano.txt", "rx-db01"), ("netstat_lis-app01.txt", "lis-app01"),
    ("web01.riverbend.local.ss.log", "web01.riverbend.local"), ("ss-tanp.txt", None), ("capture.txt", None),
])
def test_host_from_file_name(name, host):
    assert host_from_file_name(Path(name)) == host


@pytest.mark.parametrize("text, expected", [
    ("10.0.0.5:22", ("10.0.0.5", "22")), ("[::1]:631", ("::1", "631")), (":::22", ("::", "22")),
    ("::ffff:10.0.0.5:443", ("::ffff:10.0.0.5", "443")), ("*:*", ("*", "*")), ("[fe80::1%eth0]:22", ("fe80::1%eth0", "22")),
])
def test_split_endpoint(text, expected):
    assert split_endpoint(text) == expected
