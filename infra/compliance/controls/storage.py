"""Storage accounts: encrypted transport, no anonymous or key access (per account and per container),
private network, encryption at rest, recoverable blobs, blob access logs, geo-redundant copies of
PHI, and six years of write-once retention for audit archives."""

from __future__ import annotations

from infra.compliance.controls.common import closed_to_public_networks
from infra.compliance.controls.monitoring import workspace_logs
from infra.compliance.controls.tagging import DATA_CLASSIFICATION, tags_of
from infra.compliance.controls.values import boolean, canonical, number, same, setting, shown
from infra.compliance.describe import sentence
from infra.compliance.index import ResourceIndex, get
from infra.compliance.model import Document, Outcome, failed, passed
from infra.compliance.registry import control

ACCOUNTS = ("Microsoft.Storage/storageAccounts",)
BLOB_SERVICE = "Microsoft.Storage/storageAccounts/blobServices"
CONTAINER = "Microsoft.Storage/storageAccounts/blobServices/containers"
IMMUTABILITY_POLICY = "Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies"
ACCEPTED_TLS = ("TLS1_2", "TLS1_3")
# 45 CFR 164.316(b)(2)(i): documentation is retained six years.
EVIDENCE_RETENTION_DAYS = 2190
# Where Azure Monitor and Network Watcher say they write logs.
LOG_WRITERS = {"microsoft.insights/diagnosticsettings": "storageAccountId",
               "microsoft.network/networkwatchers/flowlogs": "storageId"}


def _days(value: object) -> float | None:
    return number(value)


def immutability_days(account: Document, index: ResourceIndex) -> dict[str, float]:
    """Time-based immutability periods on the account: scope ('account' or a container name) -> days."""
    found: dict[str, float] = {}
    account_days = _days(get(account, "properties.immutableStorageWithVersioning.immutabilityPolicy."
                                      "immutabilityPeriodSinceCreationInDays"))
    if boolean(get(account, "properties.immutableStorageWithVersioning.enabled")) and account_days:
        found["account"] = account_days
    for container in index.children(f"{account['id']}/blobServices/default", CONTAINER):
        name = str(container.get("name"))
        # A live GET embeds the policy in the container; a template declares it as a child resource.
        embedded = get(container, "properties.immutabilityPolicy")
        candidates = [embedded.get("properties", embedded)] if isinstance(embedded, dict) else []
        candidates += [get(p, "properties", {}) for p in index.children(container["id"], IMMUTABILITY_POLICY)]
        for policy in candidates:
            days = _days(get(policy, "immutabilityPeriodSinceCreationInDays"))
            if days:
                found[name] = max(days, found.get(name, 0.0))
    return found


def log_sources(account: Document, index: ResourceIndex) -> list[str]:
    """Names of diagnostic settings and flow logs that write into the account, sorted."""
    account_id = str(account.get("id", "")).lower()
    names = set()
    for writer in index.referencing(account_id):
        prop = LOG_WRITERS.get(str(writer.get("type", "")).lower())
        if prop and str(get(writer, f"properties.{prop}", "")).lower() == account_id:
            names.add(str(writer.get("name")))
    return sorted(names)


def holds_evidence(account: Document, index: ResourceIndex) -> bool:
    """An audit archive: logs are written into it, or it keeps blobs write-once."""
    return bool(log_sources(account, index) or immutability_days(account, index))


@control(
    id="CL-ST-001", title="Storage accepts HTTPS only", severity="high", scope="resource",
    citations=("45 CFR 164.312(e)(1)", "45 CFR 164.312(e)(2)(ii)"), types=ACCOUNTS,
    policy=("404c3081-a854-4457-ae30-26a93ef643f9",), checkov=("CKV_AZURE_3",),
    remediation="Set properties.supportsHttpsTrafficOnly to true (Pulumi: enable_https_traffic_only=True).",
)
def https_only(account: Document, index: ResourceIndex) -> Outcome:
    """Blobs never cross the network in clear text."""
    https = setting(account, "properties.supportsHttpsTrafficOnly")
    if boolean(https.value) is True:
        return passed(sentence(account, f"accepts HTTPS traffic only{https.note}"))
    return failed(sentence(account, f"does not require HTTPS{https.note}, so data can travel unencrypted over HTTP"))


@control(
    id="CL-ST-002", title="Storage requires TLS 1.2 or later", severity="high", scope="resource",
    citations=("45 CFR 164.312(e)(2)(ii)",), types=ACCOUNTS,
    policy=("fe83a0eb-a853-422d-aac2-1bffd182c5d0",), checkov=("CKV_AZURE_44",),
    remediation="Set properties.minimumTlsVersion to TLS1_2.",
)
def minimum_tls(account: Document, index: ResourceIndex) -> Outcome:
    """TLS 1.0 and 1.1 have known weaknesses and are no longer acceptable for PHI in transit."""
    # Unset is Azure's TLS1_0 until 3 February 2026, when Azure Storage stopped accepting TLS 1.0 and 1.1 on
    # every account; on an audit day from then on the effective minimum of an unset account is TLS1_2
    # (azure-defaults.yaml, dated and sourced). A stated TLS1_0 or TLS1_1 fails whatever the day.
    version = setting(account, "properties.minimumTlsVersion")
    accepted = canonical(version.value, ACCEPTED_TLS)
    if accepted:
        return passed(sentence(account, f"requires {accepted} or later{version.note}"))
    found = "does not set a minimum TLS version" if version.value is None else f"accepts {shown(version.value)}"
    return failed(sentence(account, f"{found}{version.note}; TLS1_2 is the minimum"))


@control(
    id="CL-ST-003", title="Storage forbids anonymous blob access", severity="high", scope="resource",
    citations=("45 CFR 164.312(a)(1)",), types=ACCOUNTS,
    policy=("4fa4b6c0-31ca-4c0d-b10d-24b96f62a751",), checkov=("CKV_AZURE_190",),
    remediation="Set properties.allowBlobPublicAccess to false.",
)
def no_anonymous_access(account: Document, index: ResourceIndex) -> Outcome:
    """No container can be made readable by anyone with the URL."""
    allowed = setting(account, "properties.allowBlobPublicAccess")
    if boolean(allowed.value) is False:
        return passed(sentence(account, f"forbids anonymous blob access{allowed.note}"))
    return failed(sentence(account, f"does not forbid anonymous blob access{allowed.note}, so a container can be "
                                    "opened to anyone with its URL"))


@control(
    id="CL-ST-004", title="Storage refuses shared-key authorization", severity="high", scope="resource",
    citations=("45 CFR 164.312(a)(2)(i)", "45 CFR 164.312(d)"), types=ACCOUNTS,
    policy=("8c6a50c6-9ffd-4ae7-986f-5fa6111f9a54",),
    remediation="Set properties.allowSharedKeyAccess to false; callers use Entra ID and RBAC "
                "(defaultToOAuthAuthentication true).",
)
def no_shared_key(account: Document, index: ResourceIndex) -> Outcome:
    """Account keys and SAS tokens signed with them identify no one; Entra ID identifies every caller."""
    allowed = setting(account, "properties.allowSharedKeyAccess")
    if boolean(allowed.value) is False:
        return passed(sentence(account, "refuses shared-key authorization"))
    return failed(sentence(account, f"does not refuse shared-key authorization{allowed.note}, so anyone holding an "
                                    "account key or SAS token gets in without being identified"))


@control(
    id="CL-ST-005", title="Storage is closed to public networks", severity="high", scope="resource",
    citations=("45 CFR 164.312(a)(1)",), types=ACCOUNTS,
    policy=("b2982f36-99f2-4db5-8eff-283140c09693", "34c877ad-507e-4c82-993e-3452a6e0ad3c"),
    checkov=("CKV_AZURE_59", "CKV_AZURE_35"),
    remediation="Set properties.publicNetworkAccess to Disabled and properties.networkAcls.defaultAction to "
                "Deny; reach the account through a private endpoint.",
)
def private_network(account: Document, index: ResourceIndex) -> Outcome:
    """Only the private network reaches the data; the firewall default backs up the public-access switch."""
    return closed_to_public_networks(account, "so it is reachable from public networks")


@control(
    id="CL-ST-006", title="Storage uses infrastructure (double) encryption", severity="medium", scope="resource",
    citations=("45 CFR 164.312(a)(2)(iv)", "45 CFR 164.310(d)(1)"), types=ACCOUNTS,
    policy=("4733ea7b-a883-42fe-8cac-97454c2a9e4a",),
    remediation="Set properties.encryption.requireInfrastructureEncryption to true when creating the account "
                "(it cannot be turned on later).",
)
def infrastructure_encryption(account: Document, index: ResourceIndex) -> Outcome:
    """A second, independent layer of AES-256 protects data at rest if one key or algorithm is compromised."""
    if boolean(get(account, "properties.encryption.requireInfrastructureEncryption")) is True:
        return passed(sentence(account, "requires infrastructure encryption"))
    return failed(sentence(account, "does not require infrastructure encryption, so data at rest has a single "
                                    "layer of encryption"))


@control(
    id="CL-ST-007", title="Blob soft delete and versioning are on", severity="medium", scope="graph",
    citations=("45 CFR 164.308(a)(7)(ii)(A)", "45 CFR 164.312(c)(1)"), types=ACCOUNTS,
    remediation="On blobServices/default set properties.deleteRetentionPolicy.enabled and "
                "properties.isVersioningEnabled to true.",
)
def blob_recovery(account: Document, index: ResourceIndex) -> Outcome:
    """A deleted or overwritten blob can be restored: an exact copy stays retrievable."""
    if str(account.get("kind", "")).lower() == "filestorage":
        return passed(sentence(account, "is a FileStorage account, which has no blob service"))
    services = index.children(account["id"], BLOB_SERVICE)
    if not services:
        return failed(sentence(account, "has no blob service settings, so soft delete and versioning are off"))
    problems = []
    for service in services:
        if boolean(get(service, "properties.deleteRetentionPolicy.enabled")) is not True:
            problems.append("blob soft delete")
        if boolean(get(service, "properties.isVersioningEnabled")) is not True:
            problems.append("versioning")
    if not problems:
        return passed(sentence(account, "keeps deleted blobs and previous versions recoverable"))
    return failed(sentence(account, f"does not enable {' or '.join(sorted(set(problems)))}, so deleted or "
                                    f"overwritten blobs cannot be recovered"))


@control(
    id="CL-ST-008", title="Audit archives keep evidence write-once for six years", severity="high", scope="graph",
    citations=("45 CFR 164.316(b)(2)(i)", "45 CFR 164.312(c)(1)", "45 CFR 164.308(a)(7)(ii)(A)"), types=ACCOUNTS,
    remediation=f"Give the containers receiving logs a time-based immutability policy of at least "
                f"{EVIDENCE_RETENTION_DAYS} days (carelift: monitoring.archiveImmutabilityDays), and lock it "
                f"after review.",
)
def evidence_immutable(account: Document, index: ResourceIndex) -> Outcome:
    """Logs and evidence cannot be altered or deleted, by anyone, during the six years HIPAA requires."""
    sources = log_sources(account, index)
    periods = immutability_days(account, index)
    if not sources and not periods:
        return passed(sentence(account, "receives no diagnostic or flow logs and keeps no write-once blobs, "
                                        "so it is not an audit archive"))
    if periods:
        scope, days = max(sorted(periods.items()), key=lambda item: item[1])
        where = "the account" if scope == "account" else f"container '{scope}'"
        if days >= EVIDENCE_RETENTION_DAYS:
            return passed(sentence(account, f"keeps evidence write-once for {days:g} days in {where}"))
        return failed(sentence(account, f"keeps evidence write-once for only {days:g} days (in {where}); six years "
                                        f"is {EVIDENCE_RETENTION_DAYS} days"))
    return failed(sentence(account, f"receives logs from {', '.join(sources)} but has no time-based "
                                    f"immutability policy, so the evidence can be altered or deleted"))


# Data-plane categories, and the category groups that include them.
ACCESS_LOG_CATEGORIES = ("StorageRead", "StorageWrite", "StorageDelete")
ACCESS_LOG_GROUPS = ("audit", "alllogs")
FILE_SHARE = "Microsoft.Storage/storageAccounts/fileServices/shares"


def _logged_services(account: Document, index: ResourceIndex) -> list[str]:
    """The data services whose access must be logged: blobs (unless FileStorage) and files where shares exist."""
    kind = str(account.get("kind", "")).lower()
    services = [] if kind == "filestorage" else ["blob"]
    if kind == "filestorage" or index.children(f"{account['id']}/fileServices/default", FILE_SHARE):
        services.append("file")
    return services


def _access_logs(account: Document, index: ResourceIndex, service: str) -> str | None:
    """How the service's reads, writes and deletes reach Log Analytics, or None when some do not."""
    sent = workspace_logs(index, f"{account['id']}/{service}Services/default")
    group = next((g for g in ACCESS_LOG_GROUPS if g in sent), None)
    if group:
        return f"{service} ({group} category group, diagnostic setting '{sent[group]}')"
    if all(c.lower() in sent for c in ACCESS_LOG_CATEGORIES):
        return f"{service} (StorageRead, StorageWrite, StorageDelete)"
    return None


@control(
    id="CL-ST-009", title="Blob and file reads, writes and deletes are logged to Log Analytics", severity="medium",
    scope="graph",
    citations=("45 CFR 164.312(b)", "45 CFR 164.308(a)(1)(ii)(D)"), types=ACCOUNTS,
    policy=("b4fe1a3b-0715-4c6c-a5ea-ffc33cf823cb",),
    remediation="Add a diagnostic setting on <account>/blobServices/default (and fileServices/default where Azure "
                "Files shares live) with a workspaceId and the StorageRead, StorageWrite and StorageDelete categories "
                "(or the audit/allLogs category group) enabled (carelift: infra/components/diagnostics.py).",
)
def blob_access_logged(account: Document, index: ResourceIndex) -> Outcome:
    """Who read, changed or deleted which blob or file is recorded where the security team reviews activity."""
    services = _logged_services(account, index)
    logged = {service: _access_logs(account, index, service) for service in services}
    missing = [service for service, how in logged.items() if how is None]
    if not missing:
        found = [how for how in logged.values() if how is not None]  # all of them, as none is missing
        return passed(sentence(account, f"sends access logs to Log Analytics for {'; '.join(found)}"))
    return failed(sentence(account, f"does not send StorageRead, StorageWrite and StorageDelete logs of its "
                                    f"{' and '.join(missing)} service{'s' if len(missing) > 1 else ''} to a Log "
                                    f"Analytics workspace, so access to its data is not recorded"))


GEO_REDUNDANT = ("Standard_GRS", "Standard_RAGRS", "Standard_GZRS", "Standard_RAGZRS")
NOT_PHI = ("pii", "internal", "public")


@control(
    id="CL-ST-010", title="Storage holding PHI is geo-redundant", severity="medium", scope="resource",
    citations=("45 CFR 164.308(a)(7)(ii)(A)", "45 CFR 164.308(a)(7)(ii)(B)"), types=ACCOUNTS,
    policy=("bf045164-79ba-4215-8f95-f8048dc1780b",), checkov=("CKV_AZURE_206",),
    remediation="Use sku.name Standard_GZRS or Standard_GRS (RA- variants too) for accounts tagged "
                "data-classification=phi, so an exact copy survives the loss of the primary region.",
    description="Applies to accounts tagged data-classification=phi and to accounts with no classification "
                "(default to fail: unclassified data may be PHI).",
)
def phi_geo_redundant(account: Document, index: ResourceIndex) -> Outcome:
    """The data backup plan keeps a retrievable exact copy of ePHI outside the primary region."""
    level = str(tags_of(account).get(DATA_CLASSIFICATION) or "").strip().lower()
    sku = get(account, "sku.name")
    replicated = canonical(sku, GEO_REDUNDANT)
    if replicated:
        return passed(sentence(account, f"keeps a copy in a second region ({replicated})"))
    if level in NOT_PHI:
        return passed(sentence(account, f"holds data classified {level}, not PHI, so {sku or 'its'} replication "
                                        "inside one region suffices"))
    why = "holds PHI" if level == "phi" else "has no data-classification tag, so it may hold PHI,"
    return failed(sentence(account, f"{why} but uses {sku or 'no stated SKU'}, which keeps no copy outside its "
                                    "region"))


PUBLIC_LEVELS = ("Container", "Blob")


@control(
    id="CL-ST-011", title="Blob containers are private", severity="high", scope="graph",
    citations=("45 CFR 164.312(a)(1)",), types=(CONTAINER,),
    policy=("4fa4b6c0-31ca-4c0d-b10d-24b96f62a751",), checkov=("CKV_AZURE_34",),
    remediation="Set the container's properties.publicAccess to None (and the account's allowBlobPublicAccess to "
                "false, CL-ST-003).",
)
def container_private(container: Document, index: ResourceIndex) -> Outcome:
    """No container is readable by anyone with its URL, whatever the account-level switch says today."""
    access = setting(container, "properties.publicAccess")
    level = canonical(access.value, PUBLIC_LEVELS)
    if level is None and (access.value is None or same(access.value, "None")):
        return passed(sentence(container, f"is private (publicAccess None){access.note}"))
    if level is None:
        return failed(sentence(container, f"has publicAccess {shown(access.value)}, which is not None"))
    account = index.by_id(str(container.get("id", "")).split("/blobServices/", 1)[0])
    allowed = setting(account, "properties.allowBlobPublicAccess") if account is not None else None
    if allowed is not None and boolean(allowed.value) is False:
        return failed(sentence(container, f"sets publicAccess {level}; its account forbids anonymous access today, "
                                          "but allowing it on the account would open this container to anyone"))
    return failed(sentence(container, f"sets publicAccess {level}, so anyone with the URL can read its blobs"))
