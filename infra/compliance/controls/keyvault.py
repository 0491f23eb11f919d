"""Key Vault: recoverability, private access, RBAC, audit logging, key lifecycle."""

from __future__ import annotations

from infra.compliance.controls.privatelink import approved_endpoints, listing
from infra.compliance.controls.values import boolean, number, same, setting, shown
from infra.compliance.describe import sentence
from infra.compliance.index import ResourceIndex, get, get_entries
from infra.compliance.model import Document, Outcome, failed, passed
from infra.compliance.registry import control

VAULTS = ("Microsoft.KeyVault/vaults",)
KEYS = ("Microsoft.KeyVault/vaults/keys",)
SECRETS = ("Microsoft.KeyVault/vaults/secrets",)
SOFT_DELETE_DAYS = 90


@control(
    id="CL-KV-001", title="Key Vault purge protection is enabled", severity="high", scope="resource",
    citations=("45 CFR 164.308(a)(7)(ii)(A)", "45 CFR 164.312(c)(1)"),
    types=VAULTS, policy=("0b60c0b2-2dc2-4e1c-b5c9-abbed971de53",), checkov=("CKV_AZURE_110", "CKV_AZURE_42"),
    remediation="Set properties.enablePurgeProtection to true (irreversible). In carelift it is always on "
                "(infra/components/key_vault.py).",
)
def purge_protection(vault: Document, index: ResourceIndex) -> Outcome:
    """A deleted vault and its keys stay recoverable for the whole retention period."""
    protection = setting(vault, "properties.enablePurgeProtection")
    if boolean(protection.value) is True:
        return passed(sentence(vault, "has purge protection enabled"))
    return failed(sentence(vault, f"does not have purge protection enabled{protection.note}, so a deleted vault and "
                                  "its keys could be purged before the recovery window ends"))


@control(
    id="CL-KV-002", title="Key Vault soft delete keeps deleted objects 90 days", severity="medium", scope="resource",
    citations=("45 CFR 164.308(a)(7)(ii)(A)",),
    types=VAULTS, policy=("1e66c121-a66a-4b1f-9b83-0fd99bf0fc2d",), checkov=("CKV_AZURE_111",),
    remediation=f"Set properties.enableSoftDelete to true and properties.softDeleteRetentionInDays to "
                f"{SOFT_DELETE_DAYS} (the maximum; it cannot be changed after creation).",
)
def soft_delete(vault: Document, index: ResourceIndex) -> Outcome:
    """A deleted vault, key or secret can be recovered for the longest window Azure offers."""
    enabled = setting(vault, "properties.enableSoftDelete")
    retention = setting(vault, "properties.softDeleteRetentionInDays")
    if boolean(enabled.value) is not True:
        return failed(sentence(vault, f"does not have soft delete enabled{enabled.note}, so deleted keys and "
                                      "secrets are gone at once"))
    days = number(retention.value)
    notes = "; ".join(n for n in (enabled.default_note, retention.default_note) if n)
    noted = f" ({notes})" if notes else ""
    if days is not None and days >= SOFT_DELETE_DAYS:
        return passed(sentence(vault, f"keeps deleted keys and secrets recoverable for {days:g} days{noted}"))
    found = ("does not set softDeleteRetentionInDays" if retention.value is None
             else f"keeps deleted objects only {shown(retention.value)} days")
    return failed(sentence(vault, f"{found}{noted}; {SOFT_DELETE_DAYS} days is required"))


@control(
    id="CL-KV-003", title="Key Vault public network access is disabled", severity="high", scope="resource",
    citations=("45 CFR 164.312(a)(1)", "45 CFR 164.312(e)(1)"),
    types=VAULTS, policy=("405c5871-3e91-4644-8a63-58e19d68ff5b",), checkov=("CKV_AZURE_189",),
    remediation="Set properties.publicNetworkAccess to Disabled and reach the vault through its private endpoint.",
)
def public_network_disabled(vault: Document, index: ResourceIndex) -> Outcome:
    """The vault's data plane is not reachable from the internet at all, whatever its ACLs say."""
    access = setting(vault, "properties.publicNetworkAccess")
    if same(access.value, "Disabled"):
        return passed(sentence(vault, "has public network access disabled"))
    return failed(sentence(vault, f"does not disable public network access{access.note}, so its data plane is "
                                  "reachable from public networks"))


@control(
    id="CL-KV-004", title="Key Vault network ACLs deny by default", severity="high", scope="resource",
    citations=("45 CFR 164.312(a)(1)",),
    types=VAULTS, policy=("55615ac9-af46-4a59-874e-391cc3dfb490",), checkov=("CKV_AZURE_109",),
    remediation="Set properties.networkAcls.defaultAction to Deny (bypass AzureServices only where a trusted "
                "service such as a CMK consumer needs it).",
)
def acl_default_deny(vault: Document, index: ResourceIndex) -> Outcome:
    """If public access is ever re-enabled, only listed networks get through."""
    action = setting(vault, "properties.networkAcls.defaultAction")
    if same(action.value, "Deny"):
        return passed(sentence(vault, "denies network access by default"))
    if action.value is None:
        return failed(sentence(vault, "has no network ACL default action; the default action must be Deny"))
    why = f"; {action.default_note}" if action.is_default else ""
    return failed(sentence(vault, f"allows network access by default ({shown(action.value)}{why}); the default action "
                                  "must be Deny"))


@control(
    id="CL-KV-005", title="Key Vault uses Azure RBAC, not access policies", severity="medium", scope="resource",
    citations=("45 CFR 164.308(a)(4)", "45 CFR 164.312(a)(1)"),
    types=VAULTS, policy=("12d4fa5e-1f9f-4c21-97a9-b99b3c6611b5",),
    remediation="Set properties.enableRbacAuthorization to true and grant Key Vault roles "
                "(carelift: keyVault.roleAssignments).",
)
def rbac_authorization(vault: Document, index: ResourceIndex) -> Outcome:
    """Access is granted by scoped, reviewable role assignments that PIM can make just-in-time."""
    rbac = setting(vault, "properties.enableRbacAuthorization")
    if boolean(rbac.value) is True:
        return passed(sentence(vault, f"authorizes data-plane access with Azure RBAC{rbac.note}"))
    return failed(sentence(vault, f"does not use Azure RBAC{rbac.note}, so access policies (which cannot be scoped "
                                  "to one key or elevated just in time) govern its data plane"))


@control(
    id="CL-KV-006", title="Key Vault has an approved private endpoint", severity="medium", scope="graph",
    citations=("45 CFR 164.312(e)(1)",),
    types=VAULTS, policy=("a6abeaec-4d90-4a02-805f-6b26c4d3fbe9",),
    remediation="Create a private endpoint with group id 'vault' in a spoke's private-link subnet and register "
                "it in privatelink.vaultcore.azure.net.",
)
def private_endpoint(vault: Document, index: ResourceIndex) -> Outcome:
    """Key and secret traffic stays on the private network."""
    endpoints = approved_endpoints(vault, index)
    if endpoints:
        return passed(sentence(vault, f"is reached through approved {listing('private endpoint', endpoints)}"))
    return failed(sentence(vault, "has no approved private endpoint, so clients cannot reach it over the private "
                                  "network"))


@control(
    id="CL-KV-007", title="Key Vault sends audit events to Log Analytics", severity="high", scope="graph",
    citations=("45 CFR 164.312(b)", "45 CFR 164.308(a)(1)(ii)(D)"),
    types=VAULTS, policy=("cf820ca0-f99e-4f3e-84fb-66e913812d21",),
    remediation="Add a diagnostic setting on the vault with the AuditEvent category (or the audit/allLogs "
                "category group) enabled and a workspaceId.",
)
def audit_events_logged(vault: Document, index: ResourceIndex) -> Outcome:
    """Every access to keys and secrets is recorded where the security team reviews activity."""
    for diagnostic in index.extensions(vault["id"], "Microsoft.Insights/diagnosticSettings"):
        if not get(diagnostic, "properties.workspaceId"):
            continue
        logs = get(diagnostic, "properties.logs", [])  # an expression (model.Unknown) is not a list of entries
        for log in logs if isinstance(logs, list) else []:
            if isinstance(log, dict) and boolean(log.get("enabled")) and (same(log.get("category"), "AuditEvent")
                                                or same(log.get("categoryGroup"), "audit", "allLogs")):
                return passed(sentence(vault, f"sends AuditEvent logs to Log Analytics through "
                                              f"diagnostic setting '{diagnostic.get('name')}'"))
    return failed(sentence(vault, "has no diagnostic setting sending AuditEvent logs to a Log Analytics "
                                  "workspace, so access to keys and secrets is not reviewable"))


def _expiry(key_or_secret: Document) -> str | None:
    """How the object expires: a rotation-policy lifetime or an absolute exp attribute."""
    lifetime = get(key_or_secret, "properties.rotationPolicy.attributes.expiryTime")
    if lifetime:
        return f"versions expire {lifetime} after creation"
    exp = number(get(key_or_secret, "properties.attributes.exp"))
    if exp is not None:
        return f"expires at {int(exp)} (Unix time)"
    return None


@control(
    id="CL-KV-008", title="Key Vault keys expire", severity="medium", scope="resource",
    citations=("45 CFR 164.312(a)(2)(iv)",),
    types=KEYS, policy=("152b15f7-8e1f-4c1f-ab71-8c010ba5dbc0",), checkov=("CKV_AZURE_40",),
    remediation="Set properties.rotationPolicy.attributes.expiryTime (e.g. P2Y) or properties.attributes.exp.",
)
def key_expires(key: Document, index: ResourceIndex) -> Outcome:
    """A key cannot stay in use indefinitely after it should have been retired."""
    expiry = _expiry(key)
    if expiry:
        return passed(sentence(key, expiry))
    return failed(sentence(key, "has no expiry, so a key version can stay in use indefinitely"))


@control(
    id="CL-KV-009", title="Key Vault keys rotate automatically", severity="medium", scope="resource",
    citations=("45 CFR 164.312(a)(2)(iv)",), types=KEYS,
    remediation="Add properties.rotationPolicy.lifetimeActions with action type Rotate (e.g. timeAfterCreate "
                "P18M) and a Notify action before expiry.",
)
def key_rotates(key: Document, index: ResourceIndex) -> Outcome:
    """New key versions replace old ones on a schedule, without a redeploy or a person remembering."""
    for action in get_entries(key, "properties.rotationPolicy.lifetimeActions"):
        if str(get(action, "action.type", "")).lower() == "rotate":
            after, before = get(action, "trigger.timeAfterCreate"), get(action, "trigger.timeBeforeExpiry")
            when = f" {after} after creation" if after else f" {before} before expiry" if before else ""
            return passed(sentence(key, f"has a rotation policy that rotates it{when}"))
    return failed(sentence(key, "has no rotation policy with a Rotate action, so it is never rotated automatically"))


@control(
    id="CL-KV-010", title="Key Vault secrets expire", severity="medium", scope="resource",
    citations=("45 CFR 164.312(a)(2)(iv)",),
    types=SECRETS, policy=("98728c90-32c7-4049-8429-847dc0f4fe37",), checkov=("CKV_AZURE_41",),
    remediation="Set properties.attributes.exp on each secret and rotate it before then.",
)
def secret_expires(secret: Document, index: ResourceIndex) -> Outcome:
    """A leaked secret stops working at a known date."""
    exp = number(get(secret, "properties.attributes.exp"))
    if exp is not None:
        return passed(sentence(secret, f"expires at {int(exp)} (Unix time)"))
    return failed(sentence(secret, "has no expiry date, so a leaked value stays valid indefinitely"))
