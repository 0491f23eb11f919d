"""SQL controls: TDE, auditing, Entra-only authentication, TLS and public network access."""

from __future__ import annotations

from infra.compliance.controls import sql
from infra.compliance.model import Status, Unknown
from tests.infra.compliance.arm import controls_of, messages, rendered_statuses, resource, statuses

SERVER = "Microsoft.Sql/servers"
DATABASE = "Microsoft.Sql/servers/databases"


def server(name: str, **properties) -> dict:
    base = {"minimalTlsVersion": "1.2", "publicNetworkAccess": "Disabled"}
    return resource(SERVER, name, {**base, **properties})


def child(parent: dict, arm_type: str, name: str, **properties) -> dict:
    """A child setting as a separate document, the way templates and `az` exports declare it."""
    return {"type": arm_type, "name": name, "id": f"{parent['id']}/{arm_type.rsplit('/', 1)[-1]}/{name}",
            "properties": properties}


def database(server_name: str, name: str) -> dict:
    return resource(DATABASE, f"{server_name}/{name}")


class TestTdeEnabled:
    def test_pass_with_state_or_legacy_status_and_for_master(self):
        db, legacy = database("sql-a", "ehr"), database("sql-a", "old")
        documents = [db, legacy, database("sql-a", "master"),
                     child(db, sql.TDE_TYPE, "current", state="Enabled"),
                     child(legacy, sql.TDE_TYPE, "current", status="Enabled")]
        assert statuses(sql.tde_enabled, documents) == {"ehr": Status.PASS, "old": Status.PASS, "master": Status.PASS}

    def test_fail_when_disabled(self):
        disabled = database("sql-a", "disabled")
        documents = [disabled, child(disabled, sql.TDE_TYPE, "current", state="Disabled")]
        assert statuses(sql.tde_enabled, documents) == {"disabled": Status.FAIL}
        assert messages(sql.tde_enabled, documents) == [
            "SQL database 'disabled' does not have transparent data encryption enabled (its transparentDataEncryption "
            "setting does not have state Enabled)."]

    def test_absent_setting_is_azures_default_enabled(self):
        """Azure encrypts every new database with TDE; a template that declares no setting keeps it on."""
        documents = [database("sql-a", "bare"), database("sql-a", "lower")]
        documents.append(child(documents[1], sql.TDE_TYPE, "current", state="enabled"))
        assert statuses(sql.tde_enabled, documents) == {"bare": Status.PASS, "lower": Status.PASS}
        assert messages(sql.tde_enabled, documents[:1]) == [
            "SQL database 'bare' has transparent data encryption enabled (no transparentDataEncryption setting; "
            "state unset: Azure's default is Enabled)."]

    def test_empty(self):
        assert statuses(sql.tde_enabled, []) == {}


class TestAuditingEnabled:
    def test_pass_with_90_days_or_unlimited(self):
        a, b = server("sql-90"), server("sql-forever")
        documents = [a, b, child(a, sql.AUDITING_TYPE, "default", state="Enabled", retentionDays=90),
                     child(b, sql.AUDITING_TYPE, "default", state="Enabled", retentionDays=0)]
        assert statuses(sql.auditing_enabled, documents) == {"sql-90": Status.PASS, "sql-forever": Status.PASS}

    def test_fail_when_off_short_or_absent(self):
        off, short, bare = server("sql-off"), server("sql-30"), server("sql-bare")
        documents = [off, short, bare,
                     child(off, sql.AUDITING_TYPE, "default", state="Disabled", retentionDays=90),
                     child(short, sql.AUDITING_TYPE, "default", state="Enabled", retentionDays="30")]
        assert statuses(sql.auditing_enabled, documents) == {
            "sql-off": Status.FAIL, "sql-30": Status.FAIL, "sql-bare": Status.FAIL}
        assert messages(sql.auditing_enabled, documents[1:2] + documents[4:5]) == [
            "SQL server 'sql-30' keeps audit records only 30 days, fewer than 90."]

    def test_unstated_retention_is_azures_unlimited_default(self):
        unstated = server("sql-unstated")
        documents = [unstated, child(unstated, sql.AUDITING_TYPE, "default", state="enabled")]
        assert messages(sql.auditing_enabled, documents) == [
            "SQL server 'sql-unstated' audits with unlimited retention (retentionDays unset: Azure's default is 0)."]

    def test_empty(self):
        assert statuses(sql.auditing_enabled, []) == {}


class TestEntraOnlyAuth:
    def test_pass_inline_or_child(self):
        inline = server("sql-inline", administrators={"azureADOnlyAuthentication": True})
        separate = server("sql-child")
        documents = [inline, separate, child(separate, sql.ENTRA_ONLY_TYPE, "Default", azureADOnlyAuthentication=True)]
        assert statuses(sql.entra_only_auth, documents) == {"sql-inline": Status.PASS, "sql-child": Status.PASS}

    def test_fail_when_sql_logins_allowed(self):
        off = server("sql-off", administrators={"azureADOnlyAuthentication": False})
        documents = [off, server("sql-bare"), child(off, sql.ENTRA_ONLY_TYPE, "Default", azureADOnlyAuthentication=False)]
        assert statuses(sql.entra_only_auth, documents) == {"sql-off": Status.FAIL, "sql-bare": Status.FAIL}

    def test_empty(self):
        assert statuses(sql.entra_only_auth, []) == {}


class TestMinimumTls:
    """Azure SQL ended TLS 1.0 and 1.1 on 31 August 2025: unset, or "None" (ARM's spelling of unset, what a
    live GET returns), is no minimum before that and TLS 1.2 in effect from 1 September 2025. A stated 1.0 or
    1.1 fails on any day. The suite's day is CARELIFT_AS_OF=2026-12-06 (tests/conftest.py)."""

    def test_pass(self):
        documents = [server("sql-12"), server("sql-13", minimalTlsVersion="1.3")]
        assert statuses(sql.minimum_tls, documents) == {"sql-12": Status.PASS, "sql-13": Status.PASS}
        assert messages(sql.minimum_tls, documents[:1]) == ["SQL server 'sql-12' requires TLS 1.2 or later."]

    def test_pass_when_unset_or_none_as_of_today_saying_which_default(self):
        documents = [server("sql-none", minimalTlsVersion="None"), server("sql-unset", minimalTlsVersion=None)]
        assert statuses(sql.minimum_tls, documents) == {"sql-none": Status.PASS, "sql-unset": Status.PASS}
        effect = ("Azure's default is None (no minimum), and from 2025-09-01 Azure SQL Database refuses TLS 1.0 and "
                  "1.1, so the effective value is 1.2).")
        assert messages(sql.minimum_tls, documents) == [
            f"SQL server 'sql-none' requires TLS 1.2 or later (minimalTlsVersion None, the same as unset: {effect}",
            f"SQL server 'sql-unset' requires TLS 1.2 or later (minimalTlsVersion unset: {effect}"]

    def test_fail_with_old_tls_stated_whatever_the_day(self, monkeypatch):
        documents = [server("sql-10", minimalTlsVersion="1.0"), server("sql-11", minimalTlsVersion="1.1")]
        assert statuses(sql.minimum_tls, documents) == {"sql-10": Status.FAIL, "sql-11": Status.FAIL}
        assert messages(sql.minimum_tls, documents[:1]) == [
            "SQL server 'sql-10' has minimalTlsVersion 1.0, so clients may connect with TLS older than 1.2."]
        monkeypatch.setenv("CARELIFT_AS_OF", "2025-06-01")
        assert statuses(sql.minimum_tls, documents) == {"sql-10": Status.FAIL, "sql-11": Status.FAIL}

    def test_unset_fails_before_the_retirement_and_passes_from_the_day_after_it(self, monkeypatch):
        documents = [server("sql-none", minimalTlsVersion="none"), server("sql-unset", minimalTlsVersion=None)]
        monkeypatch.setenv("CARELIFT_AS_OF", "2025-08-31")
        assert statuses(sql.minimum_tls, documents) == {"sql-none": Status.FAIL, "sql-unset": Status.FAIL}
        assert messages(sql.minimum_tls, documents[1:]) == [
            "SQL server 'sql-unset' sets no minimum TLS version (minimalTlsVersion unset: Azure's default is None "
            "(no minimum) before 2025-09-01), so clients may connect with TLS older than 1.2."]
        monkeypatch.setenv("CARELIFT_AS_OF", "2025-09-01")
        assert statuses(sql.minimum_tls, documents) == {"sql-none": Status.PASS, "sql-unset": Status.PASS}

    def test_an_expression_is_not_taken_for_unset(self):
        """A parameter is only known at deployment: manual, never the default's pass."""
        tls = Unknown("[parameters('tls')]", "properties.minimalTlsVersion")
        assert statuses(sql.minimum_tls, [server("sql-param", minimalTlsVersion=tls)]) == {"sql-param": Status.MANUAL}

    def test_empty(self):
        assert statuses(sql.minimum_tls, []) == {}


class TestNoPublicNetwork:
    def test_pass_and_fail(self):
        documents = [server("sql-private"), server("sql-public", publicNetworkAccess="Enabled"),
                     server("sql-unset", publicNetworkAccess=None)]
        assert statuses(sql.no_public_network, documents) == {
            "sql-private": Status.PASS, "sql-public": Status.FAIL, "sql-unset": Status.FAIL}

    def test_empty(self):
        assert statuses(sql.no_public_network, []) == {}


MANAGED_INSTANCE = "Microsoft.Sql/managedInstances"


def instance(name: str, **properties) -> dict:
    return resource(MANAGED_INSTANCE, name, {"minimalTlsVersion": "1.2", **properties})


class TestManagedInstances:
    """Managed Instance, the planner's other SQL target, is judged by the server controls that apply to it."""

    def test_tls_and_public_endpoint(self):
        documents = [instance("sqlmi-ok"), instance("sqlmi-open", publicDataEndpointEnabled=True,
                                                    minimalTlsVersion="1.1")]
        assert statuses(sql.minimum_tls, documents) == {"sqlmi-ok": Status.PASS, "sqlmi-open": Status.FAIL}
        assert messages(sql.no_public_network, documents) == [
            "SQL managed instance 'sqlmi-ok' has no public data endpoint (publicDataEndpointEnabled unset: Azure's "
            "default is false).",
            "SQL managed instance 'sqlmi-open' has its public data endpoint enabled, so its databases are reachable "
            "from the internet."]

    def test_entra_only_child_of_the_instance(self):
        mi = instance("sqlmi-entra")
        documents = [mi, child(mi, "Microsoft.Sql/managedInstances/azureADOnlyAuthentications", "Default",
                               azureADOnlyAuthentication="true"), instance("sqlmi-logins")]
        assert statuses(sql.entra_only_auth, documents) == {"sqlmi-entra": Status.PASS, "sqlmi-logins": Status.FAIL}

    def test_unset_tls_is_judged_on_the_audit_day(self, monkeypatch):
        """Managed Instance's own retirement page gives the same end of support, 31 August 2025."""
        documents = [instance("sqlmi-unset", minimalTlsVersion=None)]
        assert messages(sql.minimum_tls, documents) == [
            "SQL managed instance 'sqlmi-unset' requires TLS 1.2 or later (minimalTlsVersion unset: Azure's default "
            "is None (no minimum), and from 2025-09-01 Azure SQL Managed Instance refuses TLS 1.0 and 1.1, so the "
            "effective value is 1.2)."]
        monkeypatch.setenv("CARELIFT_AS_OF", "2025-06-01")
        assert statuses(sql.minimum_tls, documents) == {"sqlmi-unset": Status.FAIL}


FIREWALL_RULE = "Microsoft.Sql/servers/firewallRules"


class TestNoAllowAllFirewallRule:
    def test_pass_with_named_ranges_or_no_rules(self):
        office, bare = server("sql-office"), server("sql-bare")
        documents = [office, bare, child(office, FIREWALL_RULE, "office", startIpAddress="203.0.113.0",
                                         endIpAddress="203.0.113.255"),
                     child(office, FIREWALL_RULE, "AllowAllWindowsAzureIps", startIpAddress="0.0.0.0",
                           endIpAddress="0.0.0.0")]
        assert statuses(sql.no_allow_all_firewall_rule, documents) == {"sql-office": Status.PASS,
                                                                       "sql-bare": Status.PASS}
        assert messages(sql.no_allow_all_firewall_rule, documents[:1] + documents[2:]) == [
            "SQL server 'sql-office' has no firewall rule spanning 0.0.0.0-255.255.255.255 among its 2 rule(s)."]

    def test_fail_on_the_whole_ipv4_range(self):
        srv = server("sql-open")
        documents = [srv, child(srv, FIREWALL_RULE, "anyone", startIpAddress="0.0.0.0", endIpAddress="255.255.255.255")]
        assert messages(sql.no_allow_all_firewall_rule, documents) == [
            "SQL server 'sql-open' admits every IPv4 address through firewall rule(s) anyone "
            "(0.0.0.0-255.255.255.255)."]

    def test_empty(self):
        assert statuses(sql.no_allow_all_firewall_rule, []) == {}


ALERT_POLICY = "Microsoft.Sql/servers/securityAlertPolicies"


class TestThreatAlerts:
    def test_pass_with_recipients_on_the_server_or_admins_and_databases_inherit(self):
        a, b = server("sql-mail"), server("sql-admins")
        db = database("sql-mail", "ehr")
        documents = [a, b, db, child(a, ALERT_POLICY, "Default", state="Enabled", emailAddresses=["soc@example.org"]),
                     child(b, ALERT_POLICY, "Default", state="enabled", emailAccountAdmins="Enabled", disabledAlerts=[""])]
        assert statuses(sql.threat_alerts, documents) == {
            "sql-mail": Status.PASS, "sql-admins": Status.PASS, "ehr": Status.PASS}
        assert messages(sql.threat_alerts, [a, db, documents[3]]) == [
            "SQL server 'sql-mail' has Defender for SQL alerts on for every alert type, sent to 1 address(es).",
            "SQL database 'ehr' has Defender for SQL alerts on for every alert type, sent to 1 address(es) (its "
            "server's policy)."]

    def test_fail_when_off_silent_or_partial(self):
        off, silent, partial, bare = server("sql-off"), server("sql-silent"), server("sql-partial"), server("sql-bare")
        documents = [off, silent, partial, bare,
                     child(off, ALERT_POLICY, "Default", state="Disabled", emailAddresses=["soc@example.org"]),
                     child(silent, ALERT_POLICY, "Default", state="Enabled"),
                     child(partial, ALERT_POLICY, "Default", state="Enabled", emailAddresses=["soc@example.org"],
                           disabledAlerts=["Sql_Injection"])]
        assert set(statuses(sql.threat_alerts, documents).values()) == {Status.FAIL}
        assert messages(sql.threat_alerts, [silent, partial] + documents[5:]) == [
            "SQL server 'sql-partial' has a security alert policy that disables alert type(s) Sql_Injection.",
            "SQL server 'sql-silent' has a security alert policy that names no email recipient and does not email "
            "the account admins."]
        assert messages(sql.threat_alerts, [bare]) == [
            "SQL server 'sql-bare' has no enabled security alert policy (Defender for SQL), so attacks on its "
            "databases raise no alert."]

    def test_empty(self):
        assert statuses(sql.threat_alerts, []) == {}


class TestPhiCustomerKey:
    def test_pass_with_key_vault_protector_or_not_phi(self):
        cmk, internal = server("sql-cmk", keyId=None), server("sql-internal")
        cmk["tags"], internal["tags"] = {"data-classification": "phi"}, {"data-classification": "Internal"}
        documents = [cmk, internal, child(cmk, "Microsoft.Sql/servers/encryptionProtector", "current",
                                          serverKeyType="AzureKeyVault", serverKeyName="kv_key_v1")]
        assert messages(sql.phi_customer_key, documents) == [
            "SQL server 'sql-cmk' encrypts with customer-managed key kv_key_v1 (encryptionProtector AzureKeyVault).",
            "SQL server 'sql-internal' holds data classified internal, not PHI, so a service-managed key suffices."]

    def test_fail_for_phi_or_unclassified_with_service_key(self):
        phi, unclassified = server("sql-phi"), server("sql-unclassified")
        phi_db = database("sql-phi", "ehr")
        phi_db["tags"] = {"data-classification": "phi"}
        documents = [phi, unclassified, phi_db,
                     child(phi, "Microsoft.Sql/servers/encryptionProtector", "current", serverKeyType="ServiceManaged")]
        assert messages(sql.phi_customer_key, documents) == [
            "SQL server 'sql-phi' holds PHI but encrypts with a service-managed key (no encryptionProtector with "
            "serverKeyType AzureKeyVault).",
            "SQL server 'sql-unclassified' has no data-classification tag, so it may hold PHI, but encrypts with a "
            "service-managed key (no encryptionProtector with serverKeyType AzureKeyVault)."]

    def test_empty(self):
        assert statuses(sql.phi_customer_key, []) == {}


WORKSPACE = "Microsoft.OperationalInsights/workspaces"


class TestAuditRetentionMatchesWorkspace:
    def test_pass_forever_or_at_least_the_workspace(self):
        forever, long = server("sql-forever"), server("sql-400")
        documents = [forever, long, resource(WORKSPACE, "log-main", {"retentionInDays": 365}),
                     child(forever, sql.AUDITING_TYPE, "default", state="Enabled"),
                     child(long, sql.AUDITING_TYPE, "default", state="Enabled", retentionDays=400)]
        assert messages(sql.audit_retention_matches_workspace, documents) == [
            "SQL server 'sql-400' keeps audit records 400 days, at least the 365 days of workspace 'log-main'.",
            "SQL server 'sql-forever' keeps audit records without limit (retentionDays unset: Azure's default is 0)."]

    def test_fail_when_shorter_than_the_workspace_or_off(self):
        short, off = server("sql-90"), server("sql-off")
        documents = [short, off, resource(WORKSPACE, "log-main", {"retentionInDays": "365"}),
                     child(short, sql.AUDITING_TYPE, "default", state="Enabled", retentionDays=90)]
        assert messages(sql.audit_retention_matches_workspace, documents) == [
            "SQL server 'sql-90' keeps audit records only 90 days, fewer than the 365 days workspace 'log-main' "
            "keeps logs.",
            "SQL server 'sql-off' does not have auditing enabled, so there are no audit records to keep."]

    def test_manual_without_a_workspace_to_compare_with(self):
        srv = server("sql-90")
        documents = [srv, child(srv, sql.AUDITING_TYPE, "default", state="Enabled", retentionDays=90)]
        assert statuses(sql.audit_retention_matches_workspace, documents) == {"sql-90": Status.MANUAL}

    def test_empty(self):
        assert statuses(sql.audit_retention_matches_workspace, []) == {}


def test_rendered_stacks_have_nothing_to_judge(rendering):
    """The landing zone's own resources, translated to ARM, give these controls nothing to judge."""
    # carelift creates no SQL yet: the controls judge nothing rather than something spurious.
    assert rendered_statuses(rendering, controls_of(sql)) == {}

