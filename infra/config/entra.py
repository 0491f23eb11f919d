"""The ``entraGroups`` section: the Entra ID object id of each group the AI register names.

The register's ``intendedUsers`` are group names, which people read and Entra ID does not keep
unique; API Management grants a product to an Entra group by its object id, as
``aad://<tenant>.onmicrosoft.com/groups/<object id>`` (the ``externalId`` of
Microsoft.ApiManagement/service/groups). This section is that mapping. Object ids are not
secrets. Whether every group of a use case in force is mapped depends on the day the register is
judged, so that rule is governance (infra.ai.register.governance), not shape.
"""

from __future__ import annotations

import re
from typing import Any

from infra.config.model import EntraGroups
from infra.config.reader import GUID, _kind, _Reader, _shown

KEY = "entraGroups"
# The tenant as API Management's externalId names it: the initial domain <name>.onmicrosoft.com every tenant
# keeps (the form Microsoft.ApiManagement/service/groups documents), or the tenant id. It must be written as
# the developer portal's Entra ID identity provider lists it in allowedTenants: API Management compares the two
# literally, and group membership does not sync across forms (MicrosoftDocs/azure-docs#116781, from the
# product team; terraform-provider-azurerm#19981 saw membership ignored with the domain form).
TENANT = re.compile(r"[a-z0-9]{1,27}\.onmicrosoft\.com|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
MAX_GROUP_NAME = 256  # Entra ID's limit on a group's display name


def _parse_entra_groups(r: _Reader, raw: Any) -> EntraGroups | None:
    if raw is None:
        return None
    e = r.mapping(raw, KEY, ("tenant", "groups"))
    if not e:  # not a mapping (reported), or an empty one
        if isinstance(raw, dict):
            r.fail(KEY, "needs tenant and groups (or leave entraGroups out)")
        return None
    tenant = r.string(e, "tenant", KEY, pattern=TENANT,
                      rule="must be the tenant's initial domain (<name>.onmicrosoft.com) or its tenant id (GUID), in "
                           "lowercase, as the Entra ID identity provider's allowedTenants writes it (API Management "
                           "names an Entra group aad://<tenant>/groups/<object id>)")
    groups_key = f"{KEY}.groups"
    groups = r.mapping(e.get("groups"), groups_key, None)
    if "groups" in e and isinstance(e.get("groups"), dict) and not groups:
        r.fail(groups_key, "needs at least one group name: object id entry")
    before = len(r.issues)
    names: dict[str, str] = {}  # lowercased name -> name as written
    owners: dict[str, str] = {}  # object id -> the name it was given to
    out = []
    for name, value in groups.items():
        if not isinstance(name, str) or not name.strip():
            r.fail(f"{groups_key}.{_shown(name)}", f"a group name must be non-empty text, got {_kind(name)}")
            continue
        gk = f"{groups_key}.{name if len(name) <= 60 else name[:57] + '...'}"
        if len(name) > MAX_GROUP_NAME or any(ord(c) < 32 for c in name):
            r.fail(gk, f"a group name must be at most {MAX_GROUP_NAME} printable characters")
            continue
        if name.lower() in names:
            r.fail(gk, f"duplicates group {names[name.lower()]!r} (names are compared without case)")
            continue
        names[name.lower()] = name
        if not isinstance(value, str) or not GUID.match(value):
            r.fail(gk, f"must be the group's Entra ID object id (a GUID); got {_shown(value)}")
            continue
        object_id = value.lower()
        if object_id in owners:
            r.fail(gk, f"object id {object_id} is given to group {owners[object_id]!r} too: each group has its own")
            continue
        owners[object_id] = name
        out.append((name, object_id))
    if tenant is None or len(r.issues) > before:
        return None
    return EntraGroups(tenant, tuple(sorted(out)))
