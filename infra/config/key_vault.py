"""The ``keyVault`` section: the spoke its private endpoint lands in and its role assignments."""

from __future__ import annotations

from typing import Any, Mapping

from infra.config.model import KEY_VAULT_ROLES, KeyVaultConfig, NetworkConfig, RoleAssignment
from infra.config.network import _require_pe_spoke
from infra.config.reader import _parse_principal, _Reader


def _parse_key_vault(r: _Reader, raw: Any, network: NetworkConfig | None) -> KeyVaultConfig | None:
    key = "keyVault"
    k = r.mapping(raw, key, ("spoke", "roleAssignments"))
    spoke = r.string(k, "spoke", key)
    _require_pe_spoke(r, network, spoke, f"{key}.spoke")
    assignments = []
    for i, item in enumerate(r.items(k.get("roleAssignments"), f"{key}.roleAssignments")):
        ak = f"{key}.roleAssignments[{i}]"
        p = _parse_principal(r, item, ak, ("role",))
        role = r.string(item if isinstance(item, Mapping) else {}, "role", ak, choices=tuple(KEY_VAULT_ROLES))
        if p and role:
            assignments.append(RoleAssignment(p["principalId"], p["principalType"], role))
    if spoke is None:
        return None
    return KeyVaultConfig(spoke, tuple(assignments))
