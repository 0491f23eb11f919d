"""Azure Firewall: Premium SKU, threat intelligence and intrusion prevention in Deny mode.

Also where the firewall's private addresses are found, for the forced-tunnelling control in
network.py: a live GET returns `ipConfigurations[].properties.privateIPAddress`; a template
or an offline render does not, and there Azure's fixed rule applies (the firewall takes the
first usable address, .4, of its AzureFirewallSubnet), computed from the subnet's prefix.
"""

from __future__ import annotations

import ipaddress

from infra.compliance.controls.values import canonical, same, setting
from infra.compliance.describe import sentence
from infra.compliance.index import ResourceIndex, get, get_entries, get_list
from infra.compliance.model import Document, Outcome, cannot_judge, failed, is_unknown, passed
from infra.compliance.registry import control

FIREWALLS = ("Microsoft.Network/azureFirewalls",)
POLICIES = ("Microsoft.Network/firewallPolicies",)
FIREWALL_SUBNET = "azurefirewallsubnet"


def firewall_private_ips(index: ResourceIndex) -> dict[str, str]:
    """Private address -> name of the Azure Firewall answering on it, for every firewall in the documents."""
    found: dict[str, str] = {}
    for firewall in index.of_type(FIREWALLS[0]):
        name = str(firewall.get("name", ""))
        for config in get_entries(firewall, "properties.ipConfigurations"):
            address = (get(config, "properties.privateIPAddress")
                       or _first_usable(index, get(config, "properties.subnet.id")))
            if address:
                found[str(address)] = name
        # A firewall in a Virtual WAN secured hub reports its address here instead.
        hub_address = get(firewall, "properties.hubIPAddresses.privateIPAddress")
        if hub_address:
            found[str(hub_address)] = name
    return found


def _first_usable(index: ResourceIndex, subnet_id: str | None) -> str | None:
    subnet = index.by_id(subnet_id)
    if subnet is None or str(subnet.get("name", "")).rsplit("/", 1)[-1].lower() != FIREWALL_SUBNET:
        return None
    prefix = get(subnet, "properties.addressPrefix") or get(subnet, "properties.addressPrefixes.0")
    return str(ipaddress.ip_network(prefix, strict=False)[4]) if prefix else None


THREAT_INTEL_MODES = ("Deny", "Alert", "Off")


def _threat_intel(document: Document) -> tuple[str, str]:
    """(mode as Azure spells it, or what was found; the default note) for a policy or classic firewall."""
    mode = setting(document, "properties.threatIntelMode")
    return canonical(mode.value, THREAT_INTEL_MODES) or str(mode.value or "unset"), mode.note


@control(
    id="CL-FW-001", title="Threat intelligence blocks known-malicious traffic", severity="high", scope="graph",
    citations=("45 CFR 164.308(a)(5)(ii)(B)",),
    types=POLICIES + FIREWALLS,
    policy=("da79a7e2-8aa1-45ed-af81-ba050c153564", "7c591a93-c34c-464c-94ac-8f9f9a46e3d6"),
    checkov=("CKV_AZURE_216",),
    remediation="Set properties.threatIntelMode to Deny on the firewall policy (carelift: infra/components/hub.py), "
                "or on an Azure Firewall that uses classic rules instead of a policy.",
    description="Judged on firewall policies and on Azure Firewalls. A firewall governed by a policy "
                "(properties.firewallPolicy) takes its mode from that policy, where Checkov's CKV_AZURE_216 reads "
                "the firewall's own threatIntelMode, which only classic-rule firewalls use.",
)
def threat_intel_deny(resource: Document, index: ResourceIndex) -> Outcome:
    """Traffic to and from Microsoft's known-malicious IPs and domains is dropped, not just logged."""
    if str(resource.get("type", "")).lower() == FIREWALLS[0].lower():
        policy_id = get(resource, "properties.firewallPolicy.id")
        if policy_id:
            governing = index.by_id(policy_id)
            name = str(policy_id).rsplit("/", 1)[-1]
            if governing is None:
                return failed(sentence(resource, f"is governed by firewall policy '{name}', which is not among the "
                                                 "audited documents, so its threat intelligence mode cannot be "
                                                 "verified"))
            mode, note = _threat_intel(governing)
            if mode == "Deny":
                return passed(sentence(resource, f"blocks known-malicious traffic through firewall policy '{name}' "
                                                 "(threatIntelMode Deny)"))
            return failed(sentence(resource, f"is governed by firewall policy '{name}' with threatIntelMode "
                                             f"{mode}{note} instead of Deny"))
    mode, note = _threat_intel(resource)
    if mode == "Deny":
        return passed(sentence(resource, "blocks traffic to and from known-malicious addresses (threatIntelMode Deny)"))
    return failed(sentence(resource, f"has threatIntelMode {mode}{note} instead of Deny, so traffic to known-"
                                     "malicious addresses and domains is not blocked"))


@control(
    id="CL-FW-002", title="Firewall policy is Premium with intrusion prevention in Deny mode", severity="high",
    scope="resource",
    citations=("45 CFR 164.308(a)(5)(ii)(B)",),
    types=POLICIES, policy=("8c19196d-7fd7-45b2-a9b4-7288f47c769a",),
    remediation="Use a Premium firewall policy (properties.sku.tier Premium) with properties.intrusionDetection.mode "
                "Deny.",
)
def premium_idps_deny(policy: Document, index: ResourceIndex) -> Outcome:
    """Signature-based intrusion prevention stops malware and exploits inside allowed flows."""
    tier = get(policy, "properties.sku.tier")
    mode = get(policy, "properties.intrusionDetection.mode")
    if same(tier, "Premium") and same(mode, "Deny"):
        return passed(sentence(policy, "is Premium with intrusion detection and prevention in Deny mode"))
    problems = []
    if not same(tier, "Premium"):
        problems.append(f"its tier is {tier or 'unset'}, not Premium")
    if not same(mode, "Deny"):
        problems.append(f"its intrusion detection mode is {mode or 'unset'}, not Deny")
    return failed(sentence(policy, f"does not block intrusions: {' and '.join(problems)}"))


@control(
    id="CL-FW-003", title="Azure Firewall is Premium and governed by a firewall policy", severity="high",
    scope="resource",
    citations=("45 CFR 164.308(a)(5)(ii)(B)", "45 CFR 164.312(e)(1)"),
    types=FIREWALLS, policy=("8c19196d-7fd7-45b2-a9b4-7288f47c769a",),
    remediation="Deploy the firewall with properties.sku.tier Premium and attach a firewall policy "
                "(properties.firewallPolicy.id); classic rules cannot carry IDPS or TLS inspection.",
)
def firewall_premium_with_policy(firewall: Document, index: ResourceIndex) -> Outcome:
    """Only a Premium firewall enforces the policy's intrusion prevention."""
    tier = get(firewall, "properties.sku.tier")
    policy_id = get(firewall, "properties.firewallPolicy.id")
    if same(tier, "Premium") and policy_id:
        return passed(sentence(firewall, f"is Premium and governed by firewall policy "
                                         f"'{str(policy_id).rsplit('/', 1)[-1]}'"))
    problems = []
    if not same(tier, "Premium"):
        problems.append(f"its tier is {tier or 'unset'}, not Premium")
    if not policy_id:
        problems.append("no firewall policy is attached")
    return failed(sentence(firewall, f"cannot enforce intrusion prevention: {' and '.join(problems)}"))


RULE_COLLECTION_GROUPS = ("Microsoft.Network/firewallPolicies/ruleCollectionGroups",)
_ANY = {"*", "any", "0.0.0.0/0", "internet"}


def _is_any(values: object) -> bool:
    return isinstance(values, list) and any(str(v).strip().lower() in _ANY for v in values)


def _allow_all(rule: Document) -> bool:
    """A rule letting any source reach any destination (any port, or any FQDN for application rules)."""
    if not _is_any(rule.get("sourceAddresses")):
        return False
    if same(rule.get("ruleType"), "ApplicationRule"):
        return _is_any(rule.get("targetFqdns")) or _is_any(rule.get("webCategories"))
    destinations = get_list(rule, "destinationAddresses") + get_list(rule, "destinationFqdns")
    return _is_any(destinations) and _is_any(rule.get("destinationPorts"))


@control(
    id="CL-FW-004", title="Firewall policy has no allow-any-to-any rule", severity="high", scope="resource",
    citations=("45 CFR 164.312(a)(1)", "45 CFR 164.312(e)(1)"),
    types=RULE_COLLECTION_GROUPS,
    remediation="Replace the rule with rules naming the sources, destinations and ports (or FQDNs) the "
                "workload needs; allow-any rules turn the hub firewall into a router.",
)
def no_allow_any_rule(group: Document, index: ResourceIndex) -> Outcome:
    """Traffic between spokes, on-premises and the internet passes only where a rule says why."""
    offending, checked, hidden = [], 0, []
    if is_unknown(get(group, "properties.ruleCollections")):
        hidden.append("its rule collections")
    for collection in get_entries(group, "properties.ruleCollections"):
        if not same(get(collection, "action.type"), "Allow"):
            continue
        if is_unknown(collection.get("rules")) or any(is_unknown(r) for r in get_list(collection, "rules")):
            hidden.append(f"rules of collection {collection.get('name')}")
        for rule in get_entries(collection, "rules"):
            checked += 1
            if _allow_all(rule):
                offending.append(f"{collection.get('name')}/{rule.get('name')}")
    if offending:
        return failed(sentence(group, f"allows any source to reach any destination in rule(s) "
                                      f"{', '.join(sorted(offending))}"))
    if hidden:
        return cannot_judge(sentence(group, f"has no allow-any-to-any rule among the {checked} allow rule(s) it "
                                            f"states, but {', '.join(hidden)} are only known at deployment"))
    return passed(sentence(group, f"has no allow-any-to-any rule among its {checked} allow rule(s)"))
