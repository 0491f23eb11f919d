"""Azure OpenAI (Cognitive Services) accounts, their model deployments and content filters.

Version pinning (CL-AI-009) depends on the AI register and lives in ai_governance."""

from __future__ import annotations

import re

from infra.compliance.controls.monitoring import workspace_logs
from infra.compliance.controls.privatelink import approved_endpoints, listing
from infra.compliance.controls.common import closed_to_public_networks
from infra.compliance.controls.values import boolean, same, setting
from infra.compliance.describe import sentence
from infra.compliance.index import ResourceIndex, get, get_entries, get_list, parent_id
from infra.compliance.model import Document, Outcome, failed, passed
from infra.compliance.registry import control

ACCOUNTS = ("Microsoft.CognitiveServices/accounts",)
DEPLOYMENTS = ("Microsoft.CognitiveServices/accounts/deployments",)
FILTERS = ("Microsoft.CognitiveServices/accounts/raiPolicies",)
# Log category -> the category groups that include it.
REQUIRED_LOGS = {"Audit": ("audit", "alllogs"), "RequestResponse": ("alllogs",)}
HARM_CATEGORIES = ("hate", "sexual", "selfharm", "violence")
SOURCES = ("prompt", "completion")
STRICT_THRESHOLDS = {"low", "medium"}


@control(
    id="CL-AI-001", title="Azure OpenAI is closed to public networks", severity="high", scope="resource",
    citations=("45 CFR 164.312(a)(1)", "45 CFR 164.312(e)(1)"), types=ACCOUNTS,
    policy=("037eea7a-bd0a-46c5-9a66-03aea78705d3",), checkov=("CKV_AZURE_134",),
    remediation="Set properties.publicNetworkAccess to Disabled and properties.networkAcls.defaultAction to Deny.",
)
def private_network(account: Document, index: ResourceIndex) -> Outcome:
    """Prompts carrying PHI reach the model only from the private network."""
    return closed_to_public_networks(account, "so prompts can arrive from public networks")


@control(
    id="CL-AI-002", title="Azure OpenAI key authentication is disabled", severity="high", scope="resource",
    citations=("45 CFR 164.312(a)(2)(i)", "45 CFR 164.312(d)"), types=ACCOUNTS,
    policy=("71ef260a-8f18-47b7-abcb-62d0673d94dc",), checkov=("CKV_AZURE_236",),
    remediation="Set properties.disableLocalAuth to true; callers use Entra ID with the Cognitive Services "
                "OpenAI User role.",
)
def local_auth_disabled(account: Document, index: ResourceIndex) -> Outcome:
    """Every call is made by an identified Entra ID principal, never by an anonymous shared key."""
    local = setting(account, "properties.disableLocalAuth")
    if boolean(local.value) is True:
        return passed(sentence(account, "accepts Entra ID authentication only"))
    return failed(sentence(account, f"does not disable key authentication{local.note}, so anyone holding an account "
                                    "key can call it without being identified"))


@control(
    id="CL-AI-003", title="Azure OpenAI has an approved private endpoint", severity="medium", scope="graph",
    citations=("45 CFR 164.312(e)(1)",), types=ACCOUNTS,
    policy=("d6759c02-b87f-42b7-892e-71b3f471d782",),
    remediation="Create a private endpoint with group id 'account' and register it in "
                "privatelink.openai.azure.com and privatelink.cognitiveservices.azure.com.",
)
def private_endpoint(account: Document, index: ResourceIndex) -> Outcome:
    """Prompts and completions stay on the private network."""
    endpoints = approved_endpoints(account, index)
    if endpoints:
        return passed(sentence(account, f"is reached through approved {listing('private endpoint', endpoints)}"))
    return failed(sentence(account, "has no approved private endpoint, so clients cannot reach it over the private "
                                    "network"))


@control(
    id="CL-AI-004", title="Azure OpenAI has a managed identity", severity="medium", scope="resource",
    citations=("45 CFR 164.312(d)",), types=ACCOUNTS,
    policy=("fe3fd216-4f83-4fc1-8984-2bbec80a3418",), checkov=("CKV_AZURE_238",),
    remediation="Set identity.type to SystemAssigned or UserAssigned (carelift uses a user-assigned identity "
                "that holds the CMK role before the account exists).",
)
def managed_identity(account: Document, index: ResourceIndex) -> Outcome:
    """The account reaches its key and data sources as itself, with no stored credential."""
    kinds = {part.strip().lower() for part in str(get(account, "identity.type", "")).split(",")}
    found = sorted(kinds & {"systemassigned", "userassigned"})
    if found:
        return passed(sentence(account, f"has a managed identity ({get(account, 'identity.type')})"))
    return failed(sentence(account, "has no managed identity, so it cannot use a customer-managed key or reach "
                                    "other services without a stored secret"))


@control(
    id="CL-AI-005", title="Azure OpenAI encrypts with a customer-managed key", severity="medium", scope="resource",
    citations=("45 CFR 164.312(a)(2)(iv)",), types=ACCOUNTS,
    policy=("67121cc7-ff39-4ab8-b7e3-95b84dab487d",),
    remediation="Set properties.encryption.keySource to Microsoft.KeyVault with keyVaultProperties.keyVaultUri "
                "and keyName (and identityClientId for a user-assigned identity).",
)
def customer_managed_key(account: Document, index: ResourceIndex) -> Outcome:
    """Stored prompts, files and fine-tuning data become unreadable when the organization revokes its key."""
    source = get(account, "properties.encryption.keySource")
    uri = get(account, "properties.encryption.keyVaultProperties.keyVaultUri")
    key = get(account, "properties.encryption.keyVaultProperties.keyName")
    if same(source, "Microsoft.KeyVault") and uri and key:
        return passed(sentence(account, f"encrypts data with key '{key}' from {uri}"))
    if same(source, "Microsoft.KeyVault"):
        return failed(sentence(account, "selects Key Vault encryption but names no vault URI and key"))
    return failed(sentence(account, "encrypts data with Microsoft-managed keys, which the organization cannot revoke"))


@control(
    id="CL-AI-006", title="Azure OpenAI sends audit and request logs to Log Analytics", severity="high",
    scope="graph",
    citations=("45 CFR 164.312(b)",), types=ACCOUNTS,
    policy=("1b4d1c4e-934c-4703-944c-27c82c06bebb",),
    remediation="Add a diagnostic setting on the account with a workspaceId and the Audit and RequestResponse "
                "categories (or the allLogs category group) enabled.",
)
def logs_collected(account: Document, index: ResourceIndex) -> Outcome:
    """Who called which deployment, and when, is recorded where the security team reviews activity."""
    sent = workspace_logs(index, account["id"])
    missing = [category for category, groups in REQUIRED_LOGS.items()
               if category.lower() not in sent and not any(g in sent for g in groups)]
    if not missing:
        return passed(sentence(account, "sends Audit and RequestResponse logs to Log Analytics"))
    return failed(sentence(account, f"does not send {' or '.join(missing)} logs to a Log Analytics workspace, so "
                                    f"its use cannot be reviewed"))


@control(
    id="CL-AI-007", title="Azure OpenAI has a custom subdomain", severity="medium", scope="resource",
    citations=("45 CFR 164.312(e)(1)", "45 CFR 164.312(d)"), types=ACCOUNTS,
    remediation="Set properties.customSubDomainName (carelift: openai.customSubDomainName); it cannot be "
                "changed later.",
)
def custom_subdomain(account: Document, index: ResourceIndex) -> Outcome:
    """Private endpoints and Entra ID tokens both need the account's own DNS name."""
    name = get(account, "properties.customSubDomainName")
    if name:
        return passed(sentence(account, f"has custom subdomain '{name}'"))
    return failed(sentence(account, "has no custom subdomain, so it supports neither private endpoints nor "
                                    "Entra ID authentication"))


@control(
    id="CL-AI-008", title="Azure OpenAI outbound access is restricted to an allow-list", severity="high",
    scope="resource",
    citations=("45 CFR 164.312(e)(1)",), types=ACCOUNTS,
    remediation="Set properties.restrictOutboundNetworkAccess to true and list the hosts the service may call "
                "in properties.allowedFqdnList (carelift: openai.allowedFqdns).",
)
def outbound_restricted(account: Document, index: ResourceIndex) -> Outcome:
    """The service cannot be made to send PHI to a host nobody approved (data exfiltration)."""
    if boolean(get(account, "properties.restrictOutboundNetworkAccess")) is not True:
        return failed(sentence(account, "does not restrict outbound network access, so the service can send data "
                                        "to any host"))
    hosts = sorted(str(h) for h in get_list(account, "properties.allowedFqdnList"))
    allowed = f"only {', '.join(hosts)}" if hosts else "no host at all"
    return passed(sentence(account, f"restricts outbound network access to {allowed}"))


@control(
    id="CL-AI-010", title="Model deployments use the account's own content filter", severity="high", scope="graph",
    citations=("45 CFR 164.308(a)(1)(ii)(B)",), types=DEPLOYMENTS,
    remediation="Create a raiPolicies content filter on the account (mode Blocking, jailbreak detection on) "
                "and set properties.raiPolicyName of each deployment to its name.",
)
def uses_content_filter(deployment: Document, index: ResourceIndex) -> Outcome:
    """The filter whose settings are reviewed (CL-AI-011, CL-AI-012) is the one that guards this deployment."""
    name = get(deployment, "properties.raiPolicyName")
    if not name:
        return failed(sentence(deployment, "names no content filter, so the service default applies and its "
                                           "settings are not part of the reviewed configuration"))
    account_id = parent_id(str(deployment["id"]))
    if index.by_id(f"{account_id}/raiPolicies/{name}") is not None:
        return passed(sentence(deployment, f"is guarded by content filter '{name}'"))
    return failed(sentence(deployment, f"names content filter '{name}', which is not defined on its account, so "
                                       f"its settings cannot be verified"))


def _filters(policy: Document) -> list[dict]:
    found = []
    for entry in get_entries(policy, "properties.contentFilters"):
        name = re.sub(r"[^a-z]", "", str(entry.get("name") or entry.get("policyName") or "").lower())
        found.append({**entry, "_name": name, "_source": str(entry.get("source", "")).lower()})
    return found


def _blocks(entry: dict) -> bool:
    return boolean(entry.get("enabled")) is True and boolean(entry.get("blocking")) is True


@control(
    id="CL-AI-011", title="Content filters block synchronously and detect jailbreaks", severity="high",
    scope="resource",
    citations=("45 CFR 164.308(a)(1)(ii)(B)", "45 CFR 164.308(a)(5)(ii)(B)"), types=FILTERS,
    remediation="Set properties.mode to Blocking and add a contentFilters entry {name Jailbreak, source Prompt, "
                "enabled true, blocking true}.",
)
def blocking_with_jailbreak(policy: Document, index: ResourceIndex) -> Outcome:
    """Filtered output never streams to the caller before the verdict, and prompt-injection attempts are refused."""
    problems = []
    mode = get(policy, "properties.mode")
    if not same(mode, "Blocking"):
        problems.append("does not set mode Blocking" if mode is None else f"uses mode {mode}, not Blocking")
    if not any(e["_name"] == "jailbreak" and e["_source"] == "prompt" and _blocks(e) for e in _filters(policy)):
        problems.append("does not block jailbreak attempts in prompts")
    if not problems:
        return passed(sentence(policy, "blocks synchronously and blocks jailbreak attempts in prompts"))
    return failed(sentence(policy, " and ".join(problems)))


@control(
    id="CL-AI-012", title="Content filters block harmful content in prompts and completions", severity="medium",
    scope="resource",
    citations=("45 CFR 164.308(a)(1)(ii)(B)",), types=FILTERS,
    remediation="For Hate, Sexual, Selfharm and Violence add enabled, blocking contentFilters entries for both "
                "Prompt and Completion with severityThreshold Low or Medium.",
)
def harm_categories_blocked(policy: Document, index: ResourceIndex) -> Outcome:
    """Harmful text is stopped in both directions at medium severity or lower."""
    entries = _filters(policy)
    missing = []
    for category in HARM_CATEGORIES:
        for source in SOURCES:
            if not any(e["_name"] == category and e["_source"] == source and _blocks(e)
                       and str(e.get("severityThreshold") or e.get("allowedContentLevel") or "").lower()
                       in STRICT_THRESHOLDS for e in entries):
                missing.append(f"{category} ({source})")
    if not missing:
        return passed(sentence(policy, "blocks hate, sexual, self-harm and violence content at medium severity or "
                                       "lower in prompts and completions"))
    return failed(sentence(policy, f"does not block at medium severity or lower: {', '.join(missing)}"))
