"""The config reader: walks the raw stack mapping and records every problem against its dotted key,
so a platform engineer sees all problems at once instead of one per run. Also the value checks
more than one section uses.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Callable, Iterable, Mapping

from infra.config.names import PROJECT
from infra.config_errors import ConfigIssue

PRINCIPAL_TYPES = ("User", "Group", "ServicePrincipal")
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
FQDN = re.compile(r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$")


class _Reader:
    """Walks a raw mapping, recording each problem against its dotted key."""

    def __init__(self) -> None:
        self.issues: list[ConfigIssue] = []

    def fail(self, key: str, message: str) -> None:
        self.issues.append(ConfigIssue(f"{PROJECT}:{key}", message))

    def mapping(self, raw: Any, key: str, allowed: Iterable[str] | None) -> dict[str, Any]:
        """A mapping's entries; with ``allowed`` given, any other key is reported."""
        if raw is None:
            return {}
        if not isinstance(raw, Mapping):
            self.fail(key, f"must be a mapping, got {_kind(raw)}")
            return {}
        if allowed is None:
            return dict(raw)
        allowed = tuple(allowed)
        for unknown in sorted(set(map(str, raw)) - set(allowed)):
            unknown = unknown if len(unknown) <= 60 else f"{unknown[:57]}..."
            self.fail(f"{key}.{unknown}" if key else unknown,
                      f"is not a known setting (expected one of: {', '.join(allowed)})")
        return dict(raw)

    def items(self, raw: Any, key: str) -> list[Any]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.fail(key, f"must be a list, got {_kind(raw)}")
            return []
        return raw

    def string(self, raw: Mapping[str, Any], name: str, key: str, *, default: str | None = None,
               pattern: re.Pattern[str] | None = None, rule: str = "",
               choices: Iterable[str] | None = None) -> str | None:
        full = f"{key}.{name}" if key else name
        value = raw.get(name, default)
        if value is None:
            self.fail(full, "is required")
            return None
        if not isinstance(value, str) or not value:
            self.fail(full, f"must be a non-empty string, got {_kind(value)}")
            return None
        if choices is not None and value not in tuple(choices):
            self.fail(full, f"must be one of {', '.join(choices)}; got {_shown(value)}")
            return None
        if pattern is not None and not pattern.fullmatch(value):
            self.fail(full, f"{rule}; got {_shown(value)}")
            return None
        return value

    def integer(self, raw: Mapping[str, Any], name: str, key: str, *, default: int | None = None,
                minimum: int | None = None, maximum: int | None = None, why: str = "") -> int | None:
        full = f"{key}.{name}" if key else name
        value = raw.get(name, default)
        if value is None:
            self.fail(full, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(full, f"must be an integer, got {_kind(value)}")
            return None
        if minimum is not None and value < minimum:
            self.fail(full, f"must be at least {minimum}{why}; got {value}")
            return None
        if maximum is not None and value > maximum:
            self.fail(full, f"must be at most {maximum}{why}; got {value}")
            return None
        return value

    def boolean(self, raw: Mapping[str, Any], name: str, key: str, default: bool) -> bool:
        value = raw.get(name, default)
        if not isinstance(value, bool):
            self.fail(f"{key}.{name}" if key else name, f"must be true or false, got {_kind(value)}")
            return default
        return value

    def strings(self, raw: Mapping[str, Any], name: str, key: str,
                check: Callable[[str], str | None] | None = None) -> tuple[str, ...]:
        full = f"{key}.{name}" if key else name
        out = []
        for index, value in enumerate(self.items(raw.get(name), full)):
            if not isinstance(value, str) or not value:
                self.fail(f"{full}[{index}]", f"must be a non-empty string, got {_kind(value)}")
                continue
            problem = check(value) if check else None
            if problem:
                self.fail(f"{full}[{index}]", f"{problem}; got {_shown(value)}")
                continue
            out.append(value)
        return tuple(out)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "a list", dict: "a mapping"}.get(type(value), type(value).__name__)


def _email_problem(value: str) -> str | None:
    return None if EMAIL.fullmatch(value) else "must be an e-mail address"


def _fqdn_problem(value: str) -> str | None:
    return None if FQDN.fullmatch(value) else "must be a lowercase DNS name (optionally *.-prefixed)"


def _ip_problem(value: str) -> str | None:
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return "must be an IPv4 address"
    return None


def _shown(value: Any) -> str:
    """A value for a message: at most 60 characters (a stack file can hold a megabyte in one
    value), and YAML's spelling for the numbers JSON cannot hold."""
    if isinstance(value, float) and value != value:
        return ".nan"
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def _parse_principal(r: _Reader, raw: Any, key: str, extra: tuple[str, ...] = ()) -> dict[str, Any] | None:
    p = r.mapping(raw, key, ("principalId", "principalType") + extra)
    pid = r.string(p, "principalId", key, pattern=GUID, rule="must be an Entra ID object id (GUID)")
    ptype = r.string(p, "principalType", key, choices=PRINCIPAL_TYPES)
    if pid is None or ptype is None:
        return None
    return {**p, "principalId": pid, "principalType": ptype}
