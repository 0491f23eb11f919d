"""The --filter grammar of `carelift inventory list`."""

from __future__ import annotations

import pytest

from migrate.inventory.filters import FilterError, matches, parse_filter, parse_filters
from migrate.inventory.model import Disk, Server

SQL = Server(name="EPIC-SQL01", ips=("10.0.0.5",), os_name="Windows Server", os_version="2019", os_family="windows",
             cores=16, memory_mb=131072, disks=(Disk("c", 100), Disk("d", 900)), environment="prd", tier=1,
             applications=("Epic", "Clarity"), owner="DBA", tags=(("cost-center", "4410"),), power_state="on")
WEB = Server(name="intranet01", os_family="linux", cores=2, environment="tst", tier=3, power_state="off")


def keep(*expressions: str) -> list[str]:
    filters = parse_filters(expressions)
    return [s.name for s in (SQL, WEB) if matches(s, filters)]


@pytest.mark.parametrize("expression, expected", [
    ("os_family=windows", ["EPIC-SQL01"]),
    ("family=WINDOWS", ["EPIC-SQL01"]),
    ("environment=prd", ["EPIC-SQL01"]),
    ("env != prd", ["intranet01"]),
    ("tier<=1", ["EPIC-SQL01"]),
    ("tier>1", ["intranet01"]),
    ("tier=3", ["intranet01"]),
    ("application=epic", ["EPIC-SQL01"]),
    ("app~clar", ["EPIC-SQL01"]),
    ("name~sql", ["EPIC-SQL01"]),
    ("name!~sql", ["intranet01"]),
    ("owner=", ["intranet01"]),
    ("owner!=", ["EPIC-SQL01"]),
    ("storage_gb>=1000", ["EPIC-SQL01"]),
    ("memory>100000", ["EPIC-SQL01"]),
    ("disks=0", ["intranet01"]),
    ("ip=10.0.0.5", ["EPIC-SQL01"]),
    ("tag.cost-center=4410", ["EPIC-SQL01"]),
    ("power_state=off", ["intranet01"]),
    ("template=false", ["EPIC-SQL01", "intranet01"]),
    ("os~2019", ["EPIC-SQL01"]),
])
def test_filters(expression, expected):
    assert keep(expression) == expected


def test_servers_without_a_number_never_match_an_ordering():
    assert keep("cpu_utilization<50") == []


def test_several_filters_must_all_hold():
    assert keep("os_family=windows", "tier>=2") == []
    assert keep("os_family=windows", "tier<2") == ["EPIC-SQL01"]


@pytest.mark.parametrize("expression, message", [
    ("colour=blue", "unknown field 'colour'"),
    ("tier<=high", "'high' is not a number"),
    ("name<5", "< compares numbers"),
    ("tier~1", "~ looks for text"),
    ("justtext", "expected FIELD OP VALUE"),
    ("template=maybe", "template takes =true or =false"),
    ("name~", "needs a value"),
    ("tag.site>3", "tags are text"),
])
def test_bad_filters_name_the_expression(expression, message):
    with pytest.raises(FilterError) as raised:
        parse_filter(expression)
    assert message in str(raised.value)
    assert repr(expression) in str(raised.value)
