from __future__ import annotations

import pytest

from migrate.inventory.importers.os import OsInfo, normalise_os


@pytest.mark.parametrize("text,version,expected", [
    # VMware's guest names (configuration file and Tools)
    ("Microsoft Windows Server 2019 (64-bit)", None, ("windows", "Windows Server", "2019")),
    ("Microsoft Windows Server 2016 or later (64-bit)", None, ("windows", "Windows Server", "2016")),
    ("Microsoft Windows Server 2008 R2 (64-bit)", None, ("windows", "Windows Server", "2008 R2")),
    ("Microsoft Windows Server 2003 Standard (32-bit)", None, ("windows", "Windows Server", "2003")),
    ("Red Hat Enterprise Linux 6 (64-bit)", None, ("linux", "Red Hat Enterprise Linux", "6")),
    ("CentOS 4/5/6/7 (64-bit)", None, ("linux", "CentOS", None)),
    ("CentOS 7 (64-bit)", None, ("linux", "CentOS", "7")),
    ("Ubuntu Linux (64-bit)", None, ("linux", "Ubuntu", None)),
    ("SUSE Linux Enterprise 12 (64-bit)", None, ("linux", "SUSE Linux Enterprise Server", "12")),
    ("Other 3.x or later Linux (64-bit)", None, ("linux", "Linux", None)),
    ("Oracle Solaris 11 (64-bit)", None, ("other", "Solaris", "11")),
    ("FreeBSD 12 (64-bit)", None, ("other", "FreeBSD", "12")),
    # Tools' own descriptions and Azure Migrate's OS names
    ("Red Hat Enterprise Linux Server release 7.9 (Maipo)", None, ("linux", "Red Hat Enterprise Linux", "7.9")),
    ("CentOS Linux release 7.9.2009 (Core)", None, ("linux", "CentOS", "7.9")),
    ("Ubuntu 18.04.6 LTS", None, ("linux", "Ubuntu", "18.04")),
    ("SUSE Linux Enterprise Server 15 SP4", None, ("linux", "SUSE Linux Enterprise Server", "15")),
    ("Debian GNU/Linux 10 (64-bit)", None, ("linux", "Debian", "10")),
    ("Windows Server 2022 Datacenter", None, ("windows", "Windows Server", "2022")),
    ("Microsoft Windows 11 (64-bit)", None, ("windows", "Windows", "11")),
    # ServiceNow: the product in `os`, the NT build in `os_version`
    ("Windows 2012 R2 Standard", "6.3.9600", ("windows", "Windows Server", "2012 R2")),
    ("Windows 2008", "6.1.7601", ("windows", "Windows Server", "2008 R2")),
    ("Windows Server", "10.0.17763", ("windows", "Windows Server", "2019")),
    ("Linux Red Hat", "8.6", ("linux", "Red Hat Enterprise Linux", "8.6")),
    # what people type
    ("RHEL 8", None, ("linux", "Red Hat Enterprise Linux", "8")),
    ("rhel7", None, ("linux", "Red Hat Enterprise Linux", "7")),
    ("AlmaLinux 9", None, ("linux", "AlmaLinux", "9")),
])
def test_os_strings_normalise_to_family_name_and_version(text, version, expected):
    assert normalise_os(text, version) == OsInfo(*expected)


def test_unknown_strings_keep_their_text_so_the_quality_report_can_list_them():
    assert normalise_os("Other (64-bit)") == OsInfo("unknown", "Other", None)
    assert normalise_os("  Acme RTOS 3 ") == OsInfo("unknown", "Acme RTOS 3", None)
    assert normalise_os("SomeVendor Linux appliance") == OsInfo("linux", "SomeVendor Linux appliance", None)


def test_empty_is_unknown():
    assert normalise_os(None) == OsInfo()
    assert normalise_os("  ", "") == OsInfo()
