"""Azure SQL Database and Managed Instance: encryption at rest (with a customer key for PHI),
auditing, Entra-only authentication, TLS 1.2, private access, no allow-all firewall rule and
Defender for SQL alerts that reach someone.

carelift does not create SQL yet; these controls judge what migrations land (the planner sends
databases to Azure SQL Database and Managed Instance) and `az` exports of existing estates.
Settings that ARM models as child resources are followed by id: servers/auditingSettings
("default"), {servers,managedInstances}/azureADOnlyAuthentications ("Default"),
{servers,managedInstances}/encryptionProtector ("current"), {servers,managedInstances}/
securityAlertPolicies ("Default"), servers/firewallRules and servers/databases/
transparentDataEncryption ("current").
"""

from __future__ import annotations

from infra.compliance.controls.tagging import DATA_CLASSIFICATION, tags_of
from infra.compliance.controls.values import boolean, number, same, setting, shown, spelled
from infra.compliance.describe import sentence
from infra.compliance.index import ResourceIndex, get, get_list
from infra.compliance.model import Document, Outcome, cannot_judge, failed, passed
from infra.compliance.registry import control

SERVERS = ("Microsoft.Sql/servers",)
MANAGED_INSTANCES = ("Microsoft.Sql/managedInstances",)
DATABASES = ("Microsoft.Sql/servers/databases",)
TDE_TYPE = "Microsoft.Sql/servers/databases/transparentDataEncryption"
AUDITING_TYPE = "Microsoft.Sql/servers/auditingSettings"
ENTRA_ONLY_TYPE = "Microsoft.Sql/servers/azureADOnlyAuthentications"
MIN_AUDIT_DAYS = 90


@control(
    id="CL-SQL-001", title="SQL databases use transparent data encryption", severity="high", scope="graph",
    citations=("45 CFR 164.312(a)(2)(iv)",),
    types=DATABASES, policy=("17k78e20-9358-41c9-923c-fb736d382a12",),
    remediation="Set the database's transparentDataEncryption/current state to Enabled.",
)
def tde_enabled(database: Document, index: ResourceIndex) -> Outcome:
    """Data files, logs and backups holding ePHI are encrypted at rest."""
    if str(database.get("name", "")).rsplit("/", 1)[-1].lower() == "master":
        return passed(sentence(database, "is the server's master database, whose encryption Azure manages"))
    settings = index.children(database["id"], TDE_TYPE)
    if not settings:
        default = setting({"type": TDE_TYPE}, "properties.state")
        if same(default.value, "Enabled"):
            return passed(sentence(database, f"has transparent data encryption enabled (no transparentDataEncryption "
                                             f"setting; {default.default_note})"))
    for tde in settings:
        # API versions before 2021 call the property status.
        if same(get(tde, "properties.state") or get(tde, "properties.status"), "Enabled"):
            return passed(sentence(database, "has transparent data encryption enabled"))
    return failed(sentence(database, "does not have transparent data encryption enabled (its transparentDataEncryption "
                                     "setting does not have state Enabled)"))


@control(
    id="CL-SQL-002", title="SQL servers audit to a store kept at least 90 days", severity="high", scope="graph",
    citations=("45 CFR 164.312(b)", "45 CFR 164.308(a)(1)(ii)(D)"),
    types=SERVERS, policy=("a6fb4358-5bf4-4ad7-ba82-2cd2f41ce5e9",), checkov=("CKV_AZURE_23", "CKV_AZURE_24"),
    remediation="Set the server's auditingSettings/default state to Enabled with retentionDays of at least 90 "
                "(or 0, unlimited).",
)
def auditing_enabled(server: Document, index: ResourceIndex) -> Outcome:
    """Every query touching ePHI is recorded and kept long enough to investigate."""
    settings = index.children(server["id"], AUDITING_TYPE)
    enabled = [s for s in settings if same(get(s, "properties.state"), "Enabled")]
    if not enabled:
        return failed(sentence(server, "does not have auditing enabled, so access to its databases is not recorded"))
    retention = setting(enabled[0], "properties.retentionDays")
    days = number(retention.value)
    if days is None:
        return failed(sentence(server, f"audits but its retentionDays ({shown(retention.value)}) is not a number of "
                                       "days, so how long records are kept is unknown"))
    if days == 0 or days >= MIN_AUDIT_DAYS:
        kept = "unlimited retention" if days == 0 else f"{days:g}-day retention"
        return passed(sentence(server, f"audits with {kept}{retention.note}"))
    return failed(sentence(server, f"keeps audit records only {days:g} days, fewer than {MIN_AUDIT_DAYS}"))


@control(
    id="CL-SQL-003", title="SQL servers and managed instances allow only Microsoft Entra authentication",
    severity="high", scope="graph", citations=("45 CFR 164.312(a)(2)(i)", "45 CFR 164.312(d)"),
    types=SERVERS + MANAGED_INSTANCES,
    policy=("b3a22bc9-66de-45fb-98fa-00f5df42f41a", "0c28c3fb-c244-42d5-a9bf-f35f2999577b"),
    remediation="Enable azureADOnlyAuthentication (<server>/azureADOnlyAuthentications/Default, or "
                "properties.administrators.azureADOnlyAuthentication) so SQL logins cannot connect.",
)
def entra_only_auth(server: Document, index: ResourceIndex) -> Outcome:
    """Every connection belongs to a unique, MFA-capable identity, not a shared SQL login."""
    inline = boolean(get(server, "properties.administrators.azureADOnlyAuthentication")) is True
    child = any(boolean(get(s, "properties.azureADOnlyAuthentication")) is True
                for s in index.children(server["id"], f"{server['type']}/azureADOnlyAuthentications"))
    if inline or child:
        return passed(sentence(server, "accepts only Microsoft Entra authentication"))
    return failed(sentence(server, "accepts SQL logins (Entra-only authentication is not enabled), so shared "
                                   "passwords can reach its databases"))


@control(
    id="CL-SQL-004", title="SQL servers and managed instances require TLS 1.2 or later", severity="medium",
    scope="resource",
    citations=("45 CFR 164.312(e)(1)", "45 CFR 164.312(e)(2)(ii)"),
    types=SERVERS + MANAGED_INSTANCES,
    policy=("32e6bbec-16b6-44c2-be37-c5b672d103cf", "a8793640-60f7-487c-b5c3-1d37215905c4"),
    checkov=("CKV_AZURE_52",),
    remediation="Set properties.minimalTlsVersion to 1.2.",
)
def minimum_tls(server: Document, index: ResourceIndex) -> Outcome:
    """ePHI in transit is protected by a current protocol."""
    # Unset, or "None" (how ARM spells unset; a live GET returns it), is Azure's default, no minimum, until
    # support for TLS 1.0 and 1.1 ended on 31 August 2025; from 1 September 2025 Azure SQL refuses them, so on
    # an audit day from then on the effective minimum is 1.2 (azure-defaults.yaml, dated and sourced). A
    # stated 1.0 or 1.1 fails whatever the day: it asks for what HIPAA transmission security rules out.
    version = setting(server, "properties.minimalTlsVersion", unset=("None",))
    found = number(version.value)
    if found is not None and found >= 1.2:
        return passed(sentence(server, f"requires TLS {shown(version.value)} or later{version.note}"))
    if version.is_default:
        return failed(sentence(server, f"sets no minimum TLS version{version.note}, so clients may connect with TLS "
                                       "older than 1.2"))
    return failed(sentence(server, f"has minimalTlsVersion {shown(version.value) if version.value is not None else 'unset'}, "
                                   "so clients may connect with TLS older than 1.2"))


@control(
    id="CL-SQL-005", title="SQL servers and managed instances disable public network access", severity="high",
    scope="resource",
    citations=("45 CFR 164.312(e)(1)", "45 CFR 164.312(a)(1)"),
    types=SERVERS + MANAGED_INSTANCES,
    policy=("1b8ca024-1d5c-4dec-8995-b1a932b41780", "9dfea752-dd46-4766-aed1-c355fa93fb91"),
    checkov=("CKV_AZURE_113",),
    remediation="Set properties.publicNetworkAccess to Disabled (managed instances: publicDataEndpointEnabled "
                "false) and connect through a private endpoint.",
)
def no_public_network(server: Document, index: ResourceIndex) -> Outcome:
    """Databases holding ePHI are reachable only from private networks."""
    if str(server.get("type", "")).lower() == MANAGED_INSTANCES[0].lower():
        endpoint = setting(server, "properties.publicDataEndpointEnabled")
        if boolean(endpoint.value) is False:
            return passed(sentence(server, f"has no public data endpoint{endpoint.note}"))
        if boolean(endpoint.value) is True:
            return failed(sentence(server, "has its public data endpoint enabled, so its databases are reachable "
                                           "from the internet"))
        return failed(sentence(server, f"has publicDataEndpointEnabled {shown(endpoint.value)}, which is not a "
                                       "boolean"))
    access = setting(server, "properties.publicNetworkAccess")
    if same(access.value, "Disabled"):
        return passed(sentence(server, "has public network access disabled"))
    return failed(sentence(server, f"has public network access {shown(access.value) if access.value else 'unset'}"
                                   f"{access.note}, so its endpoint is reachable from the internet"))


FIREWALL_RULE_TYPE = "Microsoft.Sql/servers/firewallRules"


def _ip(value: object) -> tuple[int, ...] | None:
    parts = str(value or "").strip().split("/")[0].split(".")
    if len(parts) != 4 or not all(p.isdigit() and int(p) < 256 for p in parts):
        return None
    return tuple(int(p) for p in parts)


@control(
    id="CL-SQL-006", title="No SQL firewall rule admits the whole internet", severity="critical", scope="graph",
    citations=("45 CFR 164.312(a)(1)", "45 CFR 164.312(e)(1)"),
    types=SERVERS, checkov=("CKV_AZURE_11",),
    remediation="Delete the firewall rule that spans 0.0.0.0-255.255.255.255; allow named client addresses only, "
                "or better, disable public network access and connect through a private endpoint.",
)
def no_allow_all_firewall_rule(server: Document, index: ResourceIndex) -> Outcome:
    """A rule from 0.0.0.0 to 255.255.255.255 makes every database's login page public."""
    rules = index.children(server["id"], FIREWALL_RULE_TYPE)
    open_rules = [spelled(r.get("name", "?")).rsplit("/", 1)[-1] for r in rules
                  if _ip(get(r, "properties.startIpAddress")) == (0, 0, 0, 0)
                  and _ip(get(r, "properties.endIpAddress")) == (255, 255, 255, 255)]
    if open_rules:
        return failed(sentence(server, f"admits every IPv4 address through firewall rule(s) "
                                       f"{', '.join(sorted(open_rules))} (0.0.0.0-255.255.255.255)"))
    return passed(sentence(server, f"has no firewall rule spanning 0.0.0.0-255.255.255.255 among its "
                                   f"{len(rules)} rule(s)"))


ALERT_POLICY_TYPES = ("Microsoft.Sql/servers/securityAlertPolicies",
                      "Microsoft.Sql/managedInstances/securityAlertPolicies",
                      "Microsoft.Sql/servers/databases/securityAlertPolicies")
ATP_TYPE = "Microsoft.Sql/servers/advancedThreatProtectionSettings"


def _alert_policies(resource: Document, index: ResourceIndex) -> list[Document]:
    """Security alert policies on the resource itself and, for a database, on its server."""
    found = [p for t in ALERT_POLICY_TYPES for p in index.children(resource["id"], t)]
    if str(resource.get("type", "")).lower() == DATABASES[0].lower():
        server_id = str(resource["id"]).rsplit("/databases/", 1)[0]
        found += index.children(server_id, ALERT_POLICY_TYPES[0])
    return found


@control(
    id="CL-SQL-007", title="Defender for SQL is on and its alerts reach someone", severity="high", scope="graph",
    citations=("45 CFR 164.308(a)(1)(ii)(D)", "45 CFR 164.308(a)(6)", "45 CFR 164.308(a)(5)(ii)(B)"),
    types=SERVERS + MANAGED_INSTANCES + DATABASES,
    policy=("abfb4388-5bf4-4ad7-ba82-2cd2f41ceae9", "abfb7388-5bf4-4ad7-ba99-2cd2f41cebb9"),
    checkov=("CKV_AZURE_25", "CKV_AZURE_26", "CKV_AZURE_27"),
    remediation="Add securityAlertPolicies/Default with state Enabled, no disabledAlerts, and emailAddresses (or "
                "emailAccountAdmins true) naming the security team; enable the SqlServers Defender plan.",
)
def threat_alerts(resource: Document, index: ResourceIndex) -> Outcome:
    """SQL injection, brute force and unusual access are detected and someone is told (incident procedures)."""
    policies = _alert_policies(resource, index)
    enabled = [p for p in policies if same(get(p, "properties.state"), "Enabled")]
    if not enabled:
        atp = [p for p in index.children(resource["id"], ATP_TYPE) if same(get(p, "properties.state"), "Enabled")]
        if atp:
            return failed(sentence(resource, "has advanced threat protection on but no enabled security alert "
                                             "policy naming who receives its alerts"))
        return failed(sentence(resource, "has no enabled security alert policy (Defender for SQL), so attacks on "
                                         "its databases raise no alert"))
    problems = []
    for policy in enabled:
        disabled = [str(a) for a in get_list(policy, "properties.disabledAlerts") if str(a).strip()]
        recipients = [str(e) for e in get_list(policy, "properties.emailAddresses") if str(e).strip()]
        # API versions before 2017 spell emailAccountAdmins "Enabled"/"Disabled".
        admins_value = get(policy, "properties.emailAccountAdmins")
        admins = boolean(admins_value) is True or same(admins_value, "Enabled")
        if not disabled and (recipients or admins):
            who = f"{len(recipients)} address(es)" if recipients else "the subscription admins"
            own = str(policy.get("id", "")).lower().startswith(str(resource["id"]).lower() + "/")
            extra = "" if own else " (its server's policy)"
            return passed(sentence(resource, f"has Defender for SQL alerts on for every alert type, sent to "
                                             f"{who}{extra}"))
        if disabled:
            problems.append(f"disables alert type(s) {', '.join(disabled)}")
        if not (recipients or admins):
            problems.append("names no email recipient and does not email the account admins")
    return failed(sentence(resource, f"has a security alert policy that {' and '.join(sorted(set(problems)))}"))


ENCRYPTION_PROTECTOR = "encryptionProtector"
NOT_PHI = ("pii", "internal", "public")


def _classification(resource: Document, index: ResourceIndex) -> str | None:
    """The most sensitive data-classification tag on the server or its databases (phi first)."""
    found = [str(tags_of(d).get(DATA_CLASSIFICATION) or "").strip().lower()
             for d in [resource] + index.children(resource["id"])]
    for level in ("phi",) + NOT_PHI:
        if level in found:
            return level
    return None


@control(
    id="CL-SQL-008", title="SQL holding PHI is encrypted with a customer-managed key", severity="medium",
    scope="graph",
    citations=("45 CFR 164.312(a)(2)(iv)", "45 CFR 164.310(d)(1)"),
    types=SERVERS + MANAGED_INSTANCES,
    policy=("0a370ff3-6cab-4e85-8995-295fd854c5b8", "ac01ad65-10e5-46df-bdd9-6b0cad13e1d2"),
    remediation="Set the encryptionProtector (current) to serverKeyType AzureKeyVault with a key from the landing "
                "zone's Key Vault (or properties.keyId at creation), so revoking the key makes the data unreadable.",
    description="Applies to servers tagged data-classification=phi, or whose databases are, and to servers with "
                "no classification (default to fail: unclassified data may be PHI).",
)
def phi_customer_key(server: Document, index: ResourceIndex) -> Outcome:
    """For ePHI the organisation, not only Microsoft, holds the key that transparent data encryption uses."""
    level = _classification(server, index)
    if level in NOT_PHI:
        return passed(sentence(server, f"holds data classified {level}, not PHI, so a service-managed key suffices"))
    protectors = index.children(server["id"], f"{server['type']}/{ENCRYPTION_PROTECTOR}")
    for protector in protectors:
        if same(get(protector, "properties.serverKeyType"), "AzureKeyVault"):
            key = str(get(protector, "properties.serverKeyName") or get(protector, "properties.uri") or "a key")
            return passed(sentence(server, f"encrypts with customer-managed key {key} (encryptionProtector "
                                           "AzureKeyVault)"))
    if get(server, "properties.keyId"):
        return passed(sentence(server, f"encrypts with customer-managed key {get(server, 'properties.keyId')}"))
    why = "holds PHI" if level == "phi" else "has no data-classification tag, so it may hold PHI,"
    return failed(sentence(server, f"{why} but encrypts with a service-managed key (no encryptionProtector with "
                                   "serverKeyType AzureKeyVault)"))


WORKSPACES = "Microsoft.OperationalInsights/workspaces"


@control(
    id="CL-SQL-009", title="SQL audit records are kept at least as long as the log workspace keeps logs",
    severity="medium", scope="graph", citations=("45 CFR 164.312(b)", "45 CFR 164.316(b)(2)(i)"),
    types=SERVERS, policy=("89099bee-89e0-4b26-a5f4-165451757743",),
    remediation="Set auditingSettings/default retentionDays to 0 (keep forever) or to at least the Log Analytics "
                "workspace's retentionInDays (carelift: monitoring.logRetentionDays).",
)
def audit_retention_matches_workspace(server: Document, index: ResourceIndex) -> Outcome:
    """Database audit records do not vanish from their store before the rest of the audit trail does."""
    enabled = [s for s in index.children(server["id"], AUDITING_TYPE) if same(get(s, "properties.state"), "Enabled")]
    if not enabled:
        return failed(sentence(server, "does not have auditing enabled, so there are no audit records to keep"))
    retention = setting(enabled[0], "properties.retentionDays")
    days = number(retention.value)
    if days == 0:
        return passed(sentence(server, f"keeps audit records without limit{retention.note}"))
    workspaces = {str(w.get("name")): number(get(w, "properties.retentionInDays")) for w in index.of_type(WORKSPACES)}
    known = {name: d for name, d in workspaces.items() if d is not None}
    if not known:
        return cannot_judge(sentence(server, f"keeps audit records {shown(retention.value)} days; cannot judge "
                                             "offline: no Log Analytics workspace retention among the documents "
                                             "to compare with"))
    name, longest = max(sorted(known.items()), key=lambda item: item[1])
    if days is not None and days >= longest:
        return passed(sentence(server, f"keeps audit records {days:g} days, at least the {longest:g} days of "
                                       f"workspace '{name}'"))
    return failed(sentence(server, f"keeps audit records only {shown(retention.value)} days, fewer than the "
                                   f"{longest:g} days workspace '{name}' keeps logs"))
