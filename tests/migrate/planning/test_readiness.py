"""Readiness: every reason, the status each one gives, and the worst-of rule."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from migrate.inventory.model import Disk, Server
from migrate.planning.readiness import (CONDITIONS, MAX_DATA_DISKS, MAX_DISK_GIB, MAX_OS_DISK_GIB, NOT_READY, READY,
                                        UNKNOWN, assess_readiness, is_appliance, unsupported_platform)

START = date(2027, 1, 4)


def server(**changes) -> Server:
    base = Server(name="app01", os_name="Windows Server", os_version="2022", os_family="windows", cores=4,
                  memory_mb=16384, disks=(Disk("Hard disk 1", 128.0), Disk("Hard disk 2", 500.0)), power_state="on")
    return replace(base, **changes)


def test_a_current_complete_server_is_ready_without_reasons():
    assert assess_readiness(server(), START) == assess_readiness(server(), START)
    result = assess_readiness(server(), START)
    assert result.status == READY and result.reasons == ()


def test_a_template_is_not_ready_and_nothing_else_is_said():
    result = assess_readiness(server(template=True, cores=None), START)
    assert result.status == NOT_READY
    assert len(result.reasons) == 1 and "VM template" in result.reasons[0]


@pytest.mark.parametrize("name, version, family", [
    ("Solaris", "10", "other"), ("AIX", "7.2", "other"), ("HP-UX", "11.31", "other"), ("OS/400", "V7R3", "unknown"),
    ("IBM i", "7.4", "unknown"), ("Windows Server", "2003", "windows"), ("Windows", "XP", "windows"),
    ("VMware ESXi", "7.0", "other"), ("NetWare", "6.5", "other"), ("OpenVMS", "8.4", "unknown"),
])
def test_platforms_azure_cannot_run_are_not_ready(name, version, family):
    machine = server(os_name=name, os_version=version, os_family=family)
    result = assess_readiness(machine, START)
    assert result.status == NOT_READY
    assert "cannot run on Azure" in result.reasons[0]
    assert unsupported_platform(machine)


def test_a_32_bit_system_recorded_by_tag_or_text_is_not_ready():
    tagged = server(os_name="Windows Server", os_version="2008", tags=(("os-architecture", "x86"),))
    assert unsupported_platform(tagged) == "32-bit Windows Server 2008"
    assert assess_readiness(tagged, START).status == NOT_READY
    texted = server(os_name="Red Hat Enterprise Linux 5 (32-bit)", os_version=None, os_family="linux")
    assert assess_readiness(texted, START).status == NOT_READY
    assert unsupported_platform(server(tags=(("architecture", "x64"),))) is None


def test_past_every_extended_update_is_ready_with_conditions_upgrade_before_or_during_migration():
    result = assess_readiness(server(os_version="2008 R2"), START)
    assert result.status == CONDITIONS
    assert result.reasons == ("Windows Server 2008 / 2008 R2 left support on 2020-01-14 and its extended security "
                              "updates ended on 2024-01-09: it gets no security fixes (a HIPAA risk), so upgrade it "
                              "before or during migration.",)


def test_inside_extended_updates_asks_to_enrol_and_names_the_end():
    result = assess_readiness(server(os_name="Red Hat Enterprise Linux", os_version="7", os_family="linux"), START)
    assert result.status == CONDITIONS
    assert "extended security updates run until 2028-06-30" in result.reasons[0]
    assert "enrol the server" in result.reasons[0]


def test_the_lifecycle_is_judged_on_the_given_date_not_today():
    machine = server(os_version="2012 R2")
    assert "extended security updates run until 2026-10-13" in assess_readiness(machine, date(2026, 1, 5)).reasons[0]
    assert "upgrade it before or during migration" in assess_readiness(machine, START).reasons[0]
    assert assess_readiness(machine, date(2023, 1, 2)).status == READY


def test_disk_limits_are_not_ready_just_above_and_fine_at_the_limit():
    at_limit = server(disks=(Disk("os", float(MAX_OS_DISK_GIB)), Disk("data", float(MAX_DISK_GIB))))
    assert assess_readiness(at_limit, START).status == READY
    big_os = assess_readiness(server(disks=(Disk("os", MAX_OS_DISK_GIB + 1.0),)), START)
    assert big_os.status == NOT_READY and "OS disk" in big_os.reasons[0]
    big_data = assess_readiness(server(disks=(Disk("os", 100.0), Disk("archive", 60000.0))), START)
    assert big_data.status == NOT_READY
    assert big_data.reasons[0].startswith("Disk archive (60,000 GB) is larger than the largest managed disk")


def test_more_than_64_data_disks_is_not_ready_64_is_fine():
    def with_data(count: int) -> Server:
        return server(disks=(Disk("os", 100.0),) + tuple(Disk(f"d{i}", 100.0) for i in range(count)))

    assert assess_readiness(with_data(MAX_DATA_DISKS), START).status == READY
    result = assess_readiness(with_data(MAX_DATA_DISKS + 1), START)
    assert result.status == NOT_READY and "65 data disks" in result.reasons[0]


def test_shared_or_rdm_disks_are_a_condition():
    result = assess_readiness(server(disks=(Disk("os", 100.0), Disk("quorum", 10.0, shared=True))), START)
    assert result.status == CONDITIONS and "Disk(s) quorum are shared" in result.reasons[0]


@pytest.mark.parametrize("state, word", [("off", "powered off"), ("suspended", "suspended")])
def test_powered_off_or_suspended_is_a_condition(state, word):
    result = assess_readiness(server(power_state=state), START)
    assert result.status == CONDITIONS and f"app01 was {word}" in result.reasons[0]


def test_unknown_power_state_is_no_reason():
    assert assess_readiness(server(power_state="unknown"), START).status == READY


@pytest.mark.parametrize("changes, phrase", [
    ({"os_name": None, "os_version": None, "os_family": "unknown"}, "operating system is not recorded"),
    ({"os_name": "BeOS", "os_version": None, "os_family": "unknown"}, "not one carelift recognises"),
    ({"cores": None}, "number of cores is not recorded"),
    ({"cores": 0}, "number of cores is not recorded"),
    ({"memory_mb": None}, "memory size is not recorded"),
    ({"disks": ()}, "No disks are recorded"),
])
def test_missing_data_is_unknown(changes, phrase):
    result = assess_readiness(server(**changes), START)
    assert result.status == UNKNOWN
    assert any(phrase in reason for reason in result.reasons)


def test_the_worst_reason_decides_not_ready_over_unknown_over_conditions():
    result = assess_readiness(server(cores=None, power_state="off", disks=(Disk("os", 5000.0),)), START)
    assert result.status == NOT_READY
    assert len(result.reasons) == 3
    assert assess_readiness(server(cores=None, power_state="off"), START).status == UNKNOWN


@pytest.mark.parametrize("changes, phrase", [
    ({"os_name": "Linux", "os_version": None, "os_family": "linux"}, "distribution is not recorded"),
    ({"os_name": "VMware Photon OS", "os_version": "3", "os_family": "linux"}, "not a Linux distribution Azure endorses"),
    ({"os_name": "Windows", "os_version": "10", "os_family": "windows"}, "client operating system"),
    ({"os_name": "Ubuntu", "os_version": None, "os_family": "linux"}, "The Ubuntu version is not recorded"),
    ({"os_name": "Windows Server", "os_version": None, "os_family": "windows"}, "version is not recorded"),
])
def test_os_conditions(changes, phrase):
    result = assess_readiness(server(**changes), START)
    assert result.status == CONDITIONS
    assert phrase in result.reasons[0]


def test_freebsd_is_ready_azure_endorses_it():
    assert assess_readiness(server(os_name="FreeBSD", os_version="13", os_family="other"), START).status == READY


def test_every_reason_is_a_full_sentence():
    machines = [server(template=True), server(os_name="AIX", os_family="other"), server(os_version="2008 R2"),
                server(disks=(Disk("os", 5000.0), Disk("d", 40000.0, shared=True))), server(power_state="off"),
                server(cores=None, memory_mb=None, disks=()), server(os_name="Linux", os_version=None)]
    for machine in machines:
        for reason in assess_readiness(machine, START).reasons:
            assert reason[0].isupper() or reason[0].isdigit() or reason.startswith("app01"), reason
            assert reason.endswith("."), reason


def test_appliances():
    assert is_appliance(server(os_name="VMware Photon OS"))
    assert is_appliance(server(os_name="Linux"))
    assert is_appliance(server(tags=(("role", "Virtual appliance"),)))
    assert not is_appliance(server())
