"""7R strategy: each server rule (and its precedence), overrides, application strategies, facts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from migrate.inventory.model import Application, Dependency, Disk, Server
from migrate.planning.model import Strategy
from migrate.planning.readiness import assess_readiness
from migrate.planning.settings import PlanSettings
from migrate.planning.strategy import (AZURE_FILES, SQL_MI, Context, application_strategy, gather_facts,
                                       server_strategy)

SETTINGS = PlanSettings()


def server(**changes) -> Server:
    base = Server(name="app01", os_name="Windows Server", os_version="2019", os_family="windows", cores=4,
                  memory_mb=16384, disks=(Disk("os", 128.0), Disk("data", 500.0, used_gb=300.0)), power_state="on",
                  environment="prd", tier=2)
    return replace(base, **changes)


def decide(machine: Server, dependencies=(), settings: PlanSettings = SETTINGS, app_types=None, override=None,
           others=()) -> Strategy:
    servers = [machine, *others]
    context = Context(settings, gather_facts(servers, dependencies), app_types or {})
    return server_strategy(machine, assess_readiness(machine, date(2027, 1, 4)), context, override)


def rule_id(strategy: Strategy) -> str:
    return strategy.rule.split(":")[0]


def edge(source: str, destination: str, port: int, process: str | None = None, weight: int = 4) -> Dependency:
    return Dependency(source, destination, port, process=process, weight=weight, first_seen="2025-03-03T06:00:00",
                      last_seen="2025-03-04T18:00:00")


def test_default_is_rehost():
    result = decide(server())
    assert (result.strategy, rule_id(result), result.overridden) == ("rehost", "R-REHOST-DEFAULT", False)


def test_template_retires():
    assert rule_id(decide(server(template=True))) == "R-RETIRE-TEMPLATE"


def test_powered_off_retires_before_anything_else():
    result = decide(server(power_state="off", os_name="AIX", os_family="other"))
    assert (result.strategy, rule_id(result)) == ("retire", "R-RETIRE-POWERED-OFF")


@pytest.mark.parametrize("tags, retired", [
    ((("decommission-date", "2027-06-30"),), True),
    ((("decommission-date", "2028-01-04"),), True),     # exactly a year after the start
    ((("decommission-date", "2028-01-05"),), False),
    ((("decommission-date", "next spring"),), True),     # unparseable: the tag itself says it goes
    ((("install_status", "Retired"),), True),
    ((("status", "in production"),), False),
])
def test_decommission_tags_retire(tags, retired):
    result = decide(server(tags=tags))
    assert (rule_id(result) == "R-RETIRE-DECOMMISSION") is retired


def test_an_idle_poc_server_retires_only_when_the_dependency_data_saw_it():
    poc = server(name="ehr-poc-sbx01", environment="poc")
    outbound_only = [edge("ehr-poc-sbx01", "rbh-dc01", 389), edge("jump01", "ehr-poc-sbx01", 3389)]
    others = [server(name="rbh-dc01"), server(name="jump01")]
    result = decide(poc, outbound_only, others=others)
    assert rule_id(result) == "R-RETIRE-IDLE-POC"
    assert "between 2025-03-03 and 2025-03-04" in result.rule
    used = outbound_only + [edge("10.9.9.9", "ehr-poc-sbx01", 443)]
    assert decide(poc, used, others=others).strategy == "rehost"
    assert decide(poc, [], others=others).strategy == "rehost"            # never observed: silence proves nothing
    assert decide(replace(poc, environment="dev"), outbound_only, others=others).strategy == "rehost"


def test_repurchase_when_every_application_has_a_saas_replacement():
    settings = replace(SETTINGS, saas_replacements=(("Kronos", "UKG Pro"),))
    result = decide(server(applications=("Kronos",)), settings=settings)
    assert (result.strategy, result.target, rule_id(result)) == ("repurchase", "UKG Pro", "R-REPURCHASE-SAAS")
    assert decide(server(applications=("Kronos", "Payroll")), settings=settings).strategy == "rehost"
    assert decide(server(applications=("kronos",)), settings=settings).strategy == "repurchase"


def test_unsupported_platform_is_retained():
    result = decide(server(os_name="AIX", os_version="7.2", os_family="other"))
    assert (result.strategy, rule_id(result)) == ("retain", "R-RETAIN-UNSUPPORTED-PLATFORM")


def test_appliances_are_retained():
    result = decide(server(os_name="VMware Photon OS", os_version="3", os_family="linux"))
    assert (result.strategy, rule_id(result)) == ("retain", "R-RETAIN-APPLIANCE")


def test_dicom_from_devices_outside_the_inventory_retains_a_gateway():
    gateway = server(name="img-gw-a", applications=("Imaging",))
    deps = [edge("172.20.10.10", "img-gw-a", 104), edge("172.20.10.11", "img-gw-a", 104)]
    result = decide(gateway, deps)
    assert (result.strategy, rule_id(result)) == ("retain", "R-RETAIN-DEVICE-GATEWAY")
    assert "2 devices outside the inventory send it DICOM" in result.rule
    # DICOM from another inventory server (RIS to PACS) is not a device link
    pacs = server(name="pacs01", applications=("Imaging",))
    assert decide(pacs, [edge("ris01", "pacs01", 104)], others=[server(name="ris01")]).strategy == "rehost"


def test_device_integrations_by_name_in_production_only():
    assert rule_id(decide(server(applications=("Nurse Call",)))) == "R-RETAIN-DEVICE-GATEWAY"
    assert rule_id(decide(server(applications=("Patient Monitoring Gateway",)))) == "R-RETAIN-DEVICE-GATEWAY"
    assert decide(server(applications=("Monitoring",))).strategy == "rehost"
    assert decide(server(applications=("Nurse Call",), environment="tst")).strategy == "rehost"
    pacs_gw = server(name="pacs-prd-gw01", applications=("PACS",))
    assert rule_id(decide(pacs_gw)) == "R-RETAIN-DEVICE-GATEWAY"
    assert rule_id(decide(replace(pacs_gw, applications=("Enterprise Imaging Suite",)),
                          app_types={"enterprise imaging suite": "pacs"})) == "R-RETAIN-DEVICE-GATEWAY"
    assert decide(server(name="pacs-prd-app01", applications=("PACS",))).strategy == "rehost"


def sql_box(**changes) -> Server:
    return server(name="rx-prd-db01", applications=("Pharmacy",), **changes)


SQL_CLIENTS = [edge("rx-prd-app01", "rx-prd-db01", 1433, "sqlservr.exe"),
               edge("rx-prd-app02", "rx-prd-db01", 1433, "sqlservr.exe")]
CLIENTS = [server(name="rx-prd-app01"), server(name="rx-prd-app02")]


def test_standalone_windows_sql_server_replatforms_to_managed_instance():
    result = decide(sql_box(), SQL_CLIENTS, others=CLIENTS)
    assert (result.strategy, result.target, rule_id(result)) == ("replatform", SQL_MI, "R-REPLATFORM-SQL-MI")
    assert "sqlservr.exe answers to 2 clients" in result.rule


@pytest.mark.parametrize("changes, why", [
    ({"disks": (Disk("os", 128.0), Disk("data", 500.0, shared=True))}, "failover-cluster instance on shared disks"),
    ({"os_name": "Red Hat Enterprise Linux", "os_version": "8", "os_family": "linux"}, "on Red Hat Enterprise Linux"),
    ({"disks": (Disk("os", 128.0), Disk("data", 20000.0, used_gb=17000.0))}, "exceed a Managed Instance's"),
    ({"cores": 96, "memory_mb": 768 * 1024}, "more than General Purpose offers"),
])
def test_sql_server_that_cannot_go_to_managed_instance_is_rehosted_on_a_vm(changes, why):
    result = decide(sql_box(**changes), SQL_CLIENTS, others=CLIENTS)
    assert (result.strategy, rule_id(result)) == ("rehost", "R-REHOST-SQL-VM")
    assert why in result.rule


def test_sql_evidence_from_installed_software_or_the_name():
    software = server(tags=(("software", "Microsoft SQL Server 2016 Standard; SSMS"),))
    assert "installed software lists SQL Server" in decide(software).rule
    assert "its name says SQL" in decide(server(name="intranet-prd-sql01")).rule


def test_windows_file_servers_replatform_to_azure_files_print_servers_do_not():
    result = decide(server(name="rbh-fs01", applications=("File Services",)))
    assert (result.strategy, result.target, rule_id(result)) == ("replatform", AZURE_FILES, "R-REPLATFORM-AZURE-FILES")
    assert "300 GB of data" in result.rule
    assert decide(server(name="share01", applications=("Dept shares",)), app_types={"dept shares": "file"}).target \
        == AZURE_FILES
    assert decide(server(name="rbh-prt01", applications=("Print Services",)),
                  app_types={"print services": "file"}).strategy == "rehost"
    assert decide(server(name="rbh-fs09", os_family="linux", os_name="Red Hat Enterprise Linux",
                         os_version="8")).strategy == "rehost"
    assert decide(server(name="rbh-fs09", disks=(Disk("os", 100.0),))).strategy == "rehost"   # no data to move


def test_an_override_wins_and_is_recorded():
    result = decide(server(power_state="off"), override=("rehost", "still needed for audits", None))
    assert result == Strategy("rehost", "OVERRIDE: still needed for audits", None, overridden=True)


def test_overrides_choose_refactor_and_relocate_with_targets():
    assert decide(server(), override=("refactor", "rewrite", "Azure App Service")).target == "Azure App Service"
    assert decide(server(), override=("relocate", "whole cluster", None)).target == "Azure VMware Solution"
    inferred = decide(sql_box(disks=(Disk("os", 1.0), Disk("d", 1.0, shared=True))), SQL_CLIENTS, others=CLIENTS,
                      override=("replatform", "vendor approved", None))
    assert inferred.target == SQL_MI and inferred.overridden


# -- applications ---------------------------------------------------------------------------

APP = Application("Pharmacy", servers=("a", "b", "c"))


def members(*strategies: str, target: str | None = None) -> list[tuple[str, Strategy]]:
    return [(f"s{i}", Strategy(s, "R", target if s == "replatform" else None)) for i, s in enumerate(strategies)]


def test_application_override_and_saas():
    assert application_strategy(APP, members("rehost"), SETTINGS, ("retire", "sunset", None)).overridden
    settings = replace(SETTINGS, saas_replacements=(("Pharmacy", "Cloud Rx"),))
    result = application_strategy(APP, members("rehost"), settings)
    assert (result.strategy, result.target) == ("repurchase", "Cloud Rx")


def test_application_from_its_servers():
    assert rule_id(application_strategy(APP, members("retire", "retire"), SETTINGS)) == "R-APP-ALL-RETIRED"
    uniform = application_strategy(APP, members("retire", "replatform", "replatform", target=AZURE_FILES), SETTINGS)
    assert (uniform.strategy, uniform.target, rule_id(uniform)) == ("replatform", AZURE_FILES, "R-APP-UNIFORM")
    assert "1 retire, 2 replatform" in uniform.rule
    mixed = application_strategy(APP, members("rehost", "retain", "retain", "rehost", "replatform"), SETTINGS)
    assert (mixed.strategy, rule_id(mixed)) == ("retain", "R-APP-MIXED")   # tie: 7R order (retain before rehost)
    assert rule_id(application_strategy(APP, [], SETTINGS)) == "R-APP-NO-SERVERS"


def test_gather_facts_is_keyed_case_insensitively_and_counts_distinct_peers():
    servers = [server(name="DB01"), server(name="web01")]
    facts = gather_facts(servers, [edge("web01", "db01", 1433), edge("web01", "db01", 1434),
                                   edge("10.1.1.1", "db01", 3389)])
    assert facts.of("db01").sql_evidence == "it answers on port 1433 to 1 client"
    assert facts.of("DB01").database and facts.of("db01").inbound_peers == 1
    assert facts.of("web01").observed and not facts.of("web01").database
    assert facts.of("unknown") == facts.of("other")
