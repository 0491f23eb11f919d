"""The whole assessment: overrides files (YAML, CSV, located errors), assess_estate on small
estates and on the shipped 400-server sample, determinism."""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import asdict, replace
from pathlib import Path

import pytest

from migrate.inventory.model import Application, Dependency, Disk, Server
from migrate.planning.assess import OverridesError, Overrides, assess_applications, assess_estate, load_overrides
from migrate.planning.readiness import NOT_READY
from migrate.planning.settings import PlanSettings

SETTINGS = PlanSettings()


def server(name: str, **changes) -> Server:
    base = Server(name=name, os_name="Windows Server", os_version="2019", os_family="windows", cores=4,
                  memory_mb=16384, disks=(Disk("os", 128.0), Disk("data", 200.0, used_gb=100.0)), power_state="on",
                  environment="prd", tier=2)
    return replace(base, **changes)


def problems(error: pytest.ExceptionInfo) -> list[str]:
    return [str(p) for p in error.value.problems]


# -- the overrides file -----------------------------------------------------------------------

def test_yaml_overrides_load(tmp_path: Path):
    path = tmp_path / "overrides.yaml"
    path.write_text("- {server: app01, strategy: Retain, reason: vendor contract until 2028}\n"
                    "- application: Kronos\n  strategy: repurchase\n  target: UKG Pro\n  reason: contract signed\n"
                    "- {application: Dictation, strategy: refactor, reason: rewrite, target: null}\n")
    overrides = load_overrides(path)
    assert overrides.source == str(path)
    first, second, third = overrides.entries
    assert (first.server, first.strategy, first.reason, first.row) == ("app01", "retain", "vendor contract until 2028", 1)
    assert (second.application, second.target, second.row) == ("Kronos", "UKG Pro", 2)
    assert third.target is None
    assert overrides.for_server("APP01") is first and overrides.for_application("kronos") is second
    wrapped = tmp_path / "wrapped.yml"
    wrapped.write_text("overrides:\n  - {server: app01, strategy: retire, reason: gone}\n")
    assert load_overrides(wrapped).entries[0].strategy == "retire"


def test_csv_overrides_load(tmp_path: Path):
    path = tmp_path / "overrides.csv"
    path.write_bytes("\ufeffServer,Application,Strategy,Reason,Target\n"
                     "app01,,rehost,still needed,\n"
                     ",,,,\n"
                     "# a comment row\n"
                     ",Kronos,repurchase,\"contract, signed\",UKG Pro\n".encode())
    first, second = load_overrides(path).entries
    assert (first.server, first.application, first.strategy, first.target, first.row) == \
        ("app01", None, "rehost", None, 2)
    assert (second.application, second.reason, second.target, second.row) == ("Kronos", "contract, signed", "UKG Pro", 5)


def test_empty_files_are_no_overrides(tmp_path: Path):
    (tmp_path / "a.yaml").write_text("")
    (tmp_path / "b.csv").write_text("")
    assert load_overrides(tmp_path / "a.yaml").entries == ()
    assert load_overrides(tmp_path / "b.csv").entries == ()


def test_bad_csv_rows_are_located_by_file_row_and_column(tmp_path: Path):
    path = tmp_path / "overrides.csv"
    path.write_text("server,application,strategy,reason\n"
                    "app01,,rehost,fine\n"
                    "app02,,lift-and-shift,why not\n"
                    "app03,,retire,\n"
                    "app04,Kronos,retire,both\n"
                    "app01,,retain,twice\n"
                    ",,retire,nobody\n")
    with pytest.raises(OverridesError) as error:
        load_overrides(path)
    assert problems(error) == [
        f"{path}, row 3, column 'strategy': unknown strategy 'lift-and-shift' (expected one of: retire, retain, "
        "rehost, replatform, repurchase, refactor, relocate)",
        f"{path}, row 4, column 'reason': a reason is required: the plan records why the rule was overridden",
        f"{path}, row 5, column 'server': needs exactly one of server or application",
        f"{path}, row 6, column 'server': server app01 already has an override (row 2)",
        f"{path}, row 7, column 'application': needs exactly one of server or application",
    ]


def test_bad_csv_header(tmp_path: Path):
    path = tmp_path / "overrides.csv"
    path.write_text("host,strategy,why\napp01,rehost,x\n")
    with pytest.raises(OverridesError) as error:
        load_overrides(path)
    assert problems(error) == [
        f"{path}, row 1, column 'host': unknown column (expected: server, application, strategy, reason, target)",
        f"{path}, row 1, column 'why': unknown column (expected: server, application, strategy, reason, target)",
        f"{path}, row 1: the header has no reason column",
        f"{path}, row 1: the header has no server or application column",
    ]


def test_bad_yaml_entries_are_located_by_line_and_field(tmp_path: Path):
    path = tmp_path / "overrides.yaml"
    path.write_text("- server: app01\n"
                    "  strategy: rehost\n"
                    "  reason: ok\n"
                    "- server: app02\n"
                    "  strategy: teleport\n"
                    "  reason: fast\n"
                    "  owner: me\n")
    with pytest.raises(OverridesError) as error:
        load_overrides(path)
    assert problems(error) == [
        f"{path}, row 7, column 'owner': unknown field (expected: server, application, strategy, reason, target)",
        f"{path}, row 5, column 'strategy': unknown strategy 'teleport' (expected one of: retire, retain, rehost, "
        "replatform, repurchase, refactor, relocate)",
    ]


@pytest.mark.parametrize("text, message", [
    ("{server: app01}", "row 1: must be a list of overrides"),
    ("- just a string\n", "row 1: an override must be a mapping"),
    ("- {server: [a, b], strategy: retire, reason: x}\n", "row 1, column 'server': must be a single value"),
    ("- {server: app01\n", "not valid YAML"),
])
def test_malformed_yaml(tmp_path: Path, text: str, message: str):
    path = tmp_path / "o.yaml"
    path.write_text(text)
    with pytest.raises(OverridesError) as error:
        load_overrides(path)
    assert message in problems(error)[0]


def test_unreadable_or_unknown_files(tmp_path: Path):
    with pytest.raises(OverridesError, match="1 problem"):
        load_overrides(tmp_path / "missing.yaml")
    (tmp_path / "o.json").write_text("[]")
    with pytest.raises(OverridesError) as error:
        load_overrides(tmp_path / "o.json")
    assert "unknown overrides format '.json'" in problems(error)[0]


# -- assess_estate --------------------------------------------------------------------------

def overrides(tmp_path: Path, text: str) -> Overrides:
    path = tmp_path / "o.yaml"
    path.write_text(text)
    return load_overrides(path)


ESTATE = [server("app01", applications=("Kronos",)), server("app02", applications=("Kronos",)),
          server("db01", applications=("Kronos",), power_state="off")]
APPS = [Application("Kronos", servers=("app01", "app02", "db01"))]


def test_overrides_are_applied_server_over_application(tmp_path: Path):
    chosen = overrides(tmp_path, "- {application: Kronos, strategy: repurchase, target: UKG Pro, reason: SaaS}\n"
                                 "- {server: app02, strategy: retain, reason: payroll archive}\n")
    result = assess_estate(ESTATE, APPS, [], SETTINGS, chosen)
    assert result["app01"].strategy.rule == "OVERRIDE: SaaS" and result["app01"].strategy.target == "UKG Pro"
    assert result["app02"].strategy.strategy == "retain" and result["app02"].strategy.overridden
    assert result["db01"].strategy.strategy == "repurchase"
    assert result["app01"].sizing.sku is None and result["app01"].cost.monthly == 0.0
    apps = assess_applications(APPS, result, SETTINGS, chosen)
    assert apps["Kronos"].strategy == "repurchase" and apps["Kronos"].overridden


def test_override_names_unknown_to_the_inventory_are_located(tmp_path: Path):
    chosen = overrides(tmp_path, "- {server: app01, strategy: retain, reason: x}\n"
                                 "- {server: ghost01, strategy: retire, reason: x}\n"
                                 "- {application: Nope, strategy: retire, reason: x}\n")
    with pytest.raises(OverridesError) as error:
        assess_estate(ESTATE, APPS, [], SETTINGS, chosen)
    assert problems(error) == [f"{tmp_path / 'o.yaml'}, row 2, column 'server': no server named ghost01 in the inventory",
                               f"{tmp_path / 'o.yaml'}, row 3, column 'application': no application named Nope in "
                               "the inventory"]


def test_disagreeing_application_overrides_on_one_server_are_an_error(tmp_path: Path):
    estate = [server("shared01", applications=("A", "B"))]
    chosen = overrides(tmp_path, "- {application: A, strategy: retire, reason: x}\n"
                                 "- {application: B, strategy: rehost, reason: y}\n")
    with pytest.raises(OverridesError) as error:
        assess_estate(estate, [], [], SETTINGS, chosen)
    assert "server shared01 belongs to applications whose overrides disagree" in problems(error)[0]


def test_a_server_no_size_fits_is_not_ready_and_costs_nothing():
    giant = server("giant01", cores=512, memory_mb=4096 * 1024)
    result = assess_estate([giant], [], [], SETTINGS)["giant01"]
    assert result.sizing.sku is None and result.cost.monthly == 0.0
    assert result.readiness.status == NOT_READY
    assert result.readiness.reasons[-1].startswith("No Azure VM size fits it: 512 vCPU and 4096 GiB")


def test_replatform_targets_are_sized_and_costed_as_paas():
    db = server("rx-prd-db01", disks=(Disk("os", 128.0), Disk("data", 500.0, used_gb=300.0)))
    fs = server("rbh-fs01", applications=("File Services",))
    deps = [Dependency("rx-prd-app01", "rx-prd-db01", 1433, process="sqlservr.exe", weight=10)]
    result = assess_estate([db, fs, server("rx-prd-app01")], [], deps, SETTINGS)
    assert result["rx-prd-db01"].sizing.sku == "SQL MI GP_Gen5 4 vCores"
    assert result["rx-prd-db01"].cost.compute_payg == 1029.59 and result["rx-prd-db01"].cost.hybrid_benefit
    assert result["rbh-fs01"].sizing.sku == "Azure Files Standard (transaction optimized)"
    assert result["rbh-fs01"].cost.compute_payg == 0.0 and result["rbh-fs01"].cost.storage == 7.2   # 120 GiB × 0.06


def test_refactor_is_estimated_as_a_vm(tmp_path: Path):
    chosen = overrides(tmp_path, "- {server: app01, strategy: refactor, target: Azure App Service, reason: rewrite}\n")
    result = assess_estate(ESTATE, APPS, [], SETTINGS, chosen)["app01"]
    assert result.sizing.sku == "Standard_D4as_v5"
    assert result.sizing.rule.startswith("Estimated as a VM until the refactor target is designed. R-SIZE-")


def test_duplicate_server_names_are_refused():
    with pytest.raises(ValueError, match="app01 appears more than once"):
        assess_estate([server("app01"), server("APP01", vm_uuid="x")], [], [], SETTINGS)


def test_an_unknown_region_is_an_error():
    from migrate.planning.cost import CatalogError

    with pytest.raises(CatalogError):
        assess_estate(ESTATE, APPS, [], replace(SETTINGS, region="antarctica"))


# -- the shipped sample estate --------------------------------------------------------------

@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The 400-server sample, imported as `carelift inventory import` + `deps import` would."""
    from migrate.estate import sample_estate
    from migrate.inventory.dependencies import parse_dependency_file
    from migrate.inventory.importers import parse
    from migrate.inventory.store import SourceFile, Workspace

    folder = sample_estate()
    files = [parse(folder / name) for name in ("rvtools-export.xlsx", "azure-migrate-import.csv",
                                               "application-mapping.csv")]
    files.append(parse_dependency_file(folder / "azure-migrate-dependencies.csv", "auto"))
    with Workspace.open(tmp_path_factory.mktemp("sample")) as workspace:
        workspace.import_files([(SourceFile(f.path, f"sha-{i}", f.format), f) for i, f in enumerate(files)],
                               now="2026-11-27T00:00:00Z")
        return workspace.servers(), workspace.applications(), workspace.dependencies()


def test_the_sample_estate_is_assessed_sanely(sample):
    servers, applications, dependencies = sample
    result = assess_estate(servers, applications, dependencies, SETTINGS)
    assert list(result) == sorted((s.name for s in servers), key=str.lower) and len(result) == 400
    readiness = Counter(a.readiness.status for a in result.values())
    strategies = Counter(a.strategy.strategy for a in result.values())
    rules = Counter(a.strategy.rule.split(":")[0] for a in result.values())
    assert readiness["Ready"] > 150 and readiness["Ready with conditions"] > 100 and readiness["Not ready"] >= 2
    # Every source of the sample records OS, cores, memory and disks: nothing is Unknown there.
    assert readiness["Unknown"] == 0
    assert strategies["rehost"] > 250 and strategies["retire"] >= 40 and strategies["retain"] >= 5
    assert strategies["replatform"] >= 10
    assert {"R-RETIRE-POWERED-OFF", "R-RETIRE-IDLE-POC", "R-RETAIN-APPLIANCE", "R-RETAIN-DEVICE-GATEWAY",
            "R-REPLATFORM-SQL-MI", "R-REPLATFORM-AZURE-FILES", "R-REHOST-SQL-VM", "R-REHOST-DEFAULT"} <= set(rules)
    # what the blueprint says the sample holds
    assert result["rbh-vcsa01"].strategy.strategy == "retain"
    assert result["pacs-prd-gw01"].strategy.rule.startswith("R-RETAIN-DEVICE-GATEWAY")
    assert result["rbh-fs01"].strategy.target == "Azure Files"
    assert result["sql-shr-n01"].strategy.rule.startswith("R-REHOST-SQL-VM")
    assert result["vna-prd-stor01"].readiness.status == "Not ready"
    assert result["bb-prd-db01"].readiness.status == "Ready with conditions"   # Windows Server 2008 R2
    for name, a in result.items():
        migrated = a.strategy.strategy in ("rehost", "replatform")
        assert (a.sizing.sku is not None) == migrated, name
        assert (a.cost.monthly > 0) == migrated, name
        assert a.readiness.status == "Ready" or a.readiness.reasons, name
    total = sum(a.cost.monthly for a in result.values())
    assert 50_000 < total < 400_000
    apps = assess_applications(applications, result, SETTINGS)
    assert apps["File Services"].strategy == "replatform" and apps["Nurse Call"].strategy == "retain"


def test_the_assessment_is_deterministic_whatever_the_input_order(sample):
    servers, applications, dependencies = sample
    first = assess_estate(servers, applications, dependencies, SETTINGS)
    shuffled = list(servers), list(applications), list(dependencies)
    for items in shuffled:
        random.Random(5).shuffle(items)
    second = assess_estate(*shuffled, SETTINGS)
    dump = lambda r: json.dumps({k: asdict(v) for k, v in r.items()}, sort_keys=False)  # noqa: E731
    assert dump(first) == dump(second)


def test_performance_based_mode_on_the_sample(sample):
    servers, applications, dependencies = sample
    settings = replace(SETTINGS, sizing=replace(SETTINGS.sizing, mode="performance-based"))
    result = assess_estate(servers, applications, dependencies, settings)
    modes = Counter(a.sizing.mode for a in result.values() if a.sizing.sku and a.sizing.sku.startswith("Standard_"))
    assert modes["performance-based"] >= 5 and modes["as-on-premises"] > 200   # only the CSV import has utilisation


def test_application_membership_from_either_side_of_the_inventory():
    # the application lists the server although the server record names no application
    settings = replace(SETTINGS, saas_replacements=(("Kronos", "UKG Pro"),))
    result = assess_estate([server("kron01")], [Application("Kronos", servers=("KRON01",))], [], settings)
    assert result["kron01"].strategy.strategy == "repurchase"
