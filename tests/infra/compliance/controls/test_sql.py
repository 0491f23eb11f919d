"""SQL controls: TDE, auditing, Entra-only authentication, TLS and public network access."""

from __future__ import annotations

from infra.compliance.controls import sql
from infra.compliance.model import Status
from tests.infra.compliance.arm import messages, rendered_statuses, resource, statuses

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

    def test_fail_when_disabled_or_absent(self):
        disabled, bare = database("sql-a", "disabled"), database("sql-a", "bare")
        documents = [disabled, bare, child(disabled, sql.TDE_TYPE, "current", state="Disabled")]
        assert statuses(sql.tde_enabled, documents) == {"disabled": Status.FAIL, "bare": Status.FAIL}

    def test_empty(self):
        assert statuses(sql.tde_enabled, []) == {}


class TestAuditingEnabled:
    def test_pass_with_90_days_or_unlimited(self):
        a, b = server("sql-90"), server("sql-forever")
        documents = [a, b, child(a, sql.AUDITING_TYPE, "default", state="Enabled", retentionDays=90),
                     child(b, sql.AUDITING_TYPE, "default", state="Enabled", retentionDays=0)]
        assert statuses(sql.auditing_enabled, documents) == {"sql-90": Status.PASS, "sql-forever": Status.PASS}

    def test_fail_when_off_short_unstated_or_absent(self):
        off, short, unstated, bare = server("sql-off"), server("sql-30"), server("sql-unstated"), server("sql-bare")
        documents = [off, short, unstated, bare,
                     child(off, sql.AUDITING_TYPE, "default", state="Disabled", retentionDays=90),
                     child(short, sql.AUDITING_TYPE, "default", state="Enabled", retentionDays=30),
                     child(unstated, sql.AUDITING_TYPE, "default", state="Enabled")]
        assert statuses(sql.auditing_enabled, documents) == {
            "sql-off": Status.FAIL, "sql-30": Status.FAIL, "sql-unstated": Status.FAIL, "sql-bare": Status.FAIL}
        assert messages(sql.auditing_enabled, documents[1:2] + documents[5:6]) == [
            "SQL server 'sql-30' keeps audit records only 30 days, fewer than 90."]

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
    def test_pass(self):
        documents = [server("sql-12"), server("sql-13", minimalTlsVersion="1.3")]
        assert statuses(sql.minimum_tls, documents) == {"sql-12": Status.PASS, "sql-13": Status.PASS}

    def test_fail(self):
        documents = [server("sql-10", minimalTlsVersion="1.0"), server("sql-none", minimalTlsVersion="None"),
                     server("sql-unset", minimalTlsVersion=None)]
        assert set(statuses(sql.minimum_tls, documents).values()) == {Status.FAIL}
        assert messages(sql.minimum_tls, documents[:1]) == [
            "SQL server 'sql-10' has minimalTlsVersion 1.0, so clients may connect with TLS older than 1.2."]

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


def test_rendered_stacks_have_nothing_to_judge(rendering):
    """The landing zone's own resources, translated to ARM, give these controls nothing to judge."""
    # carelift creates no SQL yet: the controls judge nothing rather than something spurious.
    assert rendered_statuses(rendering, sql.CONTROLS) == {}
