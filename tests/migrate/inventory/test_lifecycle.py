"""The shipped OS lifecycle table and its matching."""

from __future__ import annotations

from datetime import date

import pytest

from migrate.inventory.lifecycle import END_OF_LIFE, EXTENDED, SUPPORTED, load_lifecycle


def test_the_shipped_table_loads_and_records_its_date():
    table = load_lifecycle()
    assert isinstance(table.table_date, date)
    assert len(table.systems) >= 20
    assert {s.family for s in table.systems} == {"windows", "linux"}


@pytest.mark.parametrize("os_name, os_version, expected", [
    ("Microsoft Windows Server 2008 R2 (64-bit)", None, "Windows Server 2008 / 2008 R2"),
    ("Windows Server", "2012 R2", "Windows Server 2012 / 2012 R2"),
    ("Microsoft Windows Server 2016 or later (64-bit)", None, "Windows Server 2016"),
    ("Red Hat Enterprise Linux 7 (64-bit)", None, "Red Hat Enterprise Linux 7"),
    ("Red Hat Enterprise Linux", "8.6", "Red Hat Enterprise Linux 8"),
    ("CentOS Linux release 7.9.2009", None, "CentOS 7"),
    ("SUSE Linux Enterprise 12 (64-bit)", None, "SUSE Linux Enterprise Server 12"),
    ("Ubuntu", "18.04.6 LTS", "Ubuntu 18.04 LTS"),
    ("Red Hat Enterprise Linux (64-bit)", None, None),  # no version: unknown, not guessed from "64"
    ("Ubuntu Linux (64-bit)", None, None),
    (None, None, None),
])
def test_os_strings_find_their_system(os_name, os_version, expected):
    system = load_lifecycle().find(os_name, os_version)
    assert (system.name if system else None) == expected


def test_status_moves_from_supported_to_extended_to_end_of_life():
    rhel7 = load_lifecycle().find("Red Hat Enterprise Linux 7")
    assert rhel7.status(date(2024, 6, 30)) == SUPPORTED
    assert rhel7.status(date(2024, 7, 1)) == EXTENDED
    assert rhel7.status(date(2028, 7, 1)) == END_OF_LIFE
    centos7 = load_lifecycle().find("CentOS 7")
    assert centos7.status(date(2024, 7, 1)) == END_OF_LIFE  # no extended updates offered


def test_dates_from_the_planning_reference():
    table = load_lifecycle()
    assert table.find("Windows Server 2012 R2").extended_until == date(2026, 10, 13)
    assert table.find("Windows Server 2008 R2").end_of_support == date(2020, 1, 14)
    assert table.find("Windows Server 2022").end_of_support == date(2031, 10, 14)
    assert table.find("RHEL 6").extended_until == date(2024, 6, 30)


def test_a_broken_table_names_the_entry(tmp_path):
    path = tmp_path / "lifecycle.yaml"
    path.write_text("table_date: 2026-01-01\nsystems:\n  - {name: X, family: linux, match: 'x(', "
                    "end_of_support: 2020-01-01}\n")
    with pytest.raises(ValueError, match=r"systems\[0\]\.match"):
        load_lifecycle(path)
