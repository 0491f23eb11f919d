from __future__ import annotations

import textwrap

import pytest

from migrate.inventory.importers import parse
from migrate.inventory.model import Application, Disk, InputError

from .conftest import write_csv

HEADER = ["name", "fqdn", "ips", "os", "cores", "memory_mb", "disks", "power_state", "applications", "environment",
          "tier", "data_classification", "owner", "rto_hours", "cpu_utilization", "Cost Center"]


def problems(path, format="auto"):
    with pytest.raises(InputError) as caught:
        parse(path, format)
    return caught.value.problems


def test_generic_csv_reads_every_documented_column_and_keeps_others_as_tags(tmp_path):
    rows = [HEADER,
            ["mirth01.rbh.local", "", "10.5.0.7; 10.5.0.8", "RHEL 8", "4", "16384", "os:100/40; data:500/320 shared",
             "poweredOn", "Mirth; ADT", "production", "tier 1", "PHI", "Integration team", "4", "37.5", "4100"],
            ["kiosk07", "", "", "Windows 10 Enterprise", "2", "8192", "64", "off", "", "dev", "3", "internal", "",
             "", "", ""]]
    parsed = parse(write_csv(tmp_path / "servers.csv", rows))
    assert parsed.format == "csv"
    mirth, kiosk = parsed.servers
    assert (mirth.name, mirth.fqdn, mirth.ips) == ("mirth01", "mirth01.rbh.local", ("10.5.0.7", "10.5.0.8"))
    assert (mirth.os_family, mirth.os_name, mirth.os_version, mirth.cores, mirth.memory_mb) == \
        ("linux", "Red Hat Enterprise Linux", "8", 4, 16384)
    assert mirth.disks == (Disk("os", 100.0, 40.0), Disk("data", 500.0, 320.0, True))
    assert (mirth.power_state, mirth.applications, mirth.environment, mirth.tier, mirth.data_classification) == \
        ("on", ("Mirth", "ADT"), "prd", 1, "phi")
    assert (mirth.owner, mirth.rto_hours, mirth.cpu_utilization, mirth.tags) == \
        ("Integration team", 4.0, 37.5, (("cost-center", "4100"),))
    assert kiosk.disks == (Disk("disk 1", 64.0),) and kiosk.power_state == "off" and kiosk.tags == ()
    assert parsed.applications == (Application("ADT", servers=("mirth01",)), Application("Mirth", servers=("mirth01",)))


def test_storage_columns_and_templates(tmp_path):
    rows = [["name", "storage_gb", "used_gb", "template", "os_family"],
            ["a", "200", "150", "", "linux"], ["tmpl", "40", "", "true", ""]]
    parsed = parse(write_csv(tmp_path / "s.csv", rows), "csv")
    assert [s.name for s in parsed.servers] == ["a"]
    assert parsed.servers[0].disks == (Disk("storage", 200.0, 150.0),)
    assert parsed.skipped == {"template": 1}


def test_every_bad_value_is_reported(tmp_path):
    rows = [HEADER + ["storage_gb"],
            ["a", "not a name!", "10.0.0.1;10.0.0", "", "0", "-5", "x:abc", "flying", "", "staging-ish", "5", "secret",
             "", "-1", "150", "", ""],
            ["b", "", "", "", "", "", "100/200", "", "", "", "", "", "", "", "", "", "50"],
            ["A", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""]]
    found = [(p.row, p.column) for p in problems(write_csv(tmp_path / "bad.csv", rows), "csv")]
    assert found == [(2, "fqdn"), (2, "ips"), (2, "environment"), (2, "data_classification"), (2, "power_state"),
                     (2, "tier"), (2, "cores"), (2, "memory_mb"), (2, "rto_hours"), (2, "cpu_utilization"),
                     (2, "disks"), (3, "disks"), (3, "storage_gb"), (4, "name")]


def test_yaml_inventory_with_applications(tmp_path):
    path = tmp_path / "estate.yaml"
    path.write_text(textwrap.dedent("""\
        servers:
          - &linux
            name: epic-prd-odb01
            os: Red Hat Enterprise Linux 8.6
            environment: prd
            ips: [10.20.1.11]
            cores: 32
            memory_mb: 262144
            disks:
              - {label: os, size_gb: 100, used_gb: 42}
              - {label: data, size_gb: 4096, shared: true}
            tier: 0
            data_classification: phi
            tags: {cost-center: 4100}
          - <<: *linux
            name: epic-prd-odb02
            ips: 10.20.1.12
            disks: []
          - name: epic-prd-web01
            os: Windows Server 2019 Datacenter
            applications: Epic
        applications:
          - {name: Epic, type: ehr, vendor: Epic Systems, criticality: 0, servers: [epic-prd-odb01]}
        """), encoding="utf-8")
    parsed = parse(path)
    assert parsed.format == "yaml"
    odb1, odb2, web = parsed.servers
    assert (odb1.os_name, odb1.os_version, odb1.environment, odb1.tier, odb1.data_classification) == \
        ("Red Hat Enterprise Linux", "8.6", "prd", 0, "phi")
    assert odb1.disks == (Disk("os", 100.0, 42.0), Disk("data", 4096.0, None, True))
    assert odb1.tags == (("cost-center", "4100"),) and odb1.applications == ("Epic",)
    # the merge key copies everything but what the entry overrides
    assert (odb2.ips, odb2.disks, odb2.cores, odb2.tier, odb2.applications) == (("10.20.1.12",), (), 32, 0, ())
    assert web.applications == ("Epic",)
    assert parsed.applications == (Application("Epic", "ehr", "Epic Systems", 0, ("epic-prd-odb01", "epic-prd-web01")),)


def test_yaml_problems_name_the_line_and_key(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(textwrap.dedent("""\
        servers:
          - name: a
            cores: many
            colour: blue
          - name: b
            disks: [{size_gb: -1}]
            tier: 9
          - name: A
          - just a string
        applications:
          - {name: X, type: mainframe, servers: [nobody]}
        """), encoding="utf-8")
    found = sorted((p.row, p.column or "", p.message) for p in problems(path))
    assert found == [
        (3, "cores", "expected a number, got 'many'"),
        (4, "colour", "unknown server field 'colour'"),
        (6, "disks", "disk 1 size_gb must not be negative, got -1"),
        (7, "tier", "tier must be one of 0, 1, 2, 3 (0 = life-critical), got '9'"),
        (8, "name", "duplicate server name 'A' (first on line 2)"),
        (9, "", "each server must be a mapping of fields"),
        (11, "type", "unknown application type 'mainframe' (expected one of ehr, pacs, lis, ris, pharmacy, "
                     "interface-engine, identity, file, vdi, reporting, other)"),
    ]


def test_yaml_application_naming_a_server_not_in_the_file(tmp_path):
    path = tmp_path / "apps.yaml"
    path.write_text("servers:\n  - name: a\napplications:\n  - name: X\n    servers: [a, nobody]\n", encoding="utf-8")
    [problem] = problems(path)
    assert (problem.row, problem.column, problem.message) == \
        (4, "servers", "application 'X' lists server 'nobody', which is not in this file")


@pytest.mark.parametrize("text,message", [
    ("servers: [\n", "is not valid YAML"),
    ("servers: []\ndefaults: {}\n", "unknown top-level key 'defaults' (expected servers, applications)"),
    ("- a\n- b\n", "expected a mapping with a 'servers:' list"),
    ("servers: 3\n", "expected 'servers:' with a list of servers"),
    ("servers:\n  - name: a\n    name: b\n", "key 'name' is given twice"),
])
def test_malformed_yaml(tmp_path, text, message):
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    assert message in problems(path)[0].message


def test_yaml_bombs_are_refused_quickly(tmp_path):
    # Each level merges the previous one twice: PyYAML's own flattening would build 2**40 entries.
    lines = ["a0: &a0 {k: v}"] + [f"a{n}: &a{n} {{<<: [*a{n - 1}, *a{n - 1}], k{n}: v}}" for n in range(1, 41)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\nservers:\n  - {<<: *a40, name: x}\n", encoding="utf-8")
    messages = [p.message for p in problems(path)]
    assert any("nested more than" in m for m in messages)


def test_the_readme_yaml_example_imports(tmp_path):
    from tests.conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Inventory formats"):]
    example = section[section.index("```yaml\n") + 8:section.index("```\n", section.index("```yaml\n") + 8)]
    path = tmp_path / "example.yaml"
    path.write_text(example, encoding="utf-8")
    [server] = parse(path).servers
    assert (server.name, server.tier, server.applications) == ("epic-prd-odb01", 0, ("Epic",))


def test_implausibly_large_numbers_are_refused(tmp_path):
    rows = [["name", "cores", "memory_mb", "disks"], ["a", "1e300", str(10**30), "99999999999999"]]
    found = [(p.column, p.message) for p in problems(write_csv(tmp_path / "huge.csv", rows), "csv")]
    assert found == [("cores", "1e+300 is implausibly large (at most 8,192)"),
                     ("memory_mb", "1e+30 is implausibly large (at most 67,108,864)"),
                     ("disks", "disk 1 size 99,999,999,999,999 is implausibly large (at most 104,857,600)")]


def test_yaml_lists_where_a_single_value_belongs(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("servers:\n  - name: a\n    owner: [ann, bob]\n    cores: {n: 2}\n", encoding="utf-8")
    assert sorted((p.row, p.column, p.message) for p in problems(path)) == [
        (3, "owner", "expected a single value, not a list or mapping"),
        (4, "cores", "expected a number, got a mapping")]
