"""Key Vault controls: a passing fixture, a failing fixture and the empty case for each."""

from __future__ import annotations

from infra.compliance.controls import keyvault
from infra.compliance.model import Status
from tests.infra.compliance.arm import (controls_of, extension, messages, private_endpoint, rendered_statuses, resource,
                                       rid, statuses)

VAULT = "Microsoft.KeyVault/vaults"
DIAG = "Microsoft.Insights/diagnosticSettings"
KEY = "Microsoft.KeyVault/vaults/keys"
SECRET = "Microsoft.KeyVault/vaults/secrets"


def vault(name: str, **properties) -> dict:
    return resource(VAULT, name, {"enablePurgeProtection": True, **properties})


class TestPurgeProtection:
    def test_pass(self):
        assert statuses(keyvault.purge_protection, [vault("kv-good")]) == {"kv-good": Status.PASS}

    def test_fail_when_false_or_absent(self):
        absent = resource(VAULT, "kv-absent", {})
        assert statuses(keyvault.purge_protection, [vault("kv-off", enablePurgeProtection=False), absent]) == {
            "kv-off": Status.FAIL, "kv-absent": Status.FAIL}

    def test_message_names_the_vault(self):
        assert messages(keyvault.purge_protection, [vault("kv-off", enablePurgeProtection=False)]) == [
            "Key Vault 'kv-off' does not have purge protection enabled, so a deleted vault and its keys "
            "could be purged before the recovery window ends."]

    def test_empty(self):
        assert statuses(keyvault.purge_protection, []) == {}


class TestAuditEventsLogged:
    def test_pass_with_audit_event_category(self):
        kv = vault("kv-logged")
        setting = extension(kv, DIAG, "to-law", {"workspaceId": "/w", "logs": [{"category": "AuditEvent", "enabled": True}]})
        assert statuses(keyvault.audit_events_logged, [kv, setting]) == {"kv-logged": Status.PASS}

    def test_pass_with_audit_category_group(self):
        kv = vault("kv-group")
        setting = extension(kv, DIAG, "to-law", {"workspaceId": "/w", "logs": [{"categoryGroup": "audit", "enabled": True}]})
        assert statuses(keyvault.audit_events_logged, [kv, setting]) == {"kv-group": Status.PASS}

    def test_fail_without_setting_or_with_disabled_or_no_workspace(self):
        bare = vault("kv-bare")
        disabled = vault("kv-disabled")
        no_workspace = vault("kv-storage-only")
        other_vault = vault("kv-other")
        documents = [
            bare, disabled, no_workspace, other_vault,
            extension(disabled, DIAG, "d", {"workspaceId": "/w", "logs": [{"category": "AuditEvent", "enabled": False}]}),
            extension(no_workspace, DIAG, "d", {"storageAccountId": "/s", "logs": [{"category": "AuditEvent", "enabled": True}]}),
            # A setting on another vault does not count for kv-other's neighbours.
            extension(other_vault, DIAG, "d", {"workspaceId": "/w", "logs": [{"category": "AuditEvent", "enabled": True}]}),
        ]
        assert statuses(keyvault.audit_events_logged, documents) == {
            "kv-bare": Status.FAIL, "kv-disabled": Status.FAIL, "kv-storage-only": Status.FAIL, "kv-other": Status.PASS}

    def test_empty(self):
        assert statuses(keyvault.audit_events_logged, []) == {}


class TestSoftDelete:
    def test_pass_with_90_days(self):
        kv = vault("kv-good", enableSoftDelete=True, softDeleteRetentionInDays=90)
        assert statuses(keyvault.soft_delete, [kv]) == {"kv-good": Status.PASS}

    def test_fail_when_off_or_short(self):
        documents = [vault("kv-off", enableSoftDelete=False, softDeleteRetentionInDays=90),
                     vault("kv-short", enableSoftDelete=True, softDeleteRetentionInDays=7),
                     vault("kv-off-text", enableSoftDelete="False", softDeleteRetentionInDays="90")]
        assert statuses(keyvault.soft_delete, documents) == {
            "kv-off": Status.FAIL, "kv-short": Status.FAIL, "kv-off-text": Status.FAIL}

    def test_unset_properties_take_azures_default_and_say_so(self):
        """Azure turns soft delete on with 90 days when a new vault leaves both unset."""
        documents = [vault("kv-unset", enableSoftDelete=True), resource(VAULT, "kv-bare", {})]
        assert statuses(keyvault.soft_delete, documents) == {"kv-unset": Status.PASS, "kv-bare": Status.PASS}
        assert messages(keyvault.soft_delete, documents[1:]) == [
            "Key Vault 'kv-bare' keeps deleted keys and secrets recoverable for 90 days (enableSoftDelete unset: "
            "Azure's default is true; softDeleteRetentionInDays unset: Azure's default is 90)."]

    def test_strings_are_read_as_booleans_and_numbers(self):
        kv = vault("kv-text", enableSoftDelete="true", softDeleteRetentionInDays="90")
        assert messages(keyvault.soft_delete, [kv]) == [
            "Key Vault 'kv-text' keeps deleted keys and secrets recoverable for 90 days."]

    def test_message_gives_the_short_window(self):
        kv = vault("kv-short", enableSoftDelete=True, softDeleteRetentionInDays=7)
        assert messages(keyvault.soft_delete, [kv]) == [
            "Key Vault 'kv-short' keeps deleted objects only 7 days; 90 days is required."]

    def test_empty(self):
        assert statuses(keyvault.soft_delete, []) == {}


class TestPublicNetworkDisabled:
    def test_pass(self):
        assert statuses(keyvault.public_network_disabled, [vault("kv-private", publicNetworkAccess="Disabled")]) == {
            "kv-private": Status.PASS}

    def test_fail_when_enabled_or_absent(self):
        documents = [vault("kv-open", publicNetworkAccess="Enabled"), vault("kv-default")]
        assert statuses(keyvault.public_network_disabled, documents) == {
            "kv-open": Status.FAIL, "kv-default": Status.FAIL}

    def test_empty(self):
        assert statuses(keyvault.public_network_disabled, []) == {}


class TestAclDefaultDeny:
    def test_pass(self):
        kv = vault("kv-deny", networkAcls={"defaultAction": "Deny", "bypass": "AzureServices"})
        assert statuses(keyvault.acl_default_deny, [kv]) == {"kv-deny": Status.PASS}

    def test_fail_when_allow_or_absent(self):
        documents = [vault("kv-allow", networkAcls={"defaultAction": "Allow"}), vault("kv-no-acl")]
        assert statuses(keyvault.acl_default_deny, documents) == {"kv-allow": Status.FAIL, "kv-no-acl": Status.FAIL}
        assert messages(keyvault.acl_default_deny, documents[1:]) == [
            "Key Vault 'kv-no-acl' allows network access by default (Allow; defaultAction unset: Azure's default is "
            "Allow); the default action must be Deny."]

    def test_a_lower_case_deny_is_deny(self):
        """The message that once read "allows network access by default (deny)"."""
        kv = vault("kv-lower", networkAcls={"defaultAction": "deny"})
        assert messages(keyvault.acl_default_deny, [kv]) == ["Key Vault 'kv-lower' denies network access by default."]

    def test_empty(self):
        assert statuses(keyvault.acl_default_deny, []) == {}


class TestRbacAuthorization:
    def test_pass(self):
        assert statuses(keyvault.rbac_authorization, [vault("kv-rbac", enableRbacAuthorization=True)]) == {
            "kv-rbac": Status.PASS}

    def test_fail_with_access_policies_or_absent_before_api_2026_02_01(self):
        documents = [vault("kv-policies", enableRbacAuthorization=False, accessPolicies=[]),
                     {**vault("kv-unset"), "apiVersion": "2023-07-01"}]
        assert statuses(keyvault.rbac_authorization, documents) == {
            "kv-policies": Status.FAIL, "kv-unset": Status.FAIL}

    def test_absent_from_api_2026_02_01_is_rbac(self):
        """Key Vault API 2026-02-01 made Azure RBAC the default access model for new vaults."""
        assert messages(keyvault.rbac_authorization, [{**vault("kv-new"), "apiVersion": "2026-02-01"}]) == [
            "Key Vault 'kv-new' authorizes data-plane access with Azure RBAC (enableRbacAuthorization unset: Azure's "
            "default is true from API version 2026-02-01)."]

    def test_empty(self):
        assert statuses(keyvault.rbac_authorization, []) == {}


class TestPrivateEndpoint:
    def test_pass_with_template_endpoint_without_state(self):
        kv = vault("kv-pe")
        assert statuses(keyvault.private_endpoint, [kv, private_endpoint(kv, "pe-kv", "vault")]) == {
            "kv-pe": Status.PASS}

    def test_pass_seen_from_the_vault_side(self):
        # A live GET lists connections on the vault even when the endpoint sits in another subscription.
        kv = vault("kv-live", privateEndpointConnections=[{"properties": {
            "privateEndpoint": {"id": rid("Microsoft.Network/privateEndpoints", "pe-hub", "rg-hub")},
            "privateLinkServiceConnectionState": {"status": "Approved"}}}])
        assert messages(keyvault.private_endpoint, [kv]) == [
            "Key Vault 'kv-live' is reached through approved private endpoint pe-hub."]

    def test_fail_without_endpoint_or_with_unapproved_connections(self):
        bare, pending, rejected, manual = (vault(n) for n in ("kv-bare", "kv-pending", "kv-rejected", "kv-manual"))
        documents = [bare, pending, rejected, manual,
                     private_endpoint(pending, "pe-pending", "vault", status="Pending"),
                     private_endpoint(rejected, "pe-rejected", "vault", status="Rejected"),
                     # A manual connection without a recorded approval is still waiting for one.
                     private_endpoint(manual, "pe-manual", "vault", manual=True),
                     resource(VAULT, "kv-side-pending", {"privateEndpointConnections": [{"properties": {
                         "privateLinkServiceConnectionState": {"status": "Pending"}}}]})]
        assert statuses(keyvault.private_endpoint, documents) == {
            "kv-bare": Status.FAIL, "kv-pending": Status.FAIL, "kv-rejected": Status.FAIL,
            "kv-manual": Status.FAIL, "kv-side-pending": Status.FAIL}

    def test_pass_with_approved_manual_connection(self):
        kv = vault("kv-manual-ok")
        endpoint = private_endpoint(kv, "pe-manual", "vault", manual=True, status="Approved")
        assert statuses(keyvault.private_endpoint, [kv, endpoint]) == {"kv-manual-ok": Status.PASS}

    def test_endpoint_to_another_vault_does_not_count(self):
        mine, other = vault("kv-mine"), vault("kv-other")
        assert statuses(keyvault.private_endpoint, [mine, other, private_endpoint(other, "pe-other", "vault")]) == {
            "kv-mine": Status.FAIL, "kv-other": Status.PASS}

    def test_empty(self):
        assert statuses(keyvault.private_endpoint, []) == {}


def key(name: str, **properties) -> dict:
    return resource(KEY, name, properties)


ROTATE = {"action": {"type": "rotate"}, "trigger": {"timeAfterCreate": "P18M"}}
NOTIFY = {"action": {"type": "notify"}, "trigger": {"timeBeforeExpiry": "P30D"}}


class TestKeyExpires:
    def test_pass_with_policy_lifetime_or_exp_attribute(self):
        documents = [key("kv/cmk-policy", rotationPolicy={"attributes": {"expiryTime": "P2Y"}}),
                     key("kv/cmk-exp", attributes={"exp": 1893456000})]
        assert statuses(keyvault.key_expires, documents) == {"cmk-policy": Status.PASS, "cmk-exp": Status.PASS}

    def test_fail_without_expiry(self):
        documents = [key("kv/cmk-none", attributes={"enabled": True}), key("kv/cmk-bare"),
                     key("kv/cmk-empty", rotationPolicy={"attributes": {"expiryTime": ""}})]
        assert statuses(keyvault.key_expires, documents) == {
            "cmk-none": Status.FAIL, "cmk-bare": Status.FAIL, "cmk-empty": Status.FAIL}

    def test_message(self):
        assert messages(keyvault.key_expires, [key("kv/cmk-bare")]) == [
            "Key Vault key 'cmk-bare' has no expiry, so a key version can stay in use indefinitely."]

    def test_empty(self):
        assert statuses(keyvault.key_expires, []) == {}


class TestKeyRotates:
    def test_pass_with_rotate_action(self):
        cmk = key("kv/cmk", rotationPolicy={"lifetimeActions": [ROTATE, NOTIFY]})
        assert messages(keyvault.key_rotates, [cmk]) == [
            "Key Vault key 'cmk' has a rotation policy that rotates it P18M after creation."]

    def test_fail_with_notify_only_or_no_policy(self):
        documents = [key("kv/cmk-notify", rotationPolicy={"lifetimeActions": [NOTIFY]}), key("kv/cmk-none")]
        assert statuses(keyvault.key_rotates, documents) == {"cmk-notify": Status.FAIL, "cmk-none": Status.FAIL}

    def test_empty(self):
        assert statuses(keyvault.key_rotates, []) == {}


class TestSecretExpires:
    def test_pass(self):
        secret = resource(SECRET, "kv/db-password", {"attributes": {"exp": 1893456000}})
        assert statuses(keyvault.secret_expires, [secret]) == {"db-password": Status.PASS}

    def test_fail_without_exp(self):
        documents = [resource(SECRET, "kv/no-exp", {"attributes": {"enabled": True}}),
                     resource(SECRET, "kv/bare", {"value": "never stored in a template"})]
        assert statuses(keyvault.secret_expires, documents) == {"no-exp": Status.FAIL, "bare": Status.FAIL}
        assert messages(keyvault.secret_expires, documents[:1]) == [
            "Key Vault secret 'no-exp' has no expiry date, so a leaked value stays valid indefinitely."]

    def test_empty(self):
        assert statuses(keyvault.secret_expires, []) == {}


def test_rendered_stacks_pass_every_control(rendering):
    """The landing zone's own resources, translated to ARM, pass each control here, and each judged something."""
    # The landing zone stores no secrets (a CMK only), so CL-KV-010 has nothing to judge.
    expected = {c.id: {Status.PASS} for c in controls_of(keyvault) if c is not keyvault.secret_expires}
    assert rendered_statuses(rendering, controls_of(keyvault)) == expected
