"""Resource locks on what holds keys and audit evidence, so one mistaken delete cannot destroy it."""

from __future__ import annotations

from infra.compliance.controls.storage import holds_evidence
from infra.compliance.describe import sentence
from infra.compliance.index import ResourceIndex, parent_id
from infra.compliance.model import Document, Outcome, failed, passed
from infra.compliance.registry import control

VAULT = "microsoft.keyvault/vaults"
WORKSPACE = "microsoft.operationalinsights/workspaces"
STORAGE = "microsoft.storage/storageaccounts"
LOCK = "Microsoft.Authorization/locks"
PROTECTIVE_LEVELS = {"cannotdelete", "readonly"}


def lock_scopes(resource_id: str) -> list[str]:
    """The resource, its resource group and its subscription: a lock on any of them applies."""
    parts = resource_id.split("/")
    scopes = [resource_id]
    if len(parts) > 4 and parts[3].lower() == "resourcegroups":
        scopes.append("/".join(parts[:5]))
    if len(parts) > 2 and parts[1].lower() == "subscriptions":
        scopes.append("/".join(parts[:3]))
    return scopes


def protecting_lock(resource_id: str, index: ResourceIndex) -> Document | None:
    """The first CanNotDelete or ReadOnly lock (by id) covering the resource, if any."""
    locks = [lock for scope in lock_scopes(resource_id) for lock in index.extensions(scope, LOCK)
             if str(lock.get("properties", {}).get("level", "")).lower() in PROTECTIVE_LEVELS]
    return min(locks, key=lambda lock: str(lock.get("id", "")).lower(), default=None)


def _inherited(resource: Document, lock: Document) -> str:
    scope = parent_id(str(lock["id"])).split("/")
    if "/".join(scope).lower() == str(resource["id"]).lower():
        return ""
    if len(scope) > 4:
        return f" on resource group '{scope[4]}'"
    return " on its subscription"


@control(
    id="CL-LOCK-001", title="Vaults, Log Analytics workspaces and audit archives are locked against deletion",
    severity="medium", scope="graph", citations=("45 CFR 164.308(a)(7)(ii)(A)", "45 CFR 164.312(c)(1)"),
    types=("Microsoft.KeyVault/vaults", "Microsoft.OperationalInsights/workspaces",
           "Microsoft.Storage/storageAccounts"),
    remediation="Add a Microsoft.Authorization/locks extension with level CanNotDelete on the resource (or its "
                "resource group); carelift locks its vault, workspace and evidence archive.",
)
def deletion_locked(resource: Document, index: ResourceIndex) -> Outcome:
    """Deleting the vault makes CMK-encrypted PHI unreadable; deleting a workspace or archive destroys the
    audit trail."""
    kind = str(resource.get("type", "")).lower()
    if kind == STORAGE and not holds_evidence(resource, index):
        return passed(sentence(resource, "holds no logs or write-once evidence, so it needs no deletion lock"))
    lock = protecting_lock(str(resource["id"]), index)
    if lock is not None:
        return passed(sentence(resource, f"is protected by {lock['properties']['level']} lock "
                                         f"'{lock.get('name')}'{_inherited(resource, lock)}"))
    what = {VAULT: "its keys and the PHI they encrypt", WORKSPACE: "the audit trail"}.get(kind, "the audit evidence")
    return failed(sentence(resource, f"has no CanNotDelete or ReadOnly lock, so a single delete destroys {what}"))
