"""Generated input thrown at every importer: it parses or raises InputError, never anything else;
and rows built from valid values come back with the same key fields."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migrate.inventory.importers import parse
from migrate.inventory.model import DATA_CLASSIFICATIONS, ENVIRONMENTS, InputError, ParsedFile

from tests.conftest import examples

from .conftest import VDISK_4X, VINFO_4X, VNETWORK_4X, rows_for, write_csv, write_xlsx

SETTINGS = settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
XLSX_SETTINGS = settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Anything a spreadsheet cell might hold: text in any script (no lone surrogates: no file can hold
# them), numbers small, negative, fractional and huge, booleans, blanks.
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
cell = st.one_of(text, st.integers(min_value=-10**30, max_value=10**30),
                 st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.just(""),
                 st.sampled_from(["1,024", "4,5", "10.0.0.1", "10.0.0.1, 10.0.0.2", "poweredOn", "prd", "phi", "True",
                                  "1e999", "-0", "NaN", "Windows Server 2019", "a.b.c", "=SUM(A1)", " ", "\t"]))

FORMAT_HEADERS = {
    "azure-migrate": ["*Server name", "IP addresses", "*Cores", "*Memory (In MB)", "*OS name", "OS version",
                      "CPU utilization percentage", "Boot type", "Disk 1 size (In GB)", "Disk 2 size (In GB)",
                      "Server type", "Hypervisor", "Virtual machine ID", "Business application name",
                      "Application 1 name"],
    "cmdb": ["name", "fqdn", "ip_address", "os", "os_version", "cpu_count", "cpu_core_count", "ram", "disk_space",
             "virtual", "used_for", "operational_status", "assigned_to", "u_custom"],
    "csv": ["name", "fqdn", "ips", "os", "os_family", "cores", "memory_mb", "disks", "storage_gb", "used_gb",
            "power_state", "template", "vm_uuid", "applications", "environment", "tier", "data_classification",
            "rto_hours", "cpu_utilization", "extra"],
    "appmap": ["server", "application", "environment", "tier", "data_classification", "owner", "application_type",
               "rto_hours", "note"],
    "rvtools": VINFO_4X,
}


def outcome(path: Path, format: str = "auto") -> ParsedFile | None:
    """Parse; InputError is an acceptable answer to garbage, any other exception fails the test."""
    try:
        return parse(path, format)
    except InputError as error:
        assert error.problems and all(p.file and p.message for p in error.problems)
        return None


def rows_of(width: int):
    return st.lists(st.lists(cell, min_size=0, max_size=width + 2), max_size=8)


@pytest.mark.parametrize("format", sorted(FORMAT_HEADERS))
@SETTINGS
@given(data=st.data())
def test_generated_csv_rows_parse_or_raise_input_error(format, data):
    header = FORMAT_HEADERS[format]
    rows = data.draw(rows_of(len(header)))
    delimiter = data.draw(st.sampled_from([",", ";", "\t"]))
    encoding = data.draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
    with tempfile.TemporaryDirectory() as directory:
        path = write_csv(Path(directory) / "export.csv", [header, *rows], encoding=encoding, delimiter=delimiter)
        outcome(path, format)
        outcome(path)


@XLSX_SETTINGS
@given(info=rows_of(len(VINFO_4X)), disks=rows_of(len(VDISK_4X)), network=rows_of(len(VNETWORK_4X)))
def test_generated_rvtools_workbooks_parse_or_raise_input_error(info, disks, network):
    with tempfile.TemporaryDirectory() as directory:
        path = write_xlsx(Path(directory) / "rv.xlsx", {"vInfo": [VINFO_4X, *info], "vDisk": [VDISK_4X, *disks],
                                                        "vNetwork": [VNETWORK_4X, *network]})
        outcome(path)


yaml_value = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), text),
                          lambda children: st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=4),
                          max_leaves=12)
server_entry = st.fixed_dictionaries({"name": st.one_of(text, st.integers(), st.none())},
                                     optional={key: yaml_value for key in
                                               ("ips", "cores", "memory_mb", "disks", "tier", "environment", "tags",
                                                "applications", "os", "power_state")})


@SETTINGS
@given(document=st.one_of(yaml_value, st.fixed_dictionaries({"servers": st.lists(server_entry, max_size=5)},
                                                            optional={"applications": yaml_value})))
def test_generated_yaml_parses_or_raises_input_error(document):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "estate.yaml"
        path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
        outcome(path)


@SETTINGS
@given(content=st.binary(max_size=2000), suffix=st.sampled_from([".csv", ".xlsx", ".yaml", ".txt"]))
def test_random_bytes_never_crash_an_importer(content, suffix):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"export{suffix}"
        path.write_bytes(content)
        outcome(path)
        for format in ("rvtools", "azure-migrate", "cmdb", "csv", "yaml", "appmap"):
            outcome(path, format)


# --- valid rows round-trip ---------------------------------------------------------------------

name = st.text(st.characters(whitelist_categories=("Lu", "Ll", "Nd")), min_size=1, max_size=12).map(
    lambda s: f"srv-{s}")
ipv4 = st.tuples(*[st.integers(0, 255)] * 4).map(lambda t: ".".join(map(str, t)))


def unique(names):
    return len({n.casefold() for n in names}) == len(names)


server_values = st.fixed_dictionaries({
    "cores": st.integers(1, 512), "memory_mb": st.integers(1, 4 * 1024 * 1024),
    "ips": st.lists(ipv4, max_size=3, unique=True), "environment": st.sampled_from(ENVIRONMENTS),
    "tier": st.integers(0, 3), "data_classification": st.sampled_from(DATA_CLASSIFICATIONS),
    "disks": st.lists(st.integers(1, 65536), max_size=4),
})


@SETTINGS
@given(names=st.lists(name, min_size=1, max_size=6).filter(unique), values=st.lists(server_values, min_size=6,
                                                                                      max_size=6))
def test_generic_csv_round_trips_key_fields(names, values):
    header = ["name", "cores", "memory_mb", "ips", "environment", "tier", "data_classification", "disks"]
    rows = [[n, v["cores"], v["memory_mb"], "; ".join(v["ips"]), v["environment"], v["tier"],
             v["data_classification"], ";".join(map(str, v["disks"]))] for n, v in zip(names, values)]
    with tempfile.TemporaryDirectory() as directory:
        parsed = parse(write_csv(Path(directory) / "s.csv", [header, *rows]), "csv")
    assert [(s.name, s.cores, s.memory_mb, list(s.ips), s.environment, s.tier, s.data_classification,
             [d.size_gb for d in s.disks]) for s in parsed.servers] == \
        [(n, v["cores"], v["memory_mb"], v["ips"], v["environment"], v["tier"], v["data_classification"],
          [float(d) for d in v["disks"]]) for n, v in zip(names, values)]


@SETTINGS
@given(names=st.lists(name, min_size=1, max_size=6).filter(unique), values=st.lists(server_values, min_size=6,
                                                                                      max_size=6))
def test_azure_migrate_and_cmdb_round_trip_key_fields(names, values):
    azure = [["*Server name", "IP addresses", "*Cores", "*Memory (In MB)", "*OS name", "Disk 1 size (In GB)"],
             *[[n, ",".join(v["ips"]), v["cores"], v["memory_mb"], "Ubuntu 22.04", v["disks"][0] if v["disks"] else ""]
               for n, v in zip(names, values)]]
    cmdb = [["name", "ip_address", "cpu_core_count", "ram", "used_for"],
            *[[n, ",".join(v["ips"]), v["cores"], v["memory_mb"], "Production"] for n, v in zip(names, values)]]
    with tempfile.TemporaryDirectory() as directory:
        from_azure = parse(write_csv(Path(directory) / "a.csv", azure, delimiter=";"))
        from_cmdb = parse(write_csv(Path(directory) / "c.csv", cmdb, encoding="utf-16", delimiter="\t"))
    expected = [(n, v["cores"], v["memory_mb"], tuple(v["ips"])) for n, v in zip(names, values)]
    assert [(s.name, s.cores, s.memory_mb, s.ips) for s in from_azure.servers] == expected
    assert [(s.name, s.cores, s.memory_mb, s.ips) for s in from_cmdb.servers] == expected
    assert [s.os_version for s in from_azure.servers] == ["22.04"] * len(names)
    assert {s.environment for s in from_cmdb.servers} == {"prd"}


@XLSX_SETTINGS
@given(names=st.lists(name, min_size=1, max_size=6).filter(unique), values=st.lists(server_values, min_size=6,
                                                                                      max_size=6),
       powered=st.lists(st.booleans(), min_size=6, max_size=6))
def test_rvtools_round_trips_key_fields(names, values, powered):
    info = rows_for(VINFO_4X, [{"VM": n, "CPUs": v["cores"], "Memory": v["memory_mb"], "Template": False,
                                "Powerstate": "poweredOn" if on else "poweredOff",
                                "Primary IP Address": v["ips"][0] if v["ips"] else ""}
                               for n, v, on in zip(names, values, powered)])
    disks = rows_for(VDISK_4X, [{"VM": n, "Disk": f"Hard disk {i}", "Capacity MiB": size * 1024}
                                for n, v in zip(names, values) for i, size in enumerate(v["disks"], start=1)])
    with tempfile.TemporaryDirectory() as directory:
        parsed = parse(write_xlsx(Path(directory) / "rv.xlsx", {"vInfo": info, "vDisk": disks}))
    assert [(s.name, s.cores, s.memory_mb, s.power_state, s.ips[:1], [d.size_gb for d in s.disks])
            for s in parsed.servers] == \
        [(n, v["cores"], v["memory_mb"], "on" if on else "off", tuple(v["ips"][:1]), [float(d) for d in v["disks"]])
         for n, v, on in zip(names, values, powered)]


@SETTINGS
@given(names=st.lists(name, min_size=1, max_size=6).filter(unique), values=st.lists(server_values, min_size=6,
                                                                                      max_size=6),
       owner=st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1, max_size=20))
def test_application_mapping_round_trips(names, values, owner):
    rows = [["server", "application", "environment", "tier", "data_classification", "owner"],
            *[[n, f"app-{i % 2}", v["environment"], v["tier"], v["data_classification"], owner]
              for i, (n, v) in enumerate(zip(names, values))]]
    with tempfile.TemporaryDirectory() as directory:
        parsed = parse(write_csv(Path(directory) / "m.csv", rows))
    assert parsed.mapping_only
    assert [(s.name, s.applications, s.environment, s.tier, s.data_classification, s.owner)
            for s in parsed.servers] == \
        [(n, (f"app-{i % 2}",), v["environment"], v["tier"], v["data_classification"], owner)
         for i, (n, v) in enumerate(zip(names, values))]
