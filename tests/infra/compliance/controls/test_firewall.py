"""Firewall controls: threat intelligence, Premium with IDPS, firewall governed by a policy."""

from __future__ import annotations

from infra.compliance.controls import firewall
from infra.compliance.index import ResourceIndex
from infra.compliance.model import Status, Unknown
from tests.infra.compliance.arm import controls_of, messages, rendered_statuses, resource, rid, statuses

POLICY = "Microsoft.Network/firewallPolicies"
FIREWALL = "Microsoft.Network/azureFirewalls"
SUBNET = "Microsoft.Network/virtualNetworks/subnets"


def policy(name: str, **properties) -> dict:
    base = {"threatIntelMode": "Deny", "sku": {"tier": "Premium"}, "intrusionDetection": {"mode": "Deny"}}
    return resource(POLICY, name, {**base, **properties})


def azure_firewall(name: str, **properties) -> dict:
    base = {"sku": {"name": "AZFW_VNet", "tier": "Premium"}, "firewallPolicy": {"id": rid(POLICY, "afwp")}}
    return resource(FIREWALL, name, {**base, **properties})


class TestThreatIntelDeny:
    def test_pass(self):
        assert statuses(firewall.threat_intel_deny, [policy("afwp")]) == {"afwp": Status.PASS}

    def test_fail_when_alert_off_or_unset(self):
        documents = [policy("afwp-alert", threatIntelMode="Alert"), policy("afwp-off", threatIntelMode="Off"),
                     policy("afwp-unset", threatIntelMode=None)]
        assert statuses(firewall.threat_intel_deny, documents) == {
            "afwp-alert": Status.FAIL, "afwp-off": Status.FAIL, "afwp-unset": Status.FAIL}

    def test_message(self):
        assert messages(firewall.threat_intel_deny, [policy("afwp", threatIntelMode="Alert")]) == [
            "Firewall policy 'afwp' has threatIntelMode Alert instead of Deny, so traffic to known-malicious "
            "addresses and domains is not blocked."]

    def test_case_and_default(self):
        documents = [policy("afwp-lower", threatIntelMode="deny"), policy("afwp-unset", threatIntelMode=None)]
        assert messages(firewall.threat_intel_deny, documents) == [
            "Firewall policy 'afwp-lower' blocks traffic to and from known-malicious addresses (threatIntelMode Deny).",
            "Firewall policy 'afwp-unset' has threatIntelMode Alert (threatIntelMode unset: Azure's default is Alert) "
            "instead of Deny, so traffic to known-malicious addresses and domains is not blocked."]

    def test_classic_firewall_is_judged_on_its_own_mode(self):
        """Checkov's CKV_AZURE_216 form: a firewall with classic rules and no policy carries threatIntelMode."""
        documents = [azure_firewall("afw-classic-deny", firewallPolicy=None, threatIntelMode="Deny"),
                     azure_firewall("afw-classic-alert", firewallPolicy=None, threatIntelMode="Alert"),
                     azure_firewall("afw-classic-unset", firewallPolicy=None)]
        assert statuses(firewall.threat_intel_deny, documents) == {
            "afw-classic-deny": Status.PASS, "afw-classic-alert": Status.FAIL, "afw-classic-unset": Status.FAIL}

    def test_policy_governed_firewall_takes_the_policys_mode(self):
        good = [azure_firewall("afw"), policy("afwp")]
        assert messages(firewall.threat_intel_deny, good[:1] + good[1:]) == [
            "Azure Firewall 'afw' blocks known-malicious traffic through firewall policy 'afwp' (threatIntelMode Deny).",
            "Firewall policy 'afwp' blocks traffic to and from known-malicious addresses (threatIntelMode Deny)."]
        alerting = [azure_firewall("afw"), policy("afwp", threatIntelMode="Alert")]
        assert statuses(firewall.threat_intel_deny, alerting) == {"afw": Status.FAIL, "afwp": Status.FAIL}
        assert messages(firewall.threat_intel_deny, [azure_firewall("afw-orphan")]) == [
            "Azure Firewall 'afw-orphan' is governed by firewall policy 'afwp', which is not among the audited "
            "documents, so its threat intelligence mode cannot be verified."]

    def test_empty(self):
        assert statuses(firewall.threat_intel_deny, []) == {}


class TestPremiumIdpsDeny:
    def test_pass(self):
        assert statuses(firewall.premium_idps_deny, [policy("afwp")]) == {"afwp": Status.PASS}

    def test_fail_on_standard_tier_alert_mode_or_unset(self):
        documents = [policy("afwp-standard", sku={"tier": "Standard"}),
                     policy("afwp-alert", intrusionDetection={"mode": "Alert"}),
                     policy("afwp-bare", sku=None, intrusionDetection=None)]
        assert statuses(firewall.premium_idps_deny, documents) == {
            "afwp-standard": Status.FAIL, "afwp-alert": Status.FAIL, "afwp-bare": Status.FAIL}

    def test_message_lists_every_problem(self):
        assert messages(firewall.premium_idps_deny, [policy("afwp", sku=None, intrusionDetection=None)]) == [
            "Firewall policy 'afwp' does not block intrusions: its tier is unset, not Premium and its intrusion "
            "detection mode is unset, not Deny."]

    def test_empty(self):
        assert statuses(firewall.premium_idps_deny, []) == {}


class TestFirewallPremiumWithPolicy:
    def test_pass(self):
        assert statuses(firewall.firewall_premium_with_policy, [azure_firewall("afw")]) == {"afw": Status.PASS}

    def test_fail_on_standard_or_without_policy(self):
        documents = [azure_firewall("afw-standard", sku={"tier": "Standard"}),
                     azure_firewall("afw-classic", firewallPolicy=None)]
        assert statuses(firewall.firewall_premium_with_policy, documents) == {
            "afw-standard": Status.FAIL, "afw-classic": Status.FAIL}

    def test_message(self):
        assert messages(firewall.firewall_premium_with_policy, [azure_firewall("afw", firewallPolicy=None)]) == [
            "Azure Firewall 'afw' cannot enforce intrusion prevention: no firewall policy is attached."]

    def test_empty(self):
        assert statuses(firewall.firewall_premium_with_policy, []) == {}


class TestFirewallPrivateIps:
    def test_reported_computed_and_virtual_wan_addresses(self):
        subnet = resource(SUBNET, "vnet-hub/AzureFirewallSubnet", {"addressPrefix": "10.60.0.0/26"})
        reported = azure_firewall("afw-live", ipConfigurations=[
            {"name": "c", "properties": {"privateIPAddress": "10.40.0.4"}}])
        computed = azure_firewall("afw-template", ipConfigurations=[
            {"name": "c", "properties": {"subnet": {"id": subnet["id"]}}}])
        vwan = azure_firewall("afw-vwan", hubIPAddresses={"privateIPAddress": "10.90.0.132"})
        index = ResourceIndex([subnet, reported, computed, vwan])
        assert firewall.firewall_private_ips(index) == {
            "10.40.0.4": "afw-live", "10.60.0.4": "afw-template", "10.90.0.132": "afw-vwan"}

    def test_no_address_guessed_from_other_subnets(self):
        subnet = resource(SUBNET, "vnet-hub/snet-other", {"addressPrefix": "10.70.0.0/24"})
        fw = azure_firewall("afw", ipConfigurations=[{"name": "c", "properties": {"subnet": {"id": subnet["id"]}}}])
        assert firewall.firewall_private_ips(ResourceIndex([subnet, fw])) == {}


def test_rendered_stacks_pass_every_control(rendering):
    """The landing zone's own resources, translated to ARM, pass each control here, and each judged something."""
    assert rendered_statuses(rendering, controls_of(firewall)) == {c.id: {Status.PASS} for c in controls_of(firewall)}


class TestNoAllowAnyRule:
    GROUP = "Microsoft.Network/firewallPolicies/ruleCollectionGroups"

    def group(self, name, *rules, action="Allow"):
        return resource(self.GROUP, f"afwp/{name}", {"ruleCollections": [
            {"name": "rc", "action": {"type": action}, "ruleCollectionType": "FirewallPolicyFilterRuleCollection",
             "rules": list(rules)}]})

    def test_pass_with_specific_rules(self):
        rule = {"name": "hl7", "ruleType": "NetworkRule", "sourceAddresses": ["10.42.0.0/20"],
                "destinationAddresses": ["10.0.0.0/12"], "destinationPorts": ["2575"]}
        app = {"name": "wu", "ruleType": "ApplicationRule", "sourceAddresses": ["10.41.0.0/22"],
               "fqdnTags": ["WindowsUpdate"]}
        assert statuses(firewall.no_allow_any_rule, [self.group("ok", rule, app)]) == {"ok": Status.PASS}

    def test_fail_on_any_to_any_network_or_application_rule(self):
        network_any = {"name": "any", "ruleType": "NetworkRule", "sourceAddresses": ["*"],
                       "destinationAddresses": ["*"], "destinationPorts": ["*"]}
        app_any = {"name": "web", "ruleType": "ApplicationRule", "sourceAddresses": ["*"], "targetFqdns": ["*"]}
        documents = [self.group("net", network_any), self.group("app", app_any)]
        assert statuses(firewall.no_allow_any_rule, documents) == {"net": Status.FAIL, "app": Status.FAIL}
        assert "rc/any" in messages(firewall.no_allow_any_rule, [documents[0]])[0]

    def test_deny_collections_and_narrow_sources_are_fine(self):
        deny_any = {"name": "deny", "ruleType": "NetworkRule", "sourceAddresses": ["*"],
                    "destinationAddresses": ["*"], "destinationPorts": ["*"]}
        narrow = {"name": "n", "ruleType": "NetworkRule", "sourceAddresses": ["10.42.0.0/20"],
                  "destinationAddresses": ["*"], "destinationPorts": ["*"]}
        documents = [self.group("deny", deny_any, action="Deny"), self.group("narrow", narrow)]
        assert statuses(firewall.no_allow_any_rule, documents) == {"deny": Status.PASS, "narrow": Status.PASS}

    def test_rules_given_as_one_expression_are_manual_not_a_pass(self):
        group = resource(self.GROUP, "afwp/param", {"ruleCollections": [
            {"name": "rc", "action": {"type": "Allow"}, "rules": Unknown("[parameters('rules')]", "rules")}]})
        assert statuses(firewall.no_allow_any_rule, [group]) == {"param": Status.MANUAL}

    def test_empty(self):
        assert statuses(firewall.no_allow_any_rule, []) == {}
