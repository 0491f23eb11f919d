"""Azure SQL: encryption at rest, auditing, Entra-only authentication, TLS 1.2 and private access.

carelift does not create SQL yet; these controls judge what migrations land (and `az` exports
of existing estates). Server settings that ARM models as child resources are followed by id:
servers/auditingSettings ("default"), servers/azureADOnlyAuthentications ("Default") and
servers/databases/transparentDataEncryption ("current").
"""

from __future__ import annotations

from infra.compliance.describe import sentence
from infra.compliance.index import ResourceIndex, get
from infra.compliance.model import Document, Outcome, control, failed, passed

SERVERS = ("Microsoft.Sql/servers",)
DATABASES = ("Microsoft.Sql/servers/databases",)
TDE_TYPE = "Microsoft.Sql/servers/databases/transparentDataEncryption"
AUDITING_TYPE = "Microsoft.Sql/servers/auditingSettings"
ENTRA_ONLY_TYPE = "Microsoft.Sql/servers/azureADOnlyAuthentications"
MIN_AUDIT_DAYS = 90
TLS_OK = ("1.2", "1.3")


@control(
    id="CL-SQL-001", title="SQL databases use transparent data encryption", severity="high",
    citations=("45 CFR 164.312(a)(2)(iv)",),
    types=DATABASES, policy=("17k78e20-9358-41c9-923c-fb736d382a12",),
    remediation="Set the database's transparentDataEncryption/current state to Enabled.",
)
def tde_enabled(database: Document, index: ResourceIndex) -> Outcome:
    """Data files, logs and backups holding ePHI are encrypted at rest."""
    if str(database.get("name", "")).rsplit("/", 1)[-1].lower() == "master":
        return passed(sentence(database, "is the server's master database, whose encryption Azure manages"))
    for setting in index.children(database["id"], TDE_TYPE):
        # API versions before 2021 call the property status.
        if (get(setting, "properties.state") or get(setting, "properties.status")) == "Enabled":
            return passed(sentence(database, "has transparent data encryption enabled"))
    return failed(sentence(database, "does not have transparent data encryption enabled (no transparentDataEncryption "
                                     "setting with state Enabled)"))


@control(
    id="CL-SQL-002", title="SQL servers audit to a store kept at least 90 days", severity="high",
    citations=("45 CFR 164.312(b)", "45 CFR 164.308(a)(1)(ii)(D)"),
    types=SERVERS, policy=("a6fb4358-5bf4-4ad7-ba82-2cd2f41ce5e9",), checkov=("CKV_AZURE_23", "CKV_AZURE_24"),
    remediation="Set the server's auditingSettings/default state to Enabled with retentionDays of at least 90 "
                "(or 0, unlimited).",
)
def auditing_enabled(server: Document, index: ResourceIndex) -> Outcome:
    """Every query touching ePHI is recorded and kept long enough to investigate."""
    settings = index.children(server["id"], AUDITING_TYPE)
    enabled = [s for s in settings if get(s, "properties.state") == "Enabled"]
    if not enabled:
        return failed(sentence(server, "does not have auditing enabled, so access to its databases is not recorded"))
    days = get(enabled[0], "properties.retentionDays")
    if days is None:
        return failed(sentence(server, "audits but states no retentionDays, so how long records are kept is unknown"))
    if isinstance(days, int) and not isinstance(days, bool) and (days == 0 or days >= MIN_AUDIT_DAYS):
        kept = "unlimited retention" if days == 0 else f"{days}-day retention"
        return passed(sentence(server, f"audits with {kept}"))
    return failed(sentence(server, f"keeps audit records only {days} days, fewer than {MIN_AUDIT_DAYS}"))


@control(
    id="CL-SQL-003", title="SQL servers allow only Microsoft Entra authentication", severity="high",
    citations=("45 CFR 164.312(a)(2)(i)", "45 CFR 164.312(d)"),
    types=SERVERS, policy=("b3a22bc9-66de-45fb-98fa-00f5df42f41a",),
    remediation="Enable azureADOnlyAuthentication (servers/azureADOnlyAuthentications/Default, or "
                "properties.administrators.azureADOnlyAuthentication) so SQL logins cannot connect.",
)
def entra_only_auth(server: Document, index: ResourceIndex) -> Outcome:
    """Every connection belongs to a unique, MFA-capable identity, not a shared SQL login."""
    inline = get(server, "properties.administrators.azureADOnlyAuthentication") is True
    child = any(get(s, "properties.azureADOnlyAuthentication") is True
                for s in index.children(server["id"], ENTRA_ONLY_TYPE))
    if inline or child:
        return passed(sentence(server, "accepts only Microsoft Entra authentication"))
    return failed(sentence(server, "accepts SQL logins (Entra-only authentication is not enabled), so shared "
                                   "passwords can reach its databases"))


@control(
    id="CL-SQL-004", title="SQL servers require TLS 1.2 or later", severity="medium",
    citations=("45 CFR 164.312(e)(1)", "45 CFR 164.312(e)(2)(ii)"),
    types=SERVERS, policy=("32e6bbec-16b6-44c2-be37-c5b672d103cf",), checkov=("CKV_AZURE_52",),
    remediation="Set properties.minimalTlsVersion to 1.2.",
)
def minimum_tls(server: Document, index: ResourceIndex) -> Outcome:
    """ePHI in transit is protected by a current protocol."""
    version = get(server, "properties.minimalTlsVersion")
    if version in TLS_OK:
        return passed(sentence(server, f"requires TLS {version} or later"))
    return failed(sentence(server, f"has minimalTlsVersion {version or 'unset'}, so clients may connect with TLS "
                                   "older than 1.2"))


@control(
    id="CL-SQL-005", title="SQL servers disable public network access", severity="high",
    citations=("45 CFR 164.312(e)(1)", "45 CFR 164.312(a)(1)"),
    types=SERVERS, policy=("1b8ca024-1d5c-4dec-8995-b1a932b41780",), checkov=("CKV_AZURE_113",),
    remediation="Set properties.publicNetworkAccess to Disabled and connect through a private endpoint.",
)
def no_public_network(server: Document, index: ResourceIndex) -> Outcome:
    """Databases holding ePHI are reachable only from private networks."""
    if get(server, "properties.publicNetworkAccess") == "Disabled":
        return passed(sentence(server, "has public network access disabled"))
    return failed(sentence(server, f"has public network access "
                                   f"{get(server, 'properties.publicNetworkAccess') or 'unset'}, so its endpoint is "
                                   "reachable from the internet"))


CONTROLS = (tde_enabled, auditing_enabled, entra_only_auth, minimum_tls, no_public_network)
