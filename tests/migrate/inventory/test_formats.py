"""The format registries (issue 11 section 5): importers and dependency parsers each register a
`Format`; detection picks the best sniff score; a new format is one module."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from migrate.inventory.dependencies import PARSERS, detect_format, parse_dependency_file
from migrate.inventory.dependencies.registry import Sample as DependencySample
from migrate.inventory.formats import Format, Registry
from migrate.inventory.importers import IMPORTERS, detect, parse
from migrate.inventory.importers.registry import EXPECTED
from migrate.inventory.model import InputError
from tests.conftest import REPO

from .importers.conftest import rvtools_sheets, write_csv, write_xlsx

SAMPLE = REPO / "migrate" / "data" / "sample_estate"


# -- inventory importers: every format has fixtures, and sniffs them best --------------------


def _rvtools_directory(tmp_path: Path) -> Path:
    for tab, rows in rvtools_sheets().items():
        write_csv(tmp_path / f"RVTools_tab{tab}.csv", rows)
    return tmp_path


def _yaml_by_content(tmp_path: Path) -> Path:
    path = tmp_path / "estate.txt"
    path.write_text("# exported by hand\n---\nservers:\n  - name: web01\n", encoding="utf-8")
    return path


IMPORTER_FIXTURES = {
    "rvtools": [lambda tmp: SAMPLE / "rvtools-export.xlsx", _rvtools_directory,
                lambda tmp: write_csv(tmp / "vinfo.csv", rvtools_sheets()["vInfo"])],
    "azure-migrate": [lambda tmp: SAMPLE / "azure-migrate-import.csv",
                      lambda tmp: write_xlsx(tmp / "am.xlsx", {"Servers": [
                          ["*Server name", "*Cores", "*Memory (In MB)", "*OS name"], ["web01", 2, 4096, "RHEL 8"]]})],
    "cmdb": [lambda tmp: write_csv(tmp / "cmdb.csv", [["sys_id", "name", "ip_address", "os", "cpu_core_count", "ram"],
                                                      ["1", "web01", "10.0.0.1", "RHEL 8", "2", "4096"]])],
    "csv": [lambda tmp: write_csv(tmp / "servers.csv", [["name", "ips", "os", "cores", "memory_mb"],
                                                        ["web01", "10.0.0.1", "RHEL 8", "2", "4096"]])],
    "yaml": [lambda tmp: (tmp / "estate.yml").write_text("servers: []\n") and tmp / "estate.yml", _yaml_by_content],
    "appmap": [lambda tmp: SAMPLE / "application-mapping.csv"],
}


def test_every_importer_has_fixtures_here():
    # A new format registers itself; this test then asks for its fixtures.
    assert set(IMPORTER_FIXTURES) == set(IMPORTERS.names())


@pytest.mark.parametrize("name,index", [(name, i) for name, builders in IMPORTER_FIXTURES.items()
                                        for i in range(len(builders))])
def test_every_importer_sniffs_its_own_fixtures_best(tmp_path, name, index):
    path = IMPORTER_FIXTURES[name][index](tmp_path)
    assert detect(path) == name
    assert parse(path).format == name


def test_importers_are_listed_in_their_order_with_descriptions():
    assert IMPORTERS.names() == ("rvtools", "azure-migrate", "cmdb", "csv", "yaml", "appmap")
    assert all(f.description and "\n" not in f.description for f in IMPORTERS)
    assert IMPORTERS.listing().startswith("rvtools: RVTools .xlsx, or its CSV export")


def test_an_unknown_file_gives_the_error_it_always_gave(tmp_path):
    path = write_csv(tmp_path / "hosts.csv", [["Hostname", "Owner"], ["a", "b"]])
    with pytest.raises(InputError) as caught:
        detect(path)
    [problem] = caught.value.problems
    assert problem.message == (
        "format not recognised from its headers (hostname, owner); expected one of: an RVTools export (xlsx "
        "with a vInfo sheet, or RVTools_tabvInfo.csv); an Azure Migrate import CSV (*Server name, *Cores, "
        "*Memory (In MB), *OS name); a ServiceNow cmdb_ci_server export (name, ip_address, os, cpu_core_count, "
        "ram, ...); carelift's CSV (name, ips, os, cores, memory_mb, disks, ...) or YAML (servers:); an "
        "application mapping (server, application, environment, tier, data_classification, owner). Or name "
        "the format with --format")
    assert EXPECTED in problem.message


def test_a_tie_between_servicenow_and_carelift_csv_asks_for_the_format(tmp_path):
    # One ServiceNow column (ip_address) and one of carelift's (cores): equal scores, so the user decides.
    path = write_csv(tmp_path / "x.csv", [["name", "ip_address", "cores"], ["a", "10.0.0.1", "2"]])
    with pytest.raises(InputError) as caught:
        detect(path)
    assert caught.value.problems[0].message == ("could be a ServiceNow export or carelift's CSV: name the format "
                                                "with --format cmdb or --format csv")


def test_layout_evidence_wins_without_reading_the_header(tmp_path):
    # An RVTools tab file is RVTools by its name even when its first line looks like YAML or a CMDB header:
    # the name is the stronger evidence (and the header is never read).
    path = tmp_path / "RVTools_tabvInfo.csv"
    path.write_text("servers:\nname,ip_address,ram\n", encoding="utf-8")
    assert detect(path) == "rvtools"


# -- dependency parsers ---------------------------------------------------------------------------

SS = ("State Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
      "ESTAB 0 0 10.2.0.5:443 10.6.0.21:53422 users:((\"nginx\",pid=813,fd=12))\n"
      "LISTEN 0 128 0.0.0.0:443 0.0.0.0:*\n")
SS_WITH_NETID = ("Netid State Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
                 "tcp ESTAB 0 0 10.2.0.5:443 10.6.0.21:53422\ntcp LISTEN 0 128 0.0.0.0:443 0.0.0.0:*\n")
NETSTAT = ("Active Internet connections (servers and established)\n"
           "Proto Recv-Q Send-Q Local Address Foreign Address State PID/Program name\n"
           "tcp 0 0 0.0.0.0:2575 0.0.0.0:* LISTEN 1200/hciengine\n"
           "tcp 0 0 10.4.0.10:2575 10.2.0.31:51000 ESTABLISHED 1200/hciengine\n")
WINDOWS_NETSTAT = ("\nActive Connections\n\n  Proto  Local Address          Foreign Address        State           PID\n"
                   "  TCP    0.0.0.0:1433           0.0.0.0:0              LISTENING       2100\n"
                   "  TCP    10.5.0.9:1433          10.2.0.5:40100         ESTABLISHED     2100\n")

PARSER_FIXTURES = {
    "azure-migrate": [lambda tmp: SAMPLE / "azure-migrate-dependencies.csv"],
    "ss": [lambda tmp: _text(tmp / "web01.ss.txt", SS), lambda tmp: _text(tmp / "web01.ss.txt", SS_WITH_NETID)],
    "netstat": [lambda tmp: _text(tmp / "hl7_netstat.txt", NETSTAT),
                lambda tmp: _text(tmp / "db01-netstat.txt", WINDOWS_NETSTAT)],
    "csv": [lambda tmp: _text(tmp / "flows.csv", "source,destination,port\nweb01,db01,1433\n"),
            lambda tmp: _text(tmp / "flows.tsv", "src\tdst\tdport\nweb01\tdb01\t1433\n")],
}


def _text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_every_dependency_parser_has_fixtures_here():
    assert set(PARSER_FIXTURES) == set(PARSERS.names())


@pytest.mark.parametrize("name,index", [(name, i) for name, builders in PARSER_FIXTURES.items()
                                        for i in range(len(builders))])
def test_every_dependency_parser_sniffs_its_own_fixtures_best(tmp_path, name, index):
    path = PARSER_FIXTURES[name][index](tmp_path)
    head = path.read_text(encoding="utf-8")[:65536]
    ranked = PARSERS.ranked(DependencySample(head))
    assert ranked[0][1].name == name and all(score < ranked[0][0] for score, _ in ranked[1:])
    assert detect_format(head) == name
    assert parse_dependency_file(path).dependencies


def test_a_line_that_is_both_ss_and_netstat_is_ss():
    # `tcp ESTAB` is an ss netid and state, and a netstat protocol: ss, as it always was.
    assert detect_format("tcp ESTAB 0 0 10.0.0.1:22 10.0.0.2:5000\n") == "ss"
    # The earlier line decides between the two.
    assert detect_format("junk\ntcp 0 0 1.2.3.4:22 5.6.7.8:9 ESTABLISHED\nESTAB 0 0 1:2 3:4\n") == "netstat"


def test_an_unknown_dependency_file_gives_the_error_it_always_gave(tmp_path):
    with pytest.raises(InputError) as caught:
        parse_dependency_file(_text(tmp_path / "x.csv", "name,owner\nweb01,ops\n"))
    [problem] = caught.value.problems
    assert str(problem) == (f"{tmp_path / 'x.csv'}, row 1: cannot tell the format: expected an Azure Migrate "
                            "dependency export, a CSV with source,destination,port columns, or ss/netstat output "
                            "(or pass --format)")


# -- the registry itself: a new format is one module ----------------------------------------------


def test_a_new_format_is_one_module_that_registers_itself(tmp_path, monkeypatch):
    package = tmp_path / "formats_demo"
    package.mkdir()
    (package / "__init__.py").write_text("from migrate.inventory.formats import Registry\n"
                                         "REGISTRY = Registry('formats_demo')\n")
    for name, order, score in (("beta", 2, 0.5), ("alpha", 1, 0.5), ("gamma", 3, 0.9)):
        (package / f"{name}.py").write_text(
            "from migrate.inventory.formats import Format\nfrom formats_demo import REGISTRY\n"
            f"REGISTRY.register(Format(name={name!r}, description='the {name} format', parse=print, order={order},"
            f" sniff=lambda sample: {score} if sample == {name!r} or sample == 'any' else 0))\n")
    (package / "helpers.py").write_text("SHARED = 1\n")  # a module without a format adds none
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        from formats_demo import REGISTRY

        assert REGISTRY.names() == ("alpha", "beta", "gamma")
        assert REGISTRY.listing() == "alpha: the alpha format; beta: the beta format; gamma: the gamma format"
        assert [f.name for f in REGISTRY.best("beta")] == ["beta"]
        assert [f.name for f in REGISTRY.best("any")] == ["gamma"]
        assert REGISTRY.best("nothing") == ()
        assert REGISTRY.get("delta") is None
    finally:
        for name in [m for m in sys.modules if m == "formats_demo" or m.startswith("formats_demo.")]:
            del sys.modules[name]


def test_equal_scores_are_listed_in_order_and_two_formats_of_one_name_are_a_bug():
    registry = Registry("migrate.inventory.formats")  # a module, not a package: nothing to discover
    registry._loaded = True
    first = registry.register(Format("b", "b", print, lambda sample: 0.4, order=2))
    registry.register(Format("a", "a", print, lambda sample: 0.4, order=1))
    assert [f.name for f in registry.best(None)] == ["a", "b"]
    with pytest.raises(RuntimeError, match="two formats are called 'b'"):
        registry.register(Format("b", "another b", print, lambda sample: 0, order=3))
    assert registry.register(first) is first  # the same format object again is no conflict
