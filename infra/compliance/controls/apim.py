"""API Management: the AI gateway in front of Azure OpenAI (and any other API gateway in the estate).

The AI-specific rules (quotas and metrics per use case, no product for a use case out of force, products
granted only to their use case's Entra ID groups, no prompt bodies in logs when PHI flows) read the register's
``Carelift.AI/useCases`` pseudo-documents.
"""

from __future__ import annotations

import datetime
import re

from infra.ai.documents import USE_CASE_TYPE
from infra.compliance.controls.ai_governance import register_day
from infra.compliance.controls.monitoring import workspace_logs
from infra.compliance.controls.values import boolean, number, same
from infra.compliance.describe import sentence
from infra.compliance.index import ResourceIndex, get, parent_id
from infra.compliance.model import Document, Outcome, cannot_judge, failed, is_unknown, passed
from infra.compliance.registry import control

SERVICES = ("Microsoft.ApiManagement/service",)
BACKENDS = ("Microsoft.ApiManagement/service/backends",)
PRODUCTS = ("Microsoft.ApiManagement/service/products",)
PRODUCT_POLICIES = ("Microsoft.ApiManagement/service/products/policies",)
API_DIAGNOSTICS = ("Microsoft.ApiManagement/service/apis/diagnostics",)
_SECURITY = "Microsoft.WindowsAzure.ApiManagement.Gateway.Security"
WEAK_PROTOCOLS = tuple(f"{_SECURITY}.{side}Protocols.{protocol}"
                       for side in ("", "Backend.") for protocol in ("Tls10", "Tls11", "Ssl30"))
GATEWAY_LOGS = ("gatewaylogs", "alllogs", "audit")
LEGACY_TLS_CUTOFF = "2018-04-01"


@control(
    id="CL-APIM-001", title="API Management is not reachable from the internet", severity="high", scope="resource",
    citations=("45 CFR 164.312(a)(1)", "45 CFR 164.312(e)(1)"), types=SERVICES,
    policy=("ef619a2c-cc4d-4d03-b2ba-8c94a834d85b", "df73bd95-24da-4a4f-96b9-4e8b94b402bd"),
    checkov=("CKV_AZURE_174",),
    remediation="Inject the service into a virtual network in Internal mode (properties.virtualNetworkType "
                "Internal with a subnet), or disable public network access behind a private endpoint.",
)
def private_gateway(service: Document, index: ResourceIndex) -> Outcome:
    """Prompts with PHI reach the gateway only from the private network."""
    mode = get(service, "properties.virtualNetworkType")
    if same(mode, "Internal") and get(service, "properties.virtualNetworkConfiguration.subnetResourceId"):
        return passed(sentence(service, "is injected into a virtual network in internal mode, with private "
                                        "addresses only"))
    if same(get(service, "properties.publicNetworkAccess"), "Disabled"):
        return passed(sentence(service, "disables public network access"))
    found = f"uses virtual network type {mode}" if mode else "is not injected into a virtual network"
    return failed(sentence(service, f"{found} and does not disable public network access, so its gateway is "
                                    f"reachable from the internet"))


@control(
    id="CL-APIM-002", title="API Management accepts TLS 1.2 or later only", severity="high", scope="resource",
    citations=("45 CFR 164.312(e)(1)", "45 CFR 164.312(e)(2)(ii)"), types=SERVICES,
    checkov=("CKV_AZURE_173",),
    remediation="Set properties.customProperties Microsoft.WindowsAzure.ApiManagement.Gateway.Security."
                "[Backend.]Protocols.{Tls10,Tls11,Ssl30} to \"False\" (unset means on for services created on or "
                "before 2018-04-01).",
)
def modern_tls(service: Document, index: ResourceIndex) -> Outcome:
    """Calls to and from the gateway are encrypted with protocols that are still safe."""
    properties = get(service, "properties.customProperties", {}) or {}
    lowered = {str(k).lower(): v for k, v in properties.items()} if isinstance(properties, dict) else {}
    # Azure's default for an unset protocol: on for services created on or before 2018-04-01, off after
    # (the customProperties contract, Microsoft.ApiManagement REST reference). A template creates a new one.
    created = str(get(service, "properties.createdAtUtc", "") or "")
    legacy = bool(created) and created[:10] <= LEGACY_TLS_CUTOFF
    still_on, by_default = [], []
    for name in WEAK_PROTOCOLS:
        value = boolean(lowered.get(name.lower()))
        if value is None and not legacy:
            by_default.append(name)
        elif value is not False:
            still_on.append(name.removeprefix(f"{_SECURITY}."))
    if still_on:
        why = f" (created {created[:10]}, when Azure left them on)" if legacy else ""
        return failed(sentence(service, f"does not turn off {', '.join(still_on)}{why}"))
    note = (" (Azure's default for services created after 2018-04-01 for "
            f"{len(by_default)} unset of them)") if by_default else ""
    return passed(sentence(service, f"turns off TLS 1.0, TLS 1.1 and SSL 3.0 towards clients and backends{note}"))


@control(
    id="CL-APIM-003", title="API Management sends gateway logs to Log Analytics", severity="medium", scope="graph",
    citations=("45 CFR 164.312(b)", "45 CFR 164.308(a)(1)(ii)(D)"), types=SERVICES,
    remediation="Add a diagnostic setting on the service with a workspaceId and the GatewayLogs category "
                "(or the allLogs category group).",
)
def gateway_logs(service: Document, index: ResourceIndex) -> Outcome:
    """Who called which API through the gateway, and when, is kept where security reviews activity."""
    sent = workspace_logs(index, str(service["id"]))
    if any(key in sent for key in GATEWAY_LOGS):
        return passed(sentence(service, "sends its gateway logs to Log Analytics"))
    return failed(sentence(service, "does not send GatewayLogs to a Log Analytics workspace"))


@control(
    id="CL-APIM-004", title="API Management backends use HTTPS and validate certificates", severity="medium",
    scope="resource",
    citations=("45 CFR 164.312(e)(1)", "45 CFR 164.312(e)(2)(ii)"), types=BACKENDS,
    checkov=("CKV_AZURE_215",),
    remediation="Give the backend an https:// url and leave properties.tls.validateCertificateChain and "
                "validateCertificateName true (their default).",
)
def backend_tls(backend: Document, index: ResourceIndex) -> Outcome:
    """The gateway never forwards a request in clear text or to a server it has not authenticated."""
    url = str(get(backend, "properties.url", "") or "")
    chain = get(backend, "properties.tls.validateCertificateChain")
    host = get(backend, "properties.tls.validateCertificateName")
    problems = []
    if not url.lower().startswith("https://"):
        problems.append(f"forwards to {url or 'no url'}, not an https:// address")
    # Both default to true when unset (API Management's backend contract).
    if boolean(chain) is False or boolean(host) is False:
        problems.append("turns off certificate validation")
    if not problems:
        return passed(sentence(backend, f"forwards over HTTPS to {url} and validates the certificate"))
    return failed(sentence(backend, " and ".join(problems)))


def _use_case(index: ResourceIndex, use_case_id: str) -> Document | None:
    return next((u for u in index.of_type(USE_CASE_TYPE) if str(u.get("name")).lower() == use_case_id.lower()), None)


@control(
    id="CL-AI-020", title="AI gateway products exist only for approved, in-date use cases", severity="high",
    scope="graph",
    citations=("45 CFR 164.308(a)(4)", "45 CFR 164.312(a)(1)", "NIST AI RMF GOVERN 1.6"), types=PRODUCTS,
    remediation="Remove the product (and its subscriptions) of a use case that is proposed, suspended, retired or "
                "overdue for review; carelift only creates products for use cases in force.",
)
def product_in_force(product: Document, index: ResourceIndex) -> Outcome:
    """A suspended or lapsed use case loses its access and quota at the gateway."""
    if not index.of_type(USE_CASE_TYPE):
        return failed(sentence(product, "cannot be judged: no AI use-case register was supplied"))
    use_case = _use_case(index, str(product.get("name")))
    if use_case is None:
        return failed(sentence(product, "grants access for no use case in the AI register"))
    status, due = get(use_case, "properties.status"), get(use_case, "properties.reviewDue")
    today = register_day(index)
    if status == "approved" and due and today <= datetime.date.fromisoformat(due):
        return passed(sentence(product, f"serves use case {use_case.get('name')}, approved until {due}"))
    why = f"is {status}" if status != "approved" else f"was due for review on {due}"
    return failed(sentence(product, f"still grants access, but its use case {why} (as of {today.isoformat()})"))


_TPM = re.compile(r"<(?:azure-openai|llm)-token-limit\b[^>]*\btokens-per-minute=\"(\d+)\"", re.I)
_METRIC = re.compile(r"<(?:azure-openai|llm)-emit-token-metric\b.*?<dimension\s+name=\"use-case\"", re.I | re.S)


@control(
    id="CL-AI-021", title="AI gateway products enforce the registered token quota and emit token metrics",
    severity="medium", scope="graph",
    citations=("45 CFR 164.308(a)(1)(ii)(D)", "NIST AI RMF MEASURE 2.7"), types=PRODUCT_POLICIES,
    remediation="Put an azure-openai-token-limit policy with tokens-per-minute at or below the use case's "
                "tokensPerMinute, and an azure-openai-emit-token-metric policy with a use-case dimension, in the "
                "product's policy.",
)
def quota_and_metrics(policy: Document, index: ResourceIndex) -> Outcome:
    """Each use case stays within the capacity it was approved for, and its usage is charged back to it."""
    product_id = parent_id(str(policy["id"])).rsplit("/", 1)[-1]
    text = str(get(policy, "properties.value", "") or "")
    limit = _TPM.search(text)
    use_case = _use_case(index, product_id)
    quota = get(use_case, "properties.tokensPerMinute") if use_case else None
    problems = []
    if limit is None:
        problems.append("sets no token limit")
    elif quota is not None and int(limit.group(1)) > int(quota):
        problems.append(f"allows {int(limit.group(1)):,} tokens per minute, above the registered {int(quota):,}")
    if not _METRIC.search(text):
        problems.append("emits no token metric with a use-case dimension")
    if not problems:
        return passed(sentence(policy, f"limits product {product_id} to {int(limit.group(1)):,} tokens per minute "  # type: ignore[union-attr]
                                       f"and emits its token metrics by use case"))
    return failed(sentence(policy, f"of product {product_id} " + " and ".join(problems)))


@control(
    id="CL-AI-022", title="The AI gateway never logs prompt or completion bodies when PHI flows through it",
    severity="high", scope="graph",
    citations=("45 CFR 164.312(a)(1)", "45 CFR 164.308(a)(4)", "NIST AI RMF MANAGE 2.2"), types=API_DIAGNOSTICS,
    remediation="Set frontend and backend request and response body bytes to 0 on the API's diagnostic settings.",
)
def no_bodies_logged(diagnostic: Document, index: ResourceIndex) -> Outcome:
    """Logs are read by more people than the clinical record; PHI in prompts must not be copied there."""
    phi = [u.get("name") for u in index.of_type(USE_CASE_TYPE)
           if get(u, "properties.dataClassification") == "phi" and get(u, "properties.status") != "retired"]
    sizes = {f"{side} {message}": get(diagnostic, f"properties.{side}.{message}.body.bytes", 0)
             for side in ("frontend", "backend") for message in ("request", "response")}
    if any(is_unknown(size) for size in sizes.values()):
        return cannot_judge(sentence(diagnostic, "cannot be judged offline: its body logging sizes are only known "
                                                 "at deployment"))
    logged = [what for what, size in sizes.items() if (number(size) or 0) > 0]
    if not logged:
        return passed(sentence(diagnostic, "logs no request or response bodies"))
    if index.of_type(USE_CASE_TYPE) and not phi:
        return passed(sentence(diagnostic, f"logs {', '.join(logged)} bodies, and no registered use case "
                                           f"handles PHI"))
    whose = f"PHI use case(s) {', '.join(sorted(map(str, phi)))}" if phi else "use cases not shown to be free of PHI"
    return failed(sentence(diagnostic, f"logs {', '.join(logged)} bodies while the gateway serves {whose}"))


OPENAI_ACCOUNTS = ("Microsoft.CognitiveServices/accounts",)


@control(
    id="CL-AI-023", title="Azure OpenAI accounts with registered use cases are called through the AI gateway",
    severity="medium", scope="graph",
    citations=("45 CFR 164.312(a)(1)", "45 CFR 164.312(b)", "NIST AI RMF GOVERN 1.6"), types=OPENAI_ACCOUNTS,
    remediation="Put API Management in front of the account (openai.gateway): a backend whose url is the "
                "account's endpoint, products per use case, and applications given gateway subscriptions, not "
                "account roles.",
)
def fronted_by_gateway(account: Document, index: ResourceIndex) -> Outcome:
    """Quotas, chargeback and the register's suspensions only hold when every call passes the gateway."""
    if str(account.get("kind", "")).lower() not in ("openai", "aiservices"):
        return passed(sentence(account, f"is of kind {account.get('kind')}, not an Azure OpenAI account"))
    subdomain = str(get(account, "properties.customSubDomainName", "") or "").lower()
    backends = [b for b in index.of_type(BACKENDS[0])
                if subdomain and f"//{subdomain}." in str(get(b, "properties.url", "") or "").lower()]
    if backends:
        return passed(sentence(account, f"is the backend of the AI gateway ({parent_id(str(backends[0]['id'])).rsplit('/', 1)[-1]})"))
    if not index.of_type(USE_CASE_TYPE):
        return failed(sentence(account, "has no API Management backend in front of it, so callers reach it "
                                        "without quotas or use-case accounting (and no AI register was supplied)"))
    return failed(sentence(account, "has no API Management backend in front of it, so registered use cases are "
                                    "neither held to their quotas nor cut off when suspended"))


PRODUCT_GROUPS = "Microsoft.ApiManagement/service/products/groups"
PRODUCT_GROUP_LINKS = "Microsoft.ApiManagement/service/products/groupLinks"  # 2023-03-01-preview on
GROUPS = "Microsoft.ApiManagement/service/groups"
# API Management's system groups, present in every service under these ids (older services list them under
# generated ids, with builtIn true and type system, which is how a live product-group list shows them).
BUILT_IN_GROUPS = {"administrators": "the service's administrators", "developers": "every signed-in "
                   "developer-portal user", "guests": "anonymous developer-portal visitors"}
_ENTRA_GROUP = re.compile(r"^aad://([^/]+)/groups/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$",
                          re.I)


def _linked_groups(product: Document, index: ResourceIndex) -> list[tuple[str, dict | None]]:
    """(group id, what the group is) for each group the product is granted to.

    Two link shapes: products/groups, named by the group's id (the ARM child resource, and what a live GET
    of .../products/{id}/groups lists, each with the group's displayName, type, builtIn and externalId
    inline), and products/groupLinks, whose properties.groupId is the group's resource id (portal exports
    carry both). What a group is comes from its own service/groups document, else from the link's inline
    properties; None when neither says (or the link's group is an expression)."""
    service_id = parent_id(str(product["id"]))
    found: list[tuple[str, dict | None]] = []
    for link in index.children(str(product["id"]), PRODUCT_GROUPS):
        found.append((str(link.get("name", "")), _group_of(index, service_id, str(link.get("name", "")), link)))
    for link in index.children(str(product["id"]), PRODUCT_GROUP_LINKS):
        target = get(link, "properties.groupId")
        if is_unknown(target) or not target:
            found.append((f"(link {link.get('name')})", None))
            continue
        name = str(target).rstrip("/").rsplit("/", 1)[-1]
        if name.lower() not in {n.lower() for n, _ in found}:
            found.append((name, _group_of(index, service_id, name, None)))
    return found


def _group_of(index: ResourceIndex, service_id: str, name: str, link: Document | None) -> dict | None:
    group = index.by_id(f"{service_id}/groups/{name}")
    for source in (group, link):
        properties = get(source, "properties") if source is not None else None
        if isinstance(properties, dict) and properties:
            return properties
    return None


def _judge_link(name: str, properties: dict | None, intended: dict[str, str]) -> tuple[str, str]:
    """One group a product is granted to: ("ok", intended group name), ("fail", why it admits others) or
    ("manual", what cannot be told offline)."""
    shown = str(get(properties, "displayName") or name) if properties else name
    if name.lower() in BUILT_IN_GROUPS or (properties and (boolean(get(properties, "builtIn")) is True
                                                            or same(get(properties, "type"), "system"))):
        who = BUILT_IN_GROUPS.get(shown.lower(), BUILT_IN_GROUPS.get(name.lower(), "a system-managed membership"))
        return "fail", f"built-in group {shown} ({who})"
    if properties is None:
        return "manual", f"group {name}, which the documents do not define"
    kind, external_id = get(properties, "type"), get(properties, "externalId")
    if is_unknown(kind) or is_unknown(external_id):
        return "manual", f"group {shown}, whose type or externalId is only known at deployment"
    if not same(kind, "external"):
        return "fail", f"{kind or 'custom'} group {shown} (members managed in API Management, not by Entra ID)"
    match = _ENTRA_GROUP.match(str(external_id or ""))
    if match is None:
        return "fail", f"external group {shown} ({external_id}), not an Entra ID group"
    object_id = match.group(2).lower()
    if object_id not in intended:
        return "fail", f"Entra ID group {shown} ({object_id}), not one of its intendedUsers"
    return "ok", intended[object_id]


@control(
    id="CL-AI-024", title="AI gateway products are granted only to the Entra ID groups their use case names",
    severity="high", scope="graph",
    citations=("45 CFR 164.312(a)(1)", "45 CFR 164.308(a)(4)(ii)(B)", "45 CFR 164.308(a)(4)(ii)(C)",
               "NIST AI RMF GOVERN 2.1"),
    types=PRODUCTS,
    remediation="Map each intendedUsers group of the use case to its Entra ID object id (entraGroups), link the "
                "product to one external group per intended Entra group (type external, externalId "
                "aad://<tenant>.onmicrosoft.com/groups/<object id>), and remove its links to the administrators, "
                "developers and guests groups and to any other group.",
)
def product_groups(product: Document, index: ResourceIndex) -> Outcome:
    """Who may see a use case's product and ask for its subscription key is its intended workforce, decided
    in Entra ID (joiners and leavers handled there), never every developer-portal user.

    Reads the product's group links (Microsoft.ApiManagement/service/products/groups: a template's child
    resources, or a live GET of .../products/{id}/groups, which returns each group's type, builtIn and
    externalId inline; and products/groupLinks, which name the group by resource id) and the groups
    themselves (Microsoft.ApiManagement/service/groups) for their type and externalId, and matches an
    external group's object id against the object ids the AI register records for the use case's
    intendedUsers (the stack's entraGroups, or --ai-register FILE's).
    """
    if not index.of_type(USE_CASE_TYPE):
        return failed(sentence(product, "cannot be judged: no AI use-case register was supplied, so no "
                                        "intended users are on record"))
    use_case = _use_case(index, str(product.get("name")))
    if use_case is None:
        return failed(sentence(product, "grants access for no use case in the AI register, so no intended "
                                        "users are on record"))
    users = [str(g) for g in get(use_case, "properties.intendedUsers", []) or []]
    intended = {str(oid).lower(): str(name) for name, oid in
                (get(use_case, "properties.intendedUserObjectIds", {}) or {}).items()}
    named = ", ".join(users) or "none"
    unmapped = [u for u in users if u not in intended.values()]
    note = f"; the register records no object id for {', '.join(unmapped)}" if unmapped else ""
    links = _linked_groups(product, index)
    if not links:
        return failed(sentence(product, f"is granted to no group, so who may subscribe is not tied to the "
                                        f"intendedUsers of use case {use_case.get('name')} ({named}){note}"))
    judged = [_judge_link(name, properties, intended) for name, properties in links]
    definite = [what for verdict, what in judged if verdict == "fail"]
    unsure = [what for verdict, what in judged if verdict == "manual"]
    if definite:
        return failed(sentence(product, f"is granted to {'; '.join(definite)} — use case {use_case.get('name')} "
                                        f"names {named}{note}"))
    if unsure:
        return cannot_judge(sentence(product, f"is granted to {'; '.join(unsure)}: check that it admits only "
                                              f"{named}"))
    granted = sorted({what for _, what in judged})
    return passed(sentence(product, f"is granted only to the Entra ID group(s) {', '.join(granted)} that use case "
                                    f"{use_case.get('name')} names ({len(granted)} of {len(users)})"))
