"""Server filters for `carelift inventory list --filter EXPR` (several filters: all must hold).

Grammar: ``FIELD OP VALUE`` — spaces around OP allowed, VALUE is the rest of the expression.

==========  ==============================================================================
OP          meaning
==========  ==============================================================================
``=``       equals, case-insensitive (numbers compare as numbers); an empty VALUE matches
            servers where the field is empty (``owner=`` → servers without an owner)
``!=``      does not equal
``~``       contains, case-insensitive (``name~sql``)
``!~``      does not contain
``<`` ``<=`` ``>`` ``>=``   numeric fields only; servers without a value never match
==========  ==============================================================================

Fields (aliases in brackets):
- text: name, fqdn, os (name and version together), os_name, os_version, os_family [family], power_state [power],
  hypervisor, datacenter, cluster, host, folder, firmware, vm_uuid [uuid], environment [env],
  data_classification [classification], owner, business_unit [bu];
- lists (match when any element does): ip [ips], application [app, applications],
  source [sources];
- numbers: cores, memory_mb [memory], storage_gb [storage], disks (count), tier, rto_hours,
  rpo_hours, cpu_utilization, memory_utilization;
- yes/no: template (true/false, yes/no, 1/0);
- tags: ``tag.KEY`` (``tag.cost-center=4410``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from infra.errors import CareliftError
from migrate.inventory.model import Server

TEXT = ("name", "fqdn", "os", "os_name", "os_version", "os_family", "power_state", "hypervisor", "datacenter",
        "cluster", "host", "folder", "firmware", "vm_uuid", "environment", "data_classification", "owner",
        "business_unit")
LISTS = {"ip": "ips", "application": "applications", "source": "sources"}
NUMBERS = ("cores", "memory_mb", "storage_gb", "disks", "tier", "rto_hours", "rpo_hours", "cpu_utilization",
           "memory_utilization")
ALIASES = {"family": "os_family", "power": "power_state", "uuid": "vm_uuid", "env": "environment",
           "classification": "data_classification", "bu": "business_unit", "ips": "ip", "app": "application",
           "applications": "application", "sources": "source", "memory": "memory_mb", "storage": "storage_gb"}
FIELDS = (*TEXT, *LISTS, *NUMBERS, "template")
EXPRESSION = re.compile(r"^\s*([A-Za-z_][\w.\-]*)\s*(<=|>=|!=|!~|=|~|<|>)\s*(.*?)\s*$", re.S)
ORDERING = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}
TRUE, FALSE = {"true", "yes", "1"}, {"false", "no", "0"}


class FilterError(CareliftError):
    """A --filter expression that cannot be read: printed as "bad filter" with the expression's problem."""

    def __init__(self, expression: str, message: str):
        self.expression = expression
        super().__init__(f"--filter {expression!r}: {message}")
        self.title = "bad filter"
        self.problems = (str(self),)


@dataclass(frozen=True)
class Filter:
    expression: str
    field: str
    op: str
    value: str
    test: Callable[[Server], bool]

    def __call__(self, server: Server) -> bool:
        return self.test(server)


def parse_filters(expressions: Sequence[str]) -> list[Filter]:
    return [parse_filter(e) for e in expressions]


def matches(server: Server, filters: Sequence[Filter]) -> bool:
    return all(f.test(server) for f in filters)


def parse_filter(expression: str) -> Filter:
    found = EXPRESSION.match(expression)
    if not found:
        raise FilterError(expression, "expected FIELD OP VALUE, e.g. os_family=windows, tier<=1, name~sql")
    raw_field, op, value = found.groups()
    field = ALIASES.get(raw_field.lower(), raw_field.lower())
    if field.startswith("tag."):
        key = raw_field[4:]
        if op in ORDERING:
            raise FilterError(expression, f"{op} compares numbers; tags are text (use = != ~ !~)")
        if not key:
            raise FilterError(expression, "tag. needs a key, e.g. tag.cost-center=4410")
        return Filter(expression, field, op, value, _text_test(expression, op, value, lambda s: dict(s.tags).get(key)))
    if field in NUMBERS:
        return Filter(expression, field, op, value, _number_test(expression, op, value, _number_getter(field)))
    if op in ORDERING:
        if field in FIELDS:
            raise FilterError(expression, f"{op} compares numbers; {field} is not one of {', '.join(NUMBERS)}")
        raise FilterError(expression, _unknown(raw_field))
    if field in TEXT:
        return Filter(expression, field, op, value, _text_test(expression, op, value, _attribute(field)))
    if field in LISTS:
        return Filter(expression, field, op, value, _list_test(op, value, _attribute(LISTS[field])))
    if field == "template":
        return Filter(expression, field, op, value, _bool_test(expression, op, value))
    raise FilterError(expression, _unknown(raw_field))


def _unknown(field: str) -> str:
    return f"unknown field {field!r}; fields: {', '.join(FIELDS)}, tag.KEY"


def _attribute(name: str) -> Callable[[Server], Any]:
    if name == "os":
        return lambda server: " ".join(part for part in (server.os_name, server.os_version) if part)
    return lambda server: getattr(server, name)


def _number_getter(field: str) -> Callable[[Server], float | None]:
    if field == "disks":
        return lambda server: len(server.disks)
    if field == "storage_gb":
        return lambda server: server.storage_gb if server.disks else None
    return _attribute(field)


def _text_test(expression: str, op: str, value: str, get: Callable[[Server], Any]) -> Callable[[Server], bool]:
    wanted = value.lower()
    if op in ("=", "!="):
        equal = (lambda s: not get(s)) if not wanted else (lambda s: (get(s) or "").lower() == wanted)
        return equal if op == "=" else (lambda s: not equal(s))
    if not wanted:
        raise FilterError(expression, f"{op} needs a value to look for")
    contains = lambda s: wanted in (get(s) or "").lower()  # noqa: E731
    return contains if op == "~" else (lambda s: not contains(s))


def _list_test(op: str, value: str, get: Callable[[Server], tuple]) -> Callable[[Server], bool]:
    wanted = value.lower()
    if op in ("=", "!="):
        equal = (lambda s: not get(s)) if not wanted else (lambda s: any(v.lower() == wanted for v in get(s)))
        return equal if op == "=" else (lambda s: not equal(s))
    contains = lambda s: any(wanted in v.lower() for v in get(s))  # noqa: E731
    return contains if op == "~" else (lambda s: not contains(s))


def _number_test(expression: str, op: str, value: str, get: Callable[[Server], Any]) -> Callable[[Server], bool]:
    if op in ("~", "!~"):
        raise FilterError(expression, f"{op} looks for text; use = != < <= > >= with numbers")
    if not value and op in ("=", "!="):
        return (lambda s: get(s) is None) if op == "=" else (lambda s: get(s) is not None)
    try:
        number = float(value)
    except ValueError:
        raise FilterError(expression, f"{value!r} is not a number") from None
    if op == "=":
        return lambda s: get(s) is not None and get(s) == number
    if op == "!=":
        return lambda s: get(s) is None or get(s) != number
    compare = ORDERING[op]
    return lambda s: get(s) is not None and compare(get(s), number)


def _bool_test(expression: str, op: str, value: str) -> Callable[[Server], bool]:
    if op not in ("=", "!=") or value.lower() not in TRUE | FALSE:
        raise FilterError(expression, "template takes =true or =false")
    wanted = value.lower() in TRUE
    return (lambda s: s.template == wanted) if op == "=" else (lambda s: s.template != wanted)
