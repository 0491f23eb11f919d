"""What a plan was computed from, as digests: the inventory, the settings and the overrides.

A plan's `inputs` section holds them, so two plans can be told to rest on the same inventory
and settings (or not) without carrying the inventory itself.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import operator
from typing import Any, Iterable, Sequence

from migrate.inventory.model import Application, Dependency, Server
from migrate.planning.canonical import canonical_json, plain, settings_document
from migrate.planning.settings import PlanSettings


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def inventory_digest(servers: Iterable[Server], applications: Iterable[Application],
                     dependencies: Iterable[Dependency]) -> str:
    """SHA-256 of a canonical serialisation of the inventory (order of the inputs does not matter)."""
    digest = hashlib.sha256()
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=plain).encode
    sections: tuple[tuple[str, Iterable[Any], Any], ...] = (
        ("servers", servers, lambda s: (s.name.lower(), s.identity)),
        ("applications", applications, lambda a: a.name.lower()),
        ("dependencies", dependencies, lambda d: (d.source, d.destination, d.port, d.protocol)))
    for kind, records, key in sections:
        rows: list[Any] = sorted(records, key=key)
        names = [f.name for f in dataclasses.fields(rows[0])] if rows else []
        digest.update(encode([kind, names]).encode())
        if not rows:
            continue
        # Field values by position (tuples encode as lists; nested dataclasses such as disks go through
        # `default`), in chunks: a 500,000-edge estate stays well under a second.
        values = operator.attrgetter(*names)
        for i in range(0, len(rows), 10_000):
            digest.update(encode([values(r) for r in rows[i:i + 10_000]]).encode())
    return digest.hexdigest()


def inputs_section(servers: Sequence[Server], applications: Sequence[Application],
                   dependencies: Sequence[Dependency], settings: PlanSettings, overrides: Any = None,
                   inventory_sha256: str | None = None) -> dict[str, Any]:
    """The plan's `inputs`: the inventory's digest and size, the settings' and the overrides' digests.
    `inventory_sha256` is the inventory's digest when the caller already has it."""
    return {"inventory": {"sha256": inventory_sha256 or inventory_digest(servers, applications, dependencies),
                          "servers": len(servers), "applications": len(applications),
                          "dependencies": len(dependencies)},
            "settings": {"sha256": sha256_text(canonical_json(settings_document(settings)))},
            "overrides": None if overrides is None else {"sha256": sha256_text(canonical_json(overrides))}}
