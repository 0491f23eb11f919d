"""ARM-shaped documents as the catalog reads them, and values only known at deployment.

The lowest layer of the compliance package: the index (a graph over documents) and the model
(controls, outcomes, findings) both build on it, so neither imports the other at run time.
"""

from __future__ import annotations

import contextvars
from typing import Any, Mapping

Document = Mapping[str, Any]
SUBSCRIPTION_TYPE = "Microsoft.Resources/subscriptions"
"""Pseudo-resource the index adds once per subscription seen: subscription-wide controls check it."""


# --- values only known at deployment

_TOUCHED: contextvars.ContextVar[list["Unknown"] | None] = contextvars.ContextVar("carelift_touched", default=None)


def _touch(value: "Unknown") -> None:
    touched = _TOUCHED.get()
    if touched is not None:
        touched.append(value)


class Unknown(str):
    """A value only known at deployment, spelled as the expression that computes it ("[resourceGroup().location]").

    It is a str, so a check that compares it (``== "Disabled"``, ``in (...)``, ``.lower()``, ``if value:``)
    simply does not match and fails. While a check runs, every such use is recorded; the engine turns a
    check that did not pass after touching an unknown into status ``manual``. `where` is the value's path
    in the document ("location", "properties.minimumTlsVersion") when the reader knows it.
    """

    where: str
    why: str
    """Why it is unknown, for the manual finding; "" means an expression only known at deployment."""

    def __new__(cls, value: str = "", where: str = "", why: str = "") -> "Unknown":
        instance = super().__new__(cls, value)
        instance.where = where
        instance.why = why
        return instance

    def __reduce__(self):  # copy/pickle keep the class, the path and the reason
        return (type(self), (str.__str__(self), self.where, self.why))

    __hash__ = str.__hash__

    def __bool__(self) -> bool:  # `if value:` counts as a use; str itself has no __bool__ (it asks __len__)
        _touch(self)
        return True


def _recording(name: str):
    original = getattr(str, name)

    def method(self, *args, **kwargs):
        _touch(self)
        return original(self, *args, **kwargs)

    method.__name__ = name
    return method


for _name in ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__contains__", "__len__", "__iter__",
              "__getitem__", "__str__", "lower", "upper", "casefold", "strip", "startswith", "endswith", "split",
              "replace", "find", "rfind", "count", "isdigit", "isdecimal"):
    setattr(Unknown, _name, _recording(_name))


def is_unknown(value: Any) -> bool:
    """True for a value only known at deployment; reading it this way does not count as touching it."""
    return isinstance(value, Unknown)


def has_unknown(value: Any) -> bool:
    """True when `value` is, or contains (in a list or mapping), a value only known at deployment."""
    if isinstance(value, Unknown):
        return True
    if isinstance(value, Mapping):
        return any(has_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(has_unknown(v) for v in value)
    return False


class touched_unknowns:
    """``with touched_unknowns() as touched:`` records the unknown values used inside the block."""

    def __enter__(self) -> list[Unknown]:
        self._touched: list[Unknown] = []
        self._token = _TOUCHED.set(self._touched)
        return self._touched

    def __exit__(self, *exc_info: object) -> None:
        _TOUCHED.reset(self._token)
