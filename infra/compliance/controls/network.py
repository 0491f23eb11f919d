"""Network: subnet NSGs, management ports, private egress through the hub firewall, flow logs.

Special subnets, decided once here and applied by every subnet control:
- GatewaySubnet, AzureFirewallSubnet, AzureFirewallManagementSubnet and RouteServerSubnet
  belong to Azure-managed services that take no NSG and no 0.0.0.0/0 route of ours.
- AzureBastionSubnet is managed too (no forced route) but must have its documented NSG.
- Subnets delegated to Microsoft.Network/dnsResolvers get an NSG (the resolver supports one
  and carelift applies one) but no forced route: the firewall's DNS proxy forwards to the
  resolver, so routing the resolver back through the firewall would loop its replies.
- defaultOutboundAccess does not apply to the managed subnets nor to any delegated subnet:
  Azure documents that their outbound connectivity is managed by the service.
"""

from __future__ import annotations

from typing import Any, Mapping

from infra.compliance.controls.firewall import firewall_private_ips
from infra.compliance.controls.values import boolean, number, same, spelled
from infra.compliance.describe import sentence
from infra.compliance.index import ResourceIndex, get, get_entries, get_list
from infra.compliance.model import Document, Outcome, cannot_judge, failed, is_unknown, passed
from infra.compliance.registry import control

SUBNETS = ("Microsoft.Network/virtualNetworks/subnets",)
NSGS = ("Microsoft.Network/networkSecurityGroups",)
RULE_TYPE = "Microsoft.Network/networkSecurityGroups/securityRules"
NICS = ("Microsoft.Network/networkInterfaces",)
ROUTE_TYPE = "Microsoft.Network/routeTables/routes"
VNETS = ("Microsoft.Network/virtualNetworks",)
FLOW_LOG_TYPE = "Microsoft.Network/networkWatchers/flowLogs"

NO_NSG_SUBNETS = frozenset({"gatewaysubnet", "azurefirewallsubnet", "azurefirewallmanagementsubnet",
                            "routeserversubnet"})
MANAGED_SUBNETS = NO_NSG_SUBNETS | {"azurebastionsubnet"}
RESOLVER_SERVICE = "microsoft.network/dnsresolvers"
ANY_SOURCE = frozenset({"*", "any", "internet", "0.0.0.0", "0.0.0.0/0", "::/0"})
ADMIN_PORTS = {22: "SSH", 3389: "RDP"}
PORTLESS_PROTOCOLS = frozenset({"icmp", "esp", "ah"})
MIN_FLOW_LOG_DAYS = 90


def _short(resource_id: Any) -> str:
    return str(resource_id or "").rstrip("/").rsplit("/", 1)[-1]


def _subnet_name(subnet: Document) -> str:
    return _short(subnet.get("name") or subnet.get("id"))


def _segment_after(resource_id: Any, type_segment: str) -> str:
    parts = str(resource_id or "").split("/")
    lowered = [p.lower() for p in parts]
    if type_segment in lowered and lowered.index(type_segment) + 1 < len(parts):
        return parts[lowered.index(type_segment) + 1]
    return ""


def _subnet_sentence(subnet: Document, predicate: str) -> str:
    """Names the VNet too: subnet names such as snet-privatelink repeat in every spoke."""
    vnet = _segment_after(subnet.get("id"), "virtualnetworks")
    return sentence(subnet, f"in virtual network '{vnet}' {predicate}" if vnet else predicate)


def _rule_sentence(rule: Document, predicate: str) -> str:
    nsg = _segment_after(rule.get("id"), "networksecuritygroups")
    return sentence(rule, f"in network security group '{nsg}' {predicate}" if nsg else predicate)


def _delegations(subnet: Document) -> list[str]:
    return [str(get(d, "properties.serviceName")) for d in get_entries(subnet, "properties.delegations")
            if get(d, "properties.serviceName")]


@control(
    id="CL-NET-001", title="Subnets are protected by a network security group", severity="high", scope="resource",
    citations=("45 CFR 164.312(a)(1)",),
    types=SUBNETS, policy=("e71308d3-144b-4262-b144-efdc3cc90517",),
    remediation="Associate an NSG with the subnet (properties.networkSecurityGroup.id). GatewaySubnet, "
                "AzureFirewallSubnet, AzureFirewallManagementSubnet and RouteServerSubnet are exempt; "
                "AzureBastionSubnet needs Azure's documented Bastion rules.",
)
def subnet_has_nsg(subnet: Document, index: ResourceIndex) -> Outcome:
    """Traffic into every workload subnet is filtered by rules someone reviewed."""
    if _subnet_name(subnet).lower() in NO_NSG_SUBNETS:
        return passed(_subnet_sentence(subnet, "is an Azure-managed subnet that takes no network security group"))
    nsg_id = get(subnet, "properties.networkSecurityGroup.id")
    if nsg_id:
        return passed(_subnet_sentence(subnet, f"is protected by network security group '{_short(nsg_id)}'"))
    return failed(_subnet_sentence(subnet, "has no network security group, so nothing filters traffic into it"))


def _covers(port_spec: Any, port: int) -> bool:
    spec = str(port_spec).strip()
    if spec.lower() in ("*", "any"):
        return True
    low, _, high = spec.partition("-")
    return int(low) <= port <= int(high or low)


def _unknown_source(props: Mapping[str, Any], sources: list[Any]) -> bool:
    """A source address (or the whole list) is an expression: a narrow-looking rule is not proven narrow."""
    return is_unknown(props.get("sourceAddressPrefixes")) or any(is_unknown(s) for s in sources)


def _open_to_internet(rule: Document) -> Outcome | tuple[Mapping[str, Any], list[str], list[str]]:
    """The verdict for a rule that lets nothing in from the internet, else (properties, the open sources
    such as '*' or 'Internet', the destination ports as text) for the caller to judge."""
    props: Mapping[str, Any] = rule.get("properties") or {}
    if same(props.get("direction"), "Outbound"):
        return passed(_rule_sentence(rule, "is an outbound rule"))
    if same(props.get("access"), "Deny"):
        return passed(_rule_sentence(rule, "denies the traffic it matches"))
    if str(props.get("protocol", "")).lower() in PORTLESS_PROTOCOLS:
        return passed(_rule_sentence(rule, f"allows only {props.get('protocol')}, which has no ports"))
    sources = [props["sourceAddressPrefix"]] if props.get("sourceAddressPrefix") else []
    sources += get_list(props, "sourceAddressPrefixes")
    if not sources and not props.get("sourceApplicationSecurityGroups"):
        return failed(_rule_sentence(rule, "allows inbound traffic without stating its source"))
    open_sources = [str(s) for s in sources if _is_any_source(s)]
    if not open_sources and _unknown_source(props, sources):
        return cannot_judge(_rule_sentence(rule, "allows inbound traffic from a source only known at deployment, so "
                                                 "whether the internet is among them cannot be judged offline"))
    if not open_sources:
        return passed(_rule_sentence(rule, "allows inbound traffic only from "
                                           f"{', '.join(map(str, sources)) or 'application security groups'}"))
    ports = [str(props["destinationPortRange"])] if props.get("destinationPortRange") else []
    ports += [str(p) for p in get_list(props, "destinationPortRanges")]
    return props, open_sources, ports


def _is_any_source(prefix: Any) -> bool:
    text = str(prefix).strip().lower()
    return text in ANY_SOURCE or text.endswith("/0")


@control(
    id="CL-NET-002", title="No NSG rule allows SSH or RDP from the internet", severity="critical", scope="resource",
    citations=("45 CFR 164.312(a)(1)", "45 CFR 164.310(a)(1)"),
    types=(RULE_TYPE,), policy=("22730e10-96f6-4aac-ad84-9383d35b5917",), checkov=("CKV_AZURE_9", "CKV_AZURE_10"),
    remediation="Remove the rule or narrow its source to a management network (carelift allows 22/3389 only from "
                "the hub's AzureBastionSubnet); administer servers through Azure Bastion.",
)
def no_internet_admin_ports(rule: Document, index: ResourceIndex) -> Outcome:
    """Remote administration ports are the most attacked entry points; only Bastion may reach them."""
    found = _open_to_internet(rule)
    if isinstance(found, Outcome):
        return found
    props, open_sources, ports = found
    if not ports:
        return failed(_rule_sentence(rule, f"allows inbound traffic from {open_sources[0]} without stating its "
                                           "destination ports"))
    listed = f"port{'s' if len(ports) > 1 or '-' in str(ports[0]) else ''} {', '.join(map(str, ports))}"
    try:
        exposed = [f"{label} ({port})" for port, label in ADMIN_PORTS.items() if any(_covers(p, port) for p in ports)]
    except ValueError:
        return failed(_rule_sentence(rule, f"allows inbound traffic from {open_sources[0]} to {listed}, which are not "
                                           "all port numbers or ranges"))
    if exposed:
        return failed(_rule_sentence(rule, f"allows {' and '.join(exposed)} inbound from {open_sources[0]} "
                                           f"({listed}), exposing remote administration to the internet"))
    return passed(_rule_sentence(rule, f"allows inbound traffic from {open_sources[0]} only to {listed}, "
                                       "not SSH (22) or RDP (3389)"))


BASTION_SUBNET = "azurebastionsubnet"
# Azure documents one internet-facing inbound rule for the AzureBastionSubnet NSG: TCP 443 from Internet.
BASTION_PUBLIC_PORT = "443"


def _subnets_using(nsg_id: str, index: ResourceIndex) -> list[str]:
    """Names of the subnets the network security group is associated with."""
    return sorted(_subnet_name(s) for s in index.of_type(SUBNETS[0])
                  if str(get(s, "properties.networkSecurityGroup.id", "")).lower() == nsg_id.lower())


@control(
    id="CL-NET-007", title="No NSG rule opens any port to the internet", severity="high", scope="graph",
    citations=("45 CFR 164.312(a)(1)", "45 CFR 164.312(e)(1)"),
    types=(RULE_TYPE,), policy=("9daedab3-fb2d-461e-b861-71790eead4f6",), checkov=("CKV_AZURE_160",),
    remediation="Narrow the rule's source to the networks that need it, or publish the service through the hub "
                "firewall (DNAT) or an application gateway with WAF. The only accepted exception is Azure's "
                "documented TCP 443 from Internet on the AzureBastionSubnet's NSG.",
)
def no_internet_inbound(rule: Document, index: ResourceIndex) -> Outcome:
    """Nothing in a spoke is reachable straight from the internet: every inbound flow passes the hub's inspection."""
    found = _open_to_internet(rule)
    if isinstance(found, Outcome):
        return found
    props, open_sources, ports = found
    plural = len(ports) != 1 or "-" in ports[0] or ports[0] == "*"
    listed = f"port{'s' if plural else ''} {', '.join(ports) or 'unstated'}"
    if ports == [BASTION_PUBLIC_PORT] and str(props.get("protocol", "")).lower() in ("tcp", "*"):
        # Only then do the subnets matter (an unknown elsewhere must not make every other rule manual).
        subnets = _subnets_using(str(rule.get("id", "")).rsplit("/securityRules/", 1)[0], index)
    else:
        subnets = []
    if subnets and all(name.lower() == BASTION_SUBNET for name in subnets):
        return passed(_rule_sentence(rule, f"allows TCP 443 from {open_sources[0]} on the AzureBastionSubnet, the "
                                           "inbound rule Azure Bastion requires"))
    return failed(_rule_sentence(rule, f"allows inbound traffic from {open_sources[0]} to {listed}, so whatever "
                                       "listens there is reachable from the internet without passing the firewall"))


def _is_all(value: Any) -> bool:
    return str(value).strip().lower() in ("*", "any", "0.0.0.0/0", "0-65535")


def _priority(rule: Document) -> int:
    priority = get(rule, "properties.priority")
    return priority if isinstance(priority, int) else 1 << 16


def _is_deny_all_inbound(rule: Document) -> bool:
    props: Mapping[str, Any] = rule.get("properties") or {}
    destination_ports = props.get("destinationPortRanges") or [props.get("destinationPortRange")]
    return (str(props.get("direction", "")).lower() == "inbound" and str(props.get("access", "")).lower() == "deny"
            and _is_all(props.get("protocol")) and _is_all(props.get("sourceAddressPrefix"))
            and _is_all(props.get("destinationAddressPrefix")) and _is_all(props.get("sourcePortRange"))
            and len(destination_ports) == 1 and _is_all(destination_ports[0]))


@control(
    id="CL-NET-003", title="NSGs deny all other inbound traffic explicitly", severity="medium", scope="graph",
    citations=("45 CFR 164.312(a)(1)",),
    types=NSGS,
    remediation="Add an inbound rule Deny * from * to * on every port (carelift uses 'deny-all-inbound' at priority "
                "4096) below the rules the subnet needs.",
    description="carelift's own baseline: Azure's default AllowVnetInBound rule (65000) admits every VNet and "
                "peered network, so only an explicit deny-all above it confines a subnet to its declared flows.",
)
def explicit_deny_all_inbound(nsg: Document, index: ResourceIndex) -> Outcome:
    """Lateral movement between subnets needs a rule, not Azure's permissive defaults."""
    for rule in sorted(index.children(nsg["id"], RULE_TYPE), key=_priority):
        if _is_deny_all_inbound(rule):
            return passed(sentence(nsg, f"denies all other inbound traffic with rule '{_short(rule.get('name'))}' "
                                        f"(priority {get(rule, 'properties.priority')})"))
    return failed(sentence(nsg, "has no explicit deny-all inbound rule, so Azure's default AllowVnetInBound rule "
                                "admits all traffic from the virtual network and peered networks"))


@control(
    id="CL-NET-004", title="Subnets have default outbound access disabled", severity="medium", scope="resource",
    citations=("45 CFR 164.312(e)(1)",),
    types=SUBNETS, policy=("7bca8353-aa3b-429b-904a-9229c4385837",),
    remediation="Set properties.defaultOutboundAccess to false (a private subnet) and give workloads an explicit "
                "egress path: the hub firewall through the spoke route table.",
)
def no_default_outbound(subnet: Document, index: ResourceIndex) -> Outcome:
    """No VM reaches the internet through an implicit, uninspected Microsoft-owned address."""
    if _subnet_name(subnet).lower() in MANAGED_SUBNETS:
        return passed(_subnet_sentence(subnet, "is an Azure-managed subnet whose outbound connectivity Azure manages"))
    delegated = _delegations(subnet)
    if delegated:
        return passed(_subnet_sentence(subnet, f"is delegated to {', '.join(delegated)}, whose outbound "
                                               "connectivity the service manages"))
    if boolean(get(subnet, "properties.defaultOutboundAccess")) is False:
        return passed(_subnet_sentence(subnet, "has default outbound access disabled"))
    return failed(_subnet_sentence(subnet, "does not disable default outbound access (defaultOutboundAccess is "
                                           "true or unset), so its VMs can reach the internet through an "
                                           "implicit public address"))


@control(
    id="CL-NET-005", title="Network interfaces have no public IP address", severity="high", scope="resource",
    citations=("45 CFR 164.312(a)(1)",),
    types=NICS, policy=("83a86a26-fd1f-447c-b59d-e51f44264114",),
    remediation="Remove the public IP from the NIC's ip configurations; reach servers through Bastion and publish "
                "services through the firewall or an application gateway.",
)
def nic_without_public_ip(nic: Document, index: ResourceIndex) -> Outcome:
    """A server with its own public address bypasses the hub's inspection."""
    exposed = [spelled(c.get("name", "?")) for c in get_entries(nic, "properties.ipConfigurations")
               if get(c, "properties.publicIPAddress")]
    if exposed:
        return failed(sentence(nic, f"has a public IP address on ip configuration {', '.join(exposed)}, so the "
                                    "machine is reachable from the internet without passing the firewall"))
    return passed(sentence(nic, "has no public IP address"))


def _routes(table: Document, index: ResourceIndex) -> list[Document]:
    return get_entries(table, "properties.routes") + index.children(table["id"], ROUTE_TYPE)


@control(
    id="CL-NET-006", title="Workload subnets send internet-bound traffic to the Azure Firewall", severity="high",
    scope="graph",
    citations=("45 CFR 164.312(e)(1)",),
    types=SUBNETS, policy=("fc5e4038-4584-4632-8c85-c0448d374b2c",),
    remediation="Attach a route table whose 0.0.0.0/0 route has nextHopType VirtualAppliance and nextHopIpAddress "
                "the hub Azure Firewall's private address (carelift: infra/components/spoke.py).",
)
def forced_through_firewall(subnet: Document, index: ResourceIndex) -> Outcome:
    """Every flow leaving a workload subnet is inspected and logged by the hub firewall."""
    if _subnet_name(subnet).lower() in MANAGED_SUBNETS:
        return passed(_subnet_sentence(subnet, "is an Azure-managed subnet outside forced tunnelling"))
    if RESOLVER_SERVICE in (d.lower() for d in _delegations(subnet)):
        return passed(_subnet_sentence(subnet, "hosts DNS Private Resolver endpoints, which the firewall's DNS "
                                               "proxy forwards to"))
    table_id = get(subnet, "properties.routeTable.id")
    if not table_id:
        return failed(_subnet_sentence(subnet, "has no route table, so its outbound traffic does not pass the hub "
                                               "firewall"))
    table = index.by_id(table_id)
    if table is None:
        return failed(_subnet_sentence(subnet, f"uses route table '{_short(table_id)}', which is not among the "
                                               "audited documents, so its default route cannot be verified"))
    defaults = [r for r in _routes(table, index) if str(get(r, "properties.addressPrefix", "")).strip() == "0.0.0.0/0"]
    if not defaults:
        return failed(_subnet_sentence(subnet, f"uses route table '{_short(table_id)}', which has no 0.0.0.0/0 "
                                               "route, so internet-bound traffic bypasses the firewall"))
    hop_type = str(get(defaults[0], "properties.nextHopType") or "unset")
    hop_ip = str(get(defaults[0], "properties.nextHopIpAddress") or "")
    firewalls = firewall_private_ips(index)
    if hop_type.lower() == "virtualappliance" and hop_ip in firewalls:
        return passed(_subnet_sentence(subnet, f"sends 0.0.0.0/0 through route table '{_short(table_id)}' to Azure "
                                               f"Firewall '{firewalls[hop_ip]}' at {hop_ip}"))
    if hop_type.lower() == "virtualappliance":
        return failed(_subnet_sentence(subnet, f"sends 0.0.0.0/0 to {hop_ip or 'an unset address'}, which is not "
                                               "the private address of any Azure Firewall among the documents"))
    return failed(_subnet_sentence(subnet, f"sends 0.0.0.0/0 to next hop {hop_type}, not to the Azure Firewall"))


@control(
    id="CL-FL-001", title="Flow logs are enabled and keep records at least 90 days", severity="medium",
    scope="resource",
    citations=("45 CFR 164.312(b)", "45 CFR 164.308(a)(1)(ii)(D)"),
    types=(FLOW_LOG_TYPE,), policy=("27960feb-a23c-4577-8d36-ef8b5f35e0be",), checkov=("CKV_AZURE_12",),
    remediation="Set properties.enabled true and a retentionPolicy of at least 90 days, 0 (forever) or disabled "
                "(nothing deleted; carelift keeps records in an immutable archive instead).",
)
def flow_log_retained(flow_log: Document, index: ResourceIndex) -> Outcome:
    """Network activity records exist and survive long enough for an incident review."""
    if boolean(get(flow_log, "properties.enabled")) is not True:
        return failed(sentence(flow_log, "is not enabled, so no network flows are recorded"))
    policy = get(flow_log, "properties.retentionPolicy")
    if not isinstance(policy, Mapping):
        return failed(sentence(flow_log, "is enabled but declares no retention policy"))
    if boolean(policy.get("enabled")) is False:
        return passed(sentence(flow_log, "is enabled and never deletes records (retention policy disabled)"))
    days = number(policy.get("days"))
    if days is not None and (days == 0 or days >= MIN_FLOW_LOG_DAYS):
        kept = "forever" if days == 0 else f"{int(days)} days"
        return passed(sentence(flow_log, f"is enabled and keeps records {kept}"))
    if days is None:
        return failed(sentence(flow_log, "is enabled but its retention policy states no number of days"))
    return failed(sentence(flow_log, f"is enabled but deletes records after {days:g} days, fewer than "
                                     f"{MIN_FLOW_LOG_DAYS}"))


@control(
    id="CL-FL-002", title="Every virtual network has an enabled flow log", severity="medium", scope="graph",
    citations=("45 CFR 164.312(b)", "45 CFR 164.308(a)(1)(ii)(D)"),
    types=VNETS, policy=("4c3c6c5f-0d47-4402-99b8-aa543dd8bcee",),
    remediation="Create a VNet flow log (Microsoft.Network/networkWatchers/flowLogs) whose targetResourceId is the "
                "virtual network, enabled (carelift: infra/components/flow_logs.py).",
)
def vnet_has_flow_log(vnet: Document, index: ResourceIndex) -> Outcome:
    """Traffic in every network that may carry ePHI is recorded."""
    vnet_id = str(vnet.get("id", "")).lower()
    for flow_log in index.referencing(vnet_id, FLOW_LOG_TYPE):
        if str(get(flow_log, "properties.targetResourceId", "")).lower() == vnet_id \
                and boolean(get(flow_log, "properties.enabled")) is True:
            return passed(sentence(vnet, f"is recorded by flow log '{_short(flow_log.get('name'))}'"))
    return failed(sentence(vnet, "has no enabled flow log targeting it, so its traffic is not recorded"))
