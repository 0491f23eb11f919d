"""How a server seen again merges with what the workspace already knows, and what changed.

Pure functions over `Server`; the store calls them inside its import transaction.

Rules (the same for every format):
- a non-empty incoming value wins; an empty one (None, "", (), "unknown" OS family or power
  state, template False) keeps the stored value — an export that lacks a column never erases
  what another export said;
- `sources` is the union of both; `tags` merge by key, the incoming value winning;
- a mapping file (annotate_only) never renames a server nor changes its FQDN or VM UUID: its
  server column is only a lookup key.
"""

from __future__ import annotations

import json
from dataclasses import fields, replace
from typing import Any

from migrate.inventory.model import Disk, Server

MERGED_BY_UNION = ("sources", "tags")
LOOKUP_ONLY = ("name", "fqdn", "vm_uuid")
"""Fields a mapping file uses to find a server, never to change it."""
EMPTY_DEFAULTS: dict[str, Any] = {"os_family": "unknown", "power_state": "unknown", "template": False}
FIELDS = tuple(f.name for f in fields(Server))


def is_empty(field: str, value: Any) -> bool:
    if value is None or value == () or (isinstance(value, str) and not value.strip()):
        return True
    return field in EMPTY_DEFAULTS and value == EMPTY_DEFAULTS[field]


def merge_server(stored: Server, incoming: Server, *, annotate_only: bool = False) -> Server:
    """`stored` updated with every non-empty value of `incoming` (see the module rules)."""
    updates: dict[str, Any] = {}
    for name in FIELDS:
        if name in MERGED_BY_UNION or (annotate_only and name in LOOKUP_ONLY):
            continue
        value = getattr(incoming, name)
        if not is_empty(name, value):
            updates[name] = value
    updates["sources"] = tuple(sorted({*stored.sources, *incoming.sources}))
    updates["tags"] = merge_tags(stored.tags, incoming.tags)
    return replace(stored, **updates)


Tags = tuple[tuple[str, str], ...]


def merge_tags(stored: Tags, incoming: Tags) -> Tags:
    merged = dict(stored)
    merged.update((k, v) for k, v in incoming if not is_empty("tags", v))
    return tuple(sorted(merged.items()))


def differences(old: Server, new: Server) -> list[tuple[str, str | None, str | None]]:
    """(field, old display text, new display text) for every field whose value changed."""
    return [(name, display(name, getattr(old, name)), display(name, getattr(new, name)))
            for name in FIELDS if getattr(old, name) != getattr(new, name)]


def display(field: str, value: Any) -> str | None:
    """A short, stable text for a field value, as `inventory history` shows it (None when empty)."""
    if is_empty(field, value) and field not in EMPTY_DEFAULTS:
        return None
    if field == "disks":
        return describe_disks(value)
    if field == "tags":
        return ", ".join(f"{k}={v}" for k, v in value)
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def describe_disks(disks: tuple[Disk, ...]) -> str:
    total = sum(d.size_gb for d in disks)
    shared = sum(1 for d in disks if d.shared)
    text = f"{len(disks)} disk{'s' if len(disks) != 1 else ''}, {total:g} GB"
    return text + (f" ({shared} shared)" if shared else "")


def to_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
