from __future__ import annotations

import pytest

from migrate.inventory.importers import parse
from migrate.inventory.model import Application, InputError

from .conftest import write_csv, write_xlsx

HEADER = ["server", "application", "environment", "tier", "data_classification", "owner", "cost center"]


def problems(path):
    with pytest.raises(InputError) as caught:
        parse(path)
    return caught.value.problems


def test_mapping_rows_annotate_servers_and_describe_applications(tmp_path):
    rows = [HEADER,
            ["EPICPRD01", "Epic", "Production", "0", "ePHI", "EHR team", "4100"],
            ["epicprd01.rbh.local", "Clarity", "prod", "T0", "phi", "", ""],   # same server, second application
            ["mirth01", "Mirth", "prd", "1", "phi", "Integration", "4200"],
            ["devbox", "", "development", "", "", "", ""]]
    parsed = parse(write_csv(tmp_path / "appmap.csv", rows))
    assert parsed.format == "appmap" and parsed.mapping_only
    epic, mirth, devbox = parsed.servers
    assert (epic.name, epic.applications, epic.environment, epic.tier, epic.data_classification, epic.owner) == \
        ("EPICPRD01", ("Epic", "Clarity"), "prd", 0, "phi", "EHR team")
    assert epic.tags == (("cost-center", "4100"),)
    # A mapping only sets what it says: nothing about hardware, and no discovery source.
    assert (epic.cores, epic.sources, epic.os_family, epic.power_state) == (None, (), "unknown", "unknown")
    assert (mirth.tier, devbox.environment, devbox.applications) == (1, "dev", ())
    assert parsed.applications == (Application("Clarity", criticality=0, servers=("EPICPRD01",)),
                                   Application("Epic", criticality=0, servers=("EPICPRD01",)),
                                   Application("Mirth", criticality=1, servers=("mirth01",)))


@pytest.mark.parametrize("spelling,environment", [
    ("prd", "prd"), ("PROD", "prd"), ("Production", "prd"), ("test", "tst"), ("QA", "tst"), ("UAT", "tst"),
    ("dev", "dev"), ("Development", "dev"), ("training", "trn"), ("Release", "rel"), ("POC", "poc"),
    ("sandbox", "poc"), ("DR", "dr"), ("Disaster Recovery", "dr"), ("disaster-recovery", "dr"),
])
def test_environment_spellings(tmp_path, spelling, environment):
    path = write_csv(tmp_path / "m.csv", [["server", "environment"], ["a", spelling]])
    assert parse(path, "appmap").servers[0].environment == environment


def test_application_type_and_vendor_describe_the_application(tmp_path):
    rows = [["server", "application", "application_type", "vendor", "tier"],
            ["pacs01", "PACS", "pacs", "Sectra", "1"], ["pacs02", "PACS", "", "", "2"]]
    parsed = parse(write_csv(tmp_path / "m.csv", rows))
    assert parsed.applications == (Application("PACS", "pacs", "Sectra", 1, ("pacs01", "pacs02")),)


def test_invalid_values_and_conflicting_rows_are_reported(tmp_path):
    rows = [HEADER,
            ["a", "Epic", "production-ish", "4", "secret", "", ""],
            ["b", "Epic", "prd", "1", "phi", "Ann", "1"],
            ["B", "Lab", "tst", "1", "phi", "Bob", "2"],
            ["", "Epic", "", "", "", "", ""]]
    found = [(p.row, p.column, p.message) for p in problems(write_csv(tmp_path / "m.csv", rows))]
    assert found == [
        (2, "environment", "unknown environment 'production-ish' (expected one of prd, tst, dev, trn, rel, poc, dr)"),
        (2, "tier", "tier must be one of 0, 1, 2, 3 (0 = life-critical), got '4'"),
        (2, "data_classification", "unknown data classification 'secret' (expected one of phi, pii, internal, "
                                   "public)"),
        (4, "environment", "environment 'tst' for 'B' conflicts with 'prd' on row 3"),
        (4, "owner", "owner 'Bob' for 'B' conflicts with 'Ann' on row 3"),
        (4, None, "cost-center '2' for 'B' conflicts with '1' on row 3"),
        (5, "server", "the server name is empty"),
    ]


def test_missing_server_column_and_an_xlsx_mapping(tmp_path):
    path = write_csv(tmp_path / "m.csv", [["host", "application"], ["a", "b"]])
    [problem] = [p for p in problems_for(path, "appmap")]
    assert problem.message == "missing mandatory column 'server'"
    workbook = write_xlsx(tmp_path / "m.xlsx", {"Mapping": [HEADER, ["a", "Epic", "prd", 0, "phi", "x", 4100]]})
    [server] = parse(workbook).servers
    assert (server.tier, server.tags) == (0, (("cost-center", "4100"),))


def problems_for(path, format):
    with pytest.raises(InputError) as caught:
        parse(path, format)
    return caught.value.problems
