"""Typed, immutable stack configuration and its validation.

The stack file (``stacks/Pulumi.<stack>.yaml``) is parsed into frozen dataclasses before
any resource is registered. Every rule violation is collected with the config key that
caused it, so a platform engineer sees all problems at once instead of one per run.

This module imports neither pulumi nor azure-native: the CLI, the offline render and the
Pulumi entry point all validate through it.
"""

from __future__ import annotations

import datetime
import ipaddress
import math
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from infra.ai.register import DeploymentFacts, UseCase, parse_use_cases
from infra.config_errors import ConfigError, ConfigIssue

PROJECT = "carelift"

US_REGIONS = frozenset(
    {
        "eastus", "eastus2", "centralus", "northcentralus", "southcentralus",
        "westcentralus", "westus", "westus2", "westus3",
    }
)
DATA_CLASSIFICATIONS = ("phi", "pii", "internal", "public")
REQUIRED_TAGS = ("owner", "cost-center", "data-classification")
PRINCIPAL_TYPES = ("User", "Group", "ServicePrincipal")
GATEWAY_SKUS = {
    "None": (),
    "Vpn": ("VpnGw1AZ", "VpnGw2AZ", "VpnGw3AZ", "VpnGw4AZ", "VpnGw5AZ"),
    "ExpressRoute": ("ErGw1AZ", "ErGw2AZ", "ErGw3AZ", "ErGwScale"),
}
OPENAI_SKUS = ("Standard", "DataZoneStandard", "GlobalStandard", "ProvisionedManaged")

# Built-in role definition ids (Azure RBAC), by the names the stack files use.
KEY_VAULT_ROLES = {
    "Key Vault Administrator": "00482a5a-887f-4fb3-b363-3b7fe8e74483",
    "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
    "Key Vault Crypto User": "12338af0-0e69-4776-bea7-57ae8d297424",
    "Key Vault Crypto Service Encryption User": "e147488a-f6f5-4113-8e2d-b22465e65bf6",
    "Key Vault Reader": "21090545-7ca7-4776-b22c-e363652d74d2",
}

# Minimum prefix lengths Azure enforces on the hub's fixed-name subnets.
SPECIAL_SUBNETS = {
    "firewall": ("AzureFirewallSubnet", 26),
    "firewallManagement": ("AzureFirewallManagementSubnet", 26),
    "bastion": ("AzureBastionSubnet", 26),
    "gateway": ("GatewaySubnet", 27),
    "dnsInbound": ("snet-dns-inbound", 28),
    "dnsOutbound": ("snet-dns-outbound", 28),
}
SMALLEST_SUBNET_PREFIX = 29
APIM_SUBNET_PREFIX = 27
APIM_SKUS = ("Developer", "Premium")
# Resource groups rg-<org>-<env>-<name> the platform components own: a spoke may not take them.
RESERVED_WORKLOAD_NAMES = frozenset({"connectivity", "management", "security", "dns", "openai"})
# Azure Landing Zones hierarchy below the root: group suffix -> parent suffix ("" = root).
MANAGEMENT_GROUP_TREE = {
    "platform": "", "platform-management": "platform", "platform-connectivity": "platform",
    "platform-identity": "platform", "landingzones": "", "landingzones-corp": "landingzones",
    "landingzones-clinical": "landingzones", "sandbox": "", "decommissioned": "",
}
# An Azure budget holds five notifications; one is the forecast at 100 %.
MAX_BUDGET_THRESHOLDS = 4
# Azure budgets start in the current month at the earliest and at most twelve months ahead.
MAX_BUDGET_LEAD_MONTHS = 12
# A monthly budget above a billion dollars is a typo (an extra digit group), not a budget.
MAX_BUDGET_AMOUNT = 1_000_000_000
MIN_LOG_RETENTION_DAYS = 90
MAX_LOG_RETENTION_DAYS = 730
# 45 CFR 164.316(b)(2)(i): documentation is retained six years.
MIN_IMMUTABILITY_DAYS = 6 * 365

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
FQDN = re.compile(r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$")
DNS_DOMAIN = re.compile(r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+$")


# ---------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Subnet:
    name: str
    address_prefix: str
    private_endpoints: bool = False
    """True when private endpoints land here (network policies stay enabled for NSG/UDR)."""
    api_management: bool = False
    """True for the subnet dedicated to the AI gateway (API Management injected in internal mode)."""


@dataclass(frozen=True)
class Spoke:
    name: str
    address_space: str
    subnets: tuple[Subnet, ...]

    @property
    def private_endpoint_subnet(self) -> Subnet | None:
        return next((s for s in self.subnets if s.private_endpoints), None)


@dataclass(frozen=True)
class HubSubnets:
    firewall: str
    firewall_management: str
    bastion: str
    gateway: str
    dns_inbound: str
    dns_outbound: str


@dataclass(frozen=True)
class Hub:
    address_space: str
    subnets: HubSubnets


@dataclass(frozen=True)
class Gateway:
    type: str = "None"
    sku: str | None = None


@dataclass(frozen=True)
class DnsForwardingRule:
    domain: str
    servers: tuple[str, ...]


@dataclass(frozen=True)
class HybridRule:
    """One firewall rule a wave needs while a dependency is split between on premises and Azure."""

    name: str
    description: str
    protocol: str
    """TCP or UDP."""
    sources: tuple[str, ...]
    destinations: tuple[str, ...]
    ports: tuple[str, ...]


@dataclass(frozen=True)
class SubnetAllowance:
    """An inbound NSG allowance on a landing subnet, above its deny-all, for a wave's split links."""

    spoke: str
    subnet: str
    name: str
    protocol: str
    sources: tuple[str, ...]
    ports: tuple[str, ...]


@dataclass(frozen=True)
class HybridWave:
    """What the firewall and NSGs must allow while wave ``wave`` runs split from on premises."""

    wave: int
    remove_after_wave: int
    """The last wave whose cutover one of these links waits for: after it, the group can go."""
    rules: tuple[HybridRule, ...]
    allowances: tuple[SubnetAllowance, ...] = ()


@dataclass(frozen=True)
class NetworkConfig:
    hub: Hub
    spokes: tuple[Spoke, ...]
    gateway: Gateway = Gateway()
    on_premises_address_spaces: tuple[str, ...] = ()
    dns_forwarding: tuple[DnsForwardingRule, ...] = ()
    spoke_address_pool: tuple[str, ...] = ()
    """RFC 1918 ranges `carelift plan landing` allocates new spokes from."""
    hybrid_waves: tuple[HybridWave, ...] = ()
    """Per-wave firewall rules and NSG allowances from the landing overlay (`carelift plan landing`)."""

    def spoke(self, name: str) -> Spoke:
        return next(s for s in self.spokes if s.name == name)


@dataclass(frozen=True)
class Budget:
    amount: float
    contact_emails: tuple[str, ...]
    start_date: str
    """First day of the budget's first month (YYYY-MM-01); Azure rejects past months."""
    thresholds: tuple[int, ...] = (50, 80, 100)
    start_date_given: bool = True
    """False when the stack file names no startDate and the deploy month was used: later
    deploys then keep the month the budget was created in."""


@dataclass(frozen=True)
class GovernanceConfig:
    management_groups: bool
    root_management_group_id: str | None
    root_management_group_name: str | None
    policy_enforcement: str
    budget: Budget | None
    subscription_management_group: str | None = None
    """Child group (e.g. landingzones-clinical) the deploying subscription is moved under."""


@dataclass(frozen=True)
class MonitoringConfig:
    log_retention_days: int
    archive_immutability_days: int
    alert_emails: tuple[str, ...]


@dataclass(frozen=True)
class RoleAssignment:
    principal_id: str
    principal_type: str
    role: str

    @property
    def role_definition_guid(self) -> str:
        return KEY_VAULT_ROLES[self.role]


@dataclass(frozen=True)
class KeyVaultConfig:
    spoke: str
    role_assignments: tuple[RoleAssignment, ...] = ()


@dataclass(frozen=True)
class ModelDeployment:
    name: str
    model: str
    version: str
    sku: str
    capacity: int


@dataclass(frozen=True)
class Principal:
    principal_id: str
    principal_type: str


@dataclass(frozen=True)
class AIGatewayConfig:
    """API Management in front of Azure OpenAI: one product (quota, metrics) per in-force use case."""

    name: str
    sku: str
    """Developer or Premium: the tiers that inject into a VNet in internal mode (no public ingress)."""
    capacity: int
    subnet: str
    """A subnet of the OpenAI spoke marked apiManagement: true."""
    publisher_name: str
    publisher_email: str


@dataclass(frozen=True)
class OpenAIConfig:
    enabled: bool
    location: str
    spoke: str
    custom_subdomain: str
    deployments: tuple[ModelDeployment, ...]
    allowed_fqdns: tuple[str, ...] = ()
    user_principals: tuple[Principal, ...] = ()
    use_cases: tuple[UseCase, ...] = ()
    """The AI use-case register (``openai.useCases``): why each deployment exists (infra.ai.register)."""
    gateway: AIGatewayConfig | None = None
    """The AI gateway applications call instead of the account (``openai.gateway``)."""


@dataclass(frozen=True)
class PlacementRule:
    """Servers matching every given criterion land in ``spoke``/``subnet`` (first matching rule wins)."""

    name: str
    spoke: str
    subnet: str
    applications: tuple[str, ...] = ()
    environments: tuple[str, ...] = ()
    tiers: tuple[int, ...] = ()
    data_classifications: tuple[str, ...] = ()
    strategies: tuple[str, ...] = ()


@dataclass(frozen=True)
class AzureMigrateProject:
    """The Azure Migrate project whose at-scale scripts replicate and migrate each wave."""

    subscription_id: str
    resource_group: str
    project: str
    assessment: str | None = None


@dataclass(frozen=True)
class LandingConfig:
    """Where the plan's servers land in this stack (``carelift:landing``)."""

    rules: tuple[PlacementRule, ...]
    default: PlacementRule | None = None
    headroom_percent: int = 20
    """Share of a subnet's usable addresses left free after placement (growth, scale-out, redeploys)."""
    growth_percent: int = 50
    """Extra room `plan landing` sizes proposed subnets for."""
    azure_migrate: AzureMigrateProject | None = None


@dataclass(frozen=True)
class StackConfig:
    """The whole validated stack: what `infra.program.build` needs and nothing else."""

    stack: str
    environment: str
    organization: str
    unique_suffix: str
    location: str
    allowed_locations: tuple[str, ...]
    tags: tuple[tuple[str, str], ...]
    governance: GovernanceConfig
    network: NetworkConfig
    monitoring: MonitoringConfig
    key_vault: KeyVaultConfig
    openai: OpenAIConfig
    landing: LandingConfig | None = None

    @property
    def base_tags(self) -> dict[str, str]:
        """The four mandatory tags plus any extra defaults from the stack file."""
        return {**dict(self.tags), "environment": self.environment}

    @property
    def name_prefix(self) -> str:
        """``<organization>-<environment>``: the middle of every Azure resource name."""
        return f"{self.organization}-{self.environment}"

    @property
    def key_vault_name(self) -> str:
        return key_vault_name(self.organization, self.environment, self.unique_suffix)

    @property
    def archive_storage_name(self) -> str:
        return archive_storage_name(self.organization, self.environment, self.unique_suffix)


def key_vault_name(org: str, env: str, suffix: str) -> str:
    return f"kv-{org}-{env}-{suffix}"


def archive_storage_name(org: str, env: str, suffix: str) -> str:
    return f"st{org}{env}audit{suffix}"


def ai_gateway_name(org: str, env: str, suffix: str) -> str:
    """API Management names are global (``<name>.azure-api.net``)."""
    return f"apim-{org}-{env}-{suffix}"


def openai_subdomain(org: str, env: str, suffix: str) -> str:
    return f"oai-{org}-{env}-{suffix}"


# ---------------------------------------------------------------------------- errors


# ConfigIssue and ConfigError live in infra/config_errors.py, below both this module and the stack
# file reader (which reports plaintext secrets as ConfigIssues); imported above, names unchanged.


class _Reader:
    """Walks a raw mapping, recording each problem against its dotted key."""

    def __init__(self) -> None:
        self.issues: list[ConfigIssue] = []

    def fail(self, key: str, message: str) -> None:
        self.issues.append(ConfigIssue(f"{PROJECT}:{key}", message))

    def mapping(self, raw: Any, key: str, allowed: Iterable[str] | None) -> dict[str, Any]:
        """A mapping's entries; with ``allowed`` given, any other key is reported."""
        if raw is None:
            return {}
        if not isinstance(raw, Mapping):
            self.fail(key, f"must be a mapping, got {_kind(raw)}")
            return {}
        if allowed is None:
            return dict(raw)
        allowed = tuple(allowed)
        for unknown in sorted(set(map(str, raw)) - set(allowed)):
            unknown = unknown if len(unknown) <= 60 else f"{unknown[:57]}..."
            self.fail(f"{key}.{unknown}" if key else unknown,
                      f"is not a known setting (expected one of: {', '.join(allowed)})")
        return dict(raw)

    def items(self, raw: Any, key: str) -> list[Any]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.fail(key, f"must be a list, got {_kind(raw)}")
            return []
        return raw

    def string(self, raw: Mapping[str, Any], name: str, key: str, *, default: str | None = None,
               pattern: re.Pattern[str] | None = None, rule: str = "",
               choices: Iterable[str] | None = None) -> str | None:
        full = f"{key}.{name}" if key else name
        value = raw.get(name, default)
        if value is None:
            self.fail(full, "is required")
            return None
        if not isinstance(value, str) or not value:
            self.fail(full, f"must be a non-empty string, got {_kind(value)}")
            return None
        if choices is not None and value not in tuple(choices):
            self.fail(full, f"must be one of {', '.join(choices)}; got {_shown(value)}")
            return None
        if pattern is not None and not pattern.fullmatch(value):
            self.fail(full, f"{rule}; got {_shown(value)}")
            return None
        return value

    def integer(self, raw: Mapping[str, Any], name: str, key: str, *, default: int | None = None,
                minimum: int | None = None, maximum: int | None = None, why: str = "") -> int | None:
        full = f"{key}.{name}" if key else name
        value = raw.get(name, default)
        if value is None:
            self.fail(full, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(full, f"must be an integer, got {_kind(value)}")
            return None
        if minimum is not None and value < minimum:
            self.fail(full, f"must be at least {minimum}{why}; got {value}")
            return None
        if maximum is not None and value > maximum:
            self.fail(full, f"must be at most {maximum}{why}; got {value}")
            return None
        return value

    def boolean(self, raw: Mapping[str, Any], name: str, key: str, default: bool) -> bool:
        value = raw.get(name, default)
        if not isinstance(value, bool):
            self.fail(f"{key}.{name}" if key else name, f"must be true or false, got {_kind(value)}")
            return default
        return value

    def strings(self, raw: Mapping[str, Any], name: str, key: str,
                check: Callable[[str], str | None] | None = None) -> tuple[str, ...]:
        full = f"{key}.{name}" if key else name
        out = []
        for index, value in enumerate(self.items(raw.get(name), full)):
            if not isinstance(value, str) or not value:
                self.fail(f"{full}[{index}]", f"must be a non-empty string, got {_kind(value)}")
                continue
            problem = check(value) if check else None
            if problem:
                self.fail(f"{full}[{index}]", f"{problem}; got {_shown(value)}")
                continue
            out.append(value)
        return tuple(out)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "a list", dict: "a mapping"}.get(type(value), type(value).__name__)


def _email_problem(value: str) -> str | None:
    return None if EMAIL.fullmatch(value) else "must be an e-mail address"


def _fqdn_problem(value: str) -> str | None:
    return None if FQDN.fullmatch(value) else "must be a lowercase DNS name (optionally *.-prefixed)"


# ---------------------------------------------------------------------------- parsing

TOP_LEVEL_KEYS = (
    "environment", "organization", "uniqueSuffix", "location", "allowedLocations", "tags",
    "governance", "network", "monitoring", "keyVault", "openai", "landing", "landingOverlay",
)


def utc_today() -> datetime.date:
    """The date Azure Resource Manager sees now (UTC): what "the current month" means to it."""
    return datetime.datetime.now(datetime.timezone.utc).date()


def parse_stack_config(raw: Mapping[str, Any], *, stack: str, source: str | None = None,
                       today: datetime.date | None = None) -> StackConfig:
    """Parse the ``carelift:`` keys of a stack file (namespace stripped) and validate them.

    `today` (default: the UTC date) decides the budget's default start month and which
    explicit start dates are in the past; tests and renders pass it to stay reproducible.
    Raises ConfigError listing every problem, each with its config key.
    """
    today = today or utc_today()
    r = _Reader()
    raw = r.mapping(raw, "", TOP_LEVEL_KEYS)
    impossible = _non_finite_numbers(r, raw)

    env = r.string(raw, "environment", "", pattern=re.compile(r"[a-z][a-z0-9]{1,7}"),
                   rule="must be 2-8 lowercase letters or digits starting with a letter")
    org = r.string(raw, "organization", "", pattern=re.compile(r"[a-z][a-z0-9]{1,5}"),
                   rule="must be 2-6 lowercase letters or digits starting with a letter")
    suffix = r.string(raw, "uniqueSuffix", "", pattern=re.compile(r"[a-z0-9]{3,6}"),
                      rule="must be 3-6 lowercase letters or digits")
    allowed = r.strings(raw, "allowedLocations", "",
                        lambda v: None if v in US_REGIONS else
                        f"is not a US Azure region ({', '.join(sorted(US_REGIONS))})")
    if not allowed and "allowedLocations" not in raw:
        r.fail("allowedLocations", "is required (at least one US region)")
    location = r.string(raw, "location", "")
    if location and allowed and location not in allowed:
        r.fail("location", f"must be one of allowedLocations ({', '.join(allowed)}); got {_shown(location)}")

    tags = _parse_tags(r, raw.get("tags"))
    governance = _parse_governance(r, raw.get("governance"), today)
    network = _parse_network(r, raw.get("network"))
    monitoring = _parse_monitoring(r, raw.get("monitoring"))
    key_vault = _parse_key_vault(r, raw.get("keyVault"), network)
    openai = _parse_openai(r, raw.get("openai"), network, allowed, location, org, env, suffix)
    landing = _parse_landing(r, raw.get("landing"))
    if raw.get("landingOverlay") is not None:
        r.string(raw, "landingOverlay", "")  # merged before parsing (infra.landing_overlay); only its type here

    if org and env and suffix:
        _check_names(r, org, env, suffix)

    if r.issues:
        # A .nan reported once: the key's own rule would only say it again, less clearly.
        issues = [i for i in r.issues if i.key not in impossible or i.message == impossible[i.key]]
        raise ConfigError(source or f"stack {stack!r}", issues)
    return StackConfig(
        stack=stack, environment=env, organization=org, unique_suffix=suffix,  # type: ignore[arg-type]
        location=location, allowed_locations=allowed, tags=tags,  # type: ignore[arg-type]
        governance=governance, network=network, monitoring=monitoring,  # type: ignore[arg-type]
        key_vault=key_vault, openai=openai, landing=landing,  # type: ignore[arg-type]
    )


def _non_finite_numbers(r: _Reader, node: Any, key: str = "") -> dict[str, str]:
    """Report every .nan/.inf anywhere in the config: no setting accepts one, and JSON (which
    carries config to the Pulumi program) cannot hold one. Returns {full key: message}."""
    found: dict[str, str] = {}
    if isinstance(node, Mapping):
        for name, value in node.items():
            found.update(_non_finite_numbers(r, value, f"{key}.{name}" if key else str(name)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.update(_non_finite_numbers(r, value, f"{key}[{index}]"))
    elif isinstance(node, float) and not math.isfinite(node):
        message = f"is {_shown(node)}, not a number any setting accepts"
        r.fail(key, message)
        found[f"{PROJECT}:{key}"] = message
    return found


def _parse_tags(r: _Reader, raw: Any) -> tuple[tuple[str, str], ...]:
    tags = r.mapping(raw, "tags", None)
    for required in REQUIRED_TAGS:
        if required not in tags:
            r.fail(f"tags.{required}", "is required on every resource")
    out = []
    for name in sorted(tags):
        value = tags[name]
        if name == "environment":
            r.fail("tags.environment", "is set from the environment key; remove it from tags")
            continue
        if not isinstance(value, str) or not value:
            r.fail(f"tags.{name}", f"must be a non-empty string, got {_kind(value)}")
            continue
        if re.search(r"[<>%&\\?/]", name) or len(name) > 512:
            r.fail(f"tags.{name}", "tag names may not contain < > % & \\ ? / or exceed 512 characters")
            continue
        if len(value) > 256:
            r.fail(f"tags.{name}", "tag values may not exceed 256 characters")
            continue
        if name == "data-classification" and value not in DATA_CLASSIFICATIONS:
            r.fail("tags.data-classification", f"must be one of {', '.join(DATA_CLASSIFICATIONS)}; got {_shown(value)}")
            continue
        out.append((name, value))
    return tuple(out)


def _parse_governance(r: _Reader, raw: Any, today: datetime.date) -> GovernanceConfig | None:
    key = "governance"
    g = r.mapping(raw, key, ("managementGroups", "rootManagementGroupId", "rootManagementGroupName",
                             "subscriptionManagementGroup", "policyEnforcement", "budget"))
    use_mgs = r.boolean(g, "managementGroups", key, False)
    root_id = root_name = placement = None
    if not use_mgs and g.get("subscriptionManagementGroup") is not None:
        r.fail(f"{key}.subscriptionManagementGroup", "needs governance.managementGroups: true")
    if use_mgs:
        if g.get("subscriptionManagementGroup") is not None:
            placement = r.string(g, "subscriptionManagementGroup", key, choices=tuple(MANAGEMENT_GROUP_TREE))
        root_id = r.string(g, "rootManagementGroupId", key, pattern=re.compile(r"[A-Za-z0-9][A-Za-z0-9_().-]{0,88}[A-Za-z0-9_()-]?"),
                           rule="must be 1-90 letters, digits, -, _, (, ) or . and not end with .")
        root_name = r.string(g, "rootManagementGroupName", key)
    enforcement = r.string(g, "policyEnforcement", key, default="Default", choices=("Default", "DoNotEnforce"))
    budget = None
    if g.get("budget") is not None:
        b = r.mapping(g["budget"], f"{key}.budget", ("amount", "contactEmails", "startDate", "thresholds"))
        amount = b.get("amount")
        if isinstance(amount, bool) or not isinstance(amount, (int, float)) or not 0 < amount <= MAX_BUDGET_AMOUNT:
            r.fail(f"{key}.budget.amount", f"must be a positive number of USD per month, at most "
                                           f"{MAX_BUDGET_AMOUNT:,}; got {_shown(amount)}")
            amount = None
        emails = r.strings(b, "contactEmails", f"{key}.budget", _email_problem)
        if not emails:
            r.fail(f"{key}.budget.contactEmails", "needs at least one e-mail address to alert")
        start = _budget_start(r, b.get("startDate"), f"{key}.budget.startDate", today)
        threshold_items = r.items(b.get("thresholds", [50, 80, 100]), f"{key}.budget.thresholds")
        if len(threshold_items) > MAX_BUDGET_THRESHOLDS:
            r.fail(f"{key}.budget.thresholds", f"Azure budgets allow {MAX_BUDGET_THRESHOLDS} thresholds "
                                               f"besides the 100% forecast alert; got {len(threshold_items)}")
        thresholds = []
        for i, t in enumerate(threshold_items):
            if isinstance(t, bool) or not isinstance(t, int) or not 1 <= t <= 1000:
                r.fail(f"{key}.budget.thresholds[{i}]", f"must be a percentage between 1 and 1000, got {_shown(t)}")
            else:
                thresholds.append(t)
        if amount is not None and start is not None:
            budget = Budget(float(amount), emails, start, tuple(sorted(set(thresholds))),
                            start_date_given=b.get("startDate") is not None)
    return GovernanceConfig(use_mgs, root_id, root_name, enforcement or "Default", budget, placement)


def _budget_start(r: _Reader, value: Any, key: str, today: datetime.date) -> str | None:
    """The budget's first day: the one given, or the first day of the deploy month.

    Azure accepts the current month or up to twelve months ahead, so a fixed date in a
    stack file goes stale; leaving it out keeps the stack deployable.
    """
    this_month = today.replace(day=1)
    if value is None:
        return this_month.isoformat()
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):  # read by a YAML loader that makes dates
        value = value.isoformat()
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        r.fail(key, f"must be a date YYYY-MM-01, or left out to start in the deploy month; got {_shown(value)}")
        return None
    try:
        start = datetime.date.fromisoformat(value)
    except ValueError:
        r.fail(key, f"is not a real date; got {_shown(value)}")
        return None
    if start.day != 1:
        r.fail(key, f"must be the first day of a month, YYYY-MM-01 (Azure budgets start on one); got {_shown(value)}")
        return None
    if start < this_month:
        r.fail(key, f"{value} is before the current month ({this_month:%Y-%m}) and Azure rejects a budget "
                    "that starts in a past month; remove startDate to start in the month of deployment")
        return None
    months_ahead = (start.year - this_month.year) * 12 + start.month - this_month.month
    if months_ahead > MAX_BUDGET_LEAD_MONTHS:
        r.fail(key, f"{value} is {months_ahead} months ahead; Azure allows at most {MAX_BUDGET_LEAD_MONTHS}")
        return None
    return value


def _shown(value: Any) -> str:
    """A value for a message: at most 60 characters (a stack file can hold a megabyte in one
    value), and YAML's spelling for the numbers JSON cannot hold."""
    if isinstance(value, float) and value != value:
        return ".nan"
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def _parse_cidr(r: _Reader, value: Any, key: str) -> ipaddress.IPv4Network | None:
    if not isinstance(value, str):
        r.fail(key, f"must be a CIDR string such as 10.40.0.0/22, got {_kind(value)}")
        return None
    try:
        net = ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        detail = f" ({exc})" if len(value) <= 60 else ""  # the error repeats the value
        r.fail(key, f"is not a well-formed CIDR{detail}; got {_shown(value)}")
        return None
    if not isinstance(net, ipaddress.IPv4Network):
        r.fail(key, f"must be an IPv4 CIDR; got {_shown(value)}")
        return None
    if not any(net.subnet_of(p) for p in _RFC1918):
        r.fail(key, f"must be a private RFC 1918 range (10/8, 172.16/12, 192.168/16); got {_shown(value)}")
        return None
    return net


_RFC1918 = tuple(ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))


def _check_subnets(r: _Reader, vnet: ipaddress.IPv4Network | None, vnet_key: str,
                   subnets: list[tuple[str, ipaddress.IPv4Network]]) -> None:
    """Every subnet inside its VNet, none overlapping a sibling."""
    for key, net in subnets:
        if vnet is not None and not net.subnet_of(vnet):
            r.fail(key, f"{net} does not fit inside {PROJECT}:{vnet_key} ({vnet})")
    for i, (key_a, a) in enumerate(subnets):
        for key_b, b in subnets[i + 1:]:
            if a.overlaps(b):
                r.fail(key_b, f"{b} overlaps {PROJECT}:{key_a} ({a})")


def _parse_network(r: _Reader, raw: Any) -> NetworkConfig | None:  # noqa: C901 - issue 11 section 6 splits it with infra/config/ as a package
    key = "network"
    n = r.mapping(raw, key, ("hub", "spokes", "gateway", "onPremisesAddressSpaces", "dnsForwarding",
                             "spokeAddressPool", "hybridWaves"))
    if not n:
        r.fail(key, "is required (hub and spokes)")
        return None
    spaces: list[tuple[str, ipaddress.IPv4Network]] = []

    h = r.mapping(n.get("hub"), f"{key}.hub", ("addressSpace", "subnets"))
    hub_space = _parse_cidr(r, h.get("addressSpace"), f"{key}.hub.addressSpace")
    if hub_space:
        spaces.append((f"{key}.hub.addressSpace", hub_space))
    hs = r.mapping(h.get("subnets"), f"{key}.hub.subnets", SPECIAL_SUBNETS)
    hub_subnets: dict[str, str] = {}
    parsed: list[tuple[str, ipaddress.IPv4Network]] = []
    for subnet, (azure_name, min_prefix) in SPECIAL_SUBNETS.items():
        sk = f"{key}.hub.subnets.{subnet}"
        if subnet not in hs:
            r.fail(sk, f"is required ({azure_name}, /{min_prefix} or larger)")
            continue
        net = _parse_cidr(r, hs[subnet], sk)
        if net is None:
            continue
        if net.prefixlen > min_prefix:
            r.fail(sk, f"{azure_name} must be /{min_prefix} or larger; got /{net.prefixlen}")
        if subnet.startswith("dns") and net.prefixlen < 24:
            r.fail(sk, f"DNS resolver subnets must be between /28 and /24; got /{net.prefixlen}")
        hub_subnets[subnet] = str(net)
        parsed.append((sk, net))
    _check_subnets(r, hub_space, f"{key}.hub.addressSpace", parsed)

    spokes = []
    names: set[str] = set()
    for i, s in enumerate(r.items(n.get("spokes"), f"{key}.spokes")):
        sk = f"{key}.spokes[{i}]"
        s = r.mapping(s, sk, ("name", "addressSpace", "subnets"))
        name = r.string(s, "name", sk, pattern=re.compile(r"[a-z][a-z0-9]{1,11}"),
                        rule="must be 2-12 lowercase letters or digits starting with a letter")
        if name in names:
            r.fail(f"{sk}.name", f"duplicates another spoke named {name!r}")
        if name in RESERVED_WORKLOAD_NAMES:
            r.fail(f"{sk}.name", f"{name!r} is the name of a platform resource group "
                                 f"(reserved: {', '.join(sorted(RESERVED_WORKLOAD_NAMES))})")
        names.add(name or "")
        space = _parse_cidr(r, s.get("addressSpace"), f"{sk}.addressSpace")
        if space:
            spaces.append((f"{sk}.addressSpace", space))
        subnets, parsed, seen = [], [], set()
        items = r.items(s.get("subnets"), f"{sk}.subnets")
        if not items:
            r.fail(f"{sk}.subnets", "needs at least one subnet")
        for j, sub in enumerate(items):
            bk = f"{sk}.subnets[{j}]"
            sub = r.mapping(sub, bk, ("name", "addressPrefix", "privateEndpoints", "apiManagement"))
            sname = r.string(sub, "name", bk, pattern=re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,78}[A-Za-z0-9_]"),
                             rule="must be 2-80 letters, digits, '.', '-' or '_'")
            if sname in seen:
                r.fail(f"{bk}.name", f"duplicates another subnet named {sname!r} in this spoke")
            if sname and sname in {azure for azure, _ in SPECIAL_SUBNETS.values()}:
                r.fail(f"{bk}.name", f"{sname!r} is reserved for the hub")
            seen.add(sname)
            prefix = _parse_cidr(r, sub.get("addressPrefix"), f"{bk}.addressPrefix")
            if prefix is not None and prefix.prefixlen > SMALLEST_SUBNET_PREFIX:
                r.fail(f"{bk}.addressPrefix", f"Azure subnets must be /{SMALLEST_SUBNET_PREFIX} or larger; got /{prefix.prefixlen}")
                prefix = None
            pe = r.boolean(sub, "privateEndpoints", bk, False)
            apim = r.boolean(sub, "apiManagement", bk, False)
            if apim and pe:
                r.fail(f"{bk}.apiManagement", "API Management needs a subnet of its own, not the private endpoints' one")
            if apim and prefix is not None and prefix.prefixlen > APIM_SUBNET_PREFIX:
                r.fail(f"{bk}.addressPrefix", f"an API Management subnet must be /{APIM_SUBNET_PREFIX} or larger "
                                              f"(room to scale units and update); got /{prefix.prefixlen}")
            if sname and prefix is not None:
                subnets.append(Subnet(sname, str(prefix), pe, apim))
                parsed.append((f"{bk}.addressPrefix", prefix))
        _check_subnets(r, space, f"{sk}.addressSpace", parsed)
        if name and space:
            spokes.append(Spoke(name, str(space), tuple(subnets)))
    if not spokes and not any(i.key.startswith(f"{PROJECT}:{key}.spokes") for i in r.issues):
        r.fail(f"{key}.spokes", "needs at least one spoke")

    on_prem = []
    for i, value in enumerate(r.items(n.get("onPremisesAddressSpaces"), f"{key}.onPremisesAddressSpaces")):
        net = _parse_cidr(r, value, f"{key}.onPremisesAddressSpaces[{i}]")
        if net:
            on_prem.append(str(net))
            spaces.append((f"{key}.onPremisesAddressSpaces[{i}]", net))
    pool = []
    for i, value in enumerate(r.items(n.get("spokeAddressPool"), f"{key}.spokeAddressPool")):
        net = _parse_cidr(r, value, f"{key}.spokeAddressPool[{i}]")
        if net:
            pool.append((f"{key}.spokeAddressPool[{i}]", net))
    for i, (key_a, a) in enumerate(spaces):
        for key_b, b in spaces[i + 1:]:
            if a.overlaps(b):
                r.fail(key_b, f"{b} overlaps {PROJECT}:{key_a} ({a}); address spaces must not overlap")
    for key_p, p in pool:
        # The pool lends out new spokes (skipping spokes already in it): never the hub's or on-premises space.
        for key_s, s in spaces:
            if p.overlaps(s) and ".spokes[" not in key_s:
                r.fail(key_p, f"{p} overlaps {PROJECT}:{key_s} ({s}); spokes allocated from the pool would clash")

    gw = r.mapping(n.get("gateway"), f"{key}.gateway", ("type", "sku"))
    gw_type = r.string(gw, "type", f"{key}.gateway", default="None", choices=tuple(GATEWAY_SKUS))
    gw_sku = None
    if gw_type and gw_type != "None":
        gw_sku = r.string(gw, "sku", f"{key}.gateway", choices=GATEWAY_SKUS[gw_type])
    elif gw.get("sku") is not None:
        r.fail(f"{key}.gateway.sku", "must not be set when gateway.type is None")

    forwarding = []
    for i, rule in enumerate(r.items(n.get("dnsForwarding"), f"{key}.dnsForwarding")):
        fk = f"{key}.dnsForwarding[{i}]"
        rule = r.mapping(rule, fk, ("domain", "servers"))
        domain = r.string(rule, "domain", fk, pattern=DNS_DOMAIN,
                          rule="must be a lowercase DNS domain ending with a dot, e.g. corp.example.org.")
        servers = r.strings(rule, "servers", fk, _ip_problem)
        if not servers:
            r.fail(f"{fk}.servers", "needs at least one on-premises DNS server address")
        if domain and servers:
            forwarding.append(DnsForwardingRule(domain, servers))
    if forwarding and not on_prem:
        r.fail(f"{key}.onPremisesAddressSpaces", "is required when dnsForwarding sends queries on-premises")

    if hub_space is None or len(hub_subnets) != len(SPECIAL_SUBNETS):
        return None
    return NetworkConfig(
        hub=Hub(str(hub_space), HubSubnets(
            firewall=hub_subnets["firewall"], firewall_management=hub_subnets["firewallManagement"],
            bastion=hub_subnets["bastion"], gateway=hub_subnets["gateway"],
            dns_inbound=hub_subnets["dnsInbound"], dns_outbound=hub_subnets["dnsOutbound"])),
        spokes=tuple(spokes), gateway=Gateway(gw_type or "None", gw_sku),
        on_premises_address_spaces=tuple(on_prem), dns_forwarding=tuple(forwarding),
        spoke_address_pool=tuple(str(p) for _, p in pool),
        hybrid_waves=_parse_hybrid_waves(r, n.get("hybridWaves"), f"{key}.hybridWaves", spokes),
    )


HYBRID_PROTOCOLS = ("TCP", "UDP")
PORT = re.compile(r"^(\d{1,5})(-(\d{1,5}))?$")


def _address_problem(value: str) -> str | None:
    """An exact address or range: never '*', 'Any' or the whole internet."""
    try:
        net = ipaddress.ip_network(value, strict=False)
    except ValueError:
        return "must be an IPv4 address or CIDR range"
    if net.prefixlen == 0:
        return "must not be 0.0.0.0/0: a migration rule names the addresses its links use"
    return None


def _port_problem(value: str) -> str | None:
    match = PORT.fullmatch(value)
    if not match or not all(1 <= int(p) <= 65535 for p in (match.group(1), match.group(3) or match.group(1))):
        return "must be a port 1-65535 or a range like 5000-5010 (never '*')"
    return None


def _parse_hybrid_waves(r: _Reader, raw: Any, key: str, spokes: list[Spoke]) -> tuple[HybridWave, ...]:
    """The overlay's per-wave rules: exact addresses and ports only, subnets that exist."""
    subnets = {(s.name, sub.name) for s in spokes for sub in s.subnets}
    out, seen = [], set()
    for i, item in enumerate(r.items(raw, key)):
        wk = f"{key}[{i}]"
        w = r.mapping(item, wk, ("wave", "removeAfterWave", "rules", "allowances"))
        wave = r.integer(w, "wave", wk, minimum=0, maximum=999)
        after = r.integer(w, "removeAfterWave", wk, minimum=0, maximum=999)
        if wave is not None and wave in seen:
            r.fail(f"{wk}.wave", f"duplicates wave {wave}")
        seen.add(wave)
        rules, names = [], set()
        for j, rule in enumerate(r.items(w.get("rules"), f"{wk}.rules")):
            rk = f"{wk}.rules[{j}]"
            rule = r.mapping(rule, rk, ("name", "description", "protocol", "sources", "destinations", "ports"))
            name = r.string(rule, "name", rk, pattern=re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}"),
                            rule="must be 1-80 letters, digits, '.', '-' or '_'")
            if name in names:
                r.fail(f"{rk}.name", f"duplicates another rule named {name!r} in this wave")
            names.add(name)
            description = r.string(rule, "description", rk)
            protocol = r.string(rule, "protocol", rk, choices=HYBRID_PROTOCOLS)
            sources = r.strings(rule, "sources", rk, _address_problem)
            destinations = r.strings(rule, "destinations", rk, _address_problem)
            ports = r.strings(rule, "ports", rk, _port_problem)
            for part, values in (("sources", sources), ("destinations", destinations), ("ports", ports)):
                if not values and not rule.get(part):
                    r.fail(f"{rk}.{part}", "needs at least one entry")
            if name and description and protocol and sources and destinations and ports:
                rules.append(HybridRule(name, description, protocol, sources, destinations, ports))
        allowances = []
        for j, allow in enumerate(r.items(w.get("allowances"), f"{wk}.allowances")):
            ak = f"{wk}.allowances[{j}]"
            allow = r.mapping(allow, ak, ("spoke", "subnet", "name", "protocol", "sources", "ports"))
            spoke, subnet = r.string(allow, "spoke", ak), r.string(allow, "subnet", ak)
            if spoke and subnet and (spoke, subnet) not in subnets:
                r.fail(f"{ak}.subnet", f"names no subnet {subnet!r} of a spoke {spoke!r}")
            name = r.string(allow, "name", ak, pattern=re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}"),
                            rule="must be 1-80 letters, digits, '.', '-' or '_'")
            protocol = r.string(allow, "protocol", ak, choices=HYBRID_PROTOCOLS)
            sources = r.strings(allow, "sources", ak, _address_problem)
            ports = r.strings(allow, "ports", ak, _port_problem)
            if spoke and subnet and name and protocol and sources and ports:
                allowances.append(SubnetAllowance(spoke, subnet, name, protocol, sources, ports))
        if wave is not None and after is not None:
            out.append(HybridWave(wave, after, tuple(rules), tuple(allowances)))
    return tuple(sorted(out, key=lambda w: w.wave))


def _ip_problem(value: str) -> str | None:
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return "must be an IPv4 address"
    return None


def _parse_monitoring(r: _Reader, raw: Any) -> MonitoringConfig | None:
    key = "monitoring"
    m = r.mapping(raw, key, ("logRetentionDays", "archiveImmutabilityDays", "alertEmails"))
    days = r.integer(m, "logRetentionDays", key, minimum=MIN_LOG_RETENTION_DAYS,
                     maximum=MAX_LOG_RETENTION_DAYS, why=" (HIPAA baseline keeps 90 days interactive; Log Analytics allows 730)")
    immutability = r.integer(m, "archiveImmutabilityDays", key, default=MIN_IMMUTABILITY_DAYS,
                             minimum=MIN_IMMUTABILITY_DAYS, maximum=146000,
                             why=" (45 CFR 164.316(b)(2)(i) keeps documentation six years)")
    emails = r.strings(m, "alertEmails", key, _email_problem)
    if not emails:
        r.fail(f"{key}.alertEmails", "needs at least one e-mail address for security alerts")
    if days is None or immutability is None:
        return None
    return MonitoringConfig(days, immutability, emails)


def _parse_principal(r: _Reader, raw: Any, key: str, extra: tuple[str, ...] = ()) -> dict[str, Any] | None:
    p = r.mapping(raw, key, ("principalId", "principalType") + extra)
    pid = r.string(p, "principalId", key, pattern=GUID, rule="must be an Entra ID object id (GUID)")
    ptype = r.string(p, "principalType", key, choices=PRINCIPAL_TYPES)
    if pid is None or ptype is None:
        return None
    return {**p, "principalId": pid, "principalType": ptype}


def _require_pe_spoke(r: _Reader, network: NetworkConfig | None, spoke: str | None, key: str) -> None:
    if network is None or spoke is None:
        return
    match = next((s for s in network.spokes if s.name == spoke), None)
    if match is None:
        r.fail(key, f"names no spoke in network.spokes ({', '.join(s.name for s in network.spokes)}); got {_shown(spoke)}")
    elif match.private_endpoint_subnet is None:
        r.fail(key, f"spoke {_shown(spoke)} has no subnet with privateEndpoints: true")


def _parse_key_vault(r: _Reader, raw: Any, network: NetworkConfig | None) -> KeyVaultConfig | None:
    key = "keyVault"
    k = r.mapping(raw, key, ("spoke", "roleAssignments"))
    spoke = r.string(k, "spoke", key)
    _require_pe_spoke(r, network, spoke, f"{key}.spoke")
    assignments = []
    for i, item in enumerate(r.items(k.get("roleAssignments"), f"{key}.roleAssignments")):
        ak = f"{key}.roleAssignments[{i}]"
        p = _parse_principal(r, item, ak, ("role",))
        role = r.string(item if isinstance(item, Mapping) else {}, "role", ak, choices=tuple(KEY_VAULT_ROLES))
        if p and role:
            assignments.append(RoleAssignment(p["principalId"], p["principalType"], role))
    if spoke is None:
        return None
    return KeyVaultConfig(spoke, tuple(assignments))


def _parse_openai(r: _Reader, raw: Any, network: NetworkConfig | None, allowed: tuple[str, ...],
                  location: str | None, org: str | None, env: str | None,
                  suffix: str | None) -> OpenAIConfig | None:
    key = "openai"
    o = r.mapping(raw, key, ("enabled", "location", "spoke", "customSubDomainName", "deployments",
                             "allowedFqdns", "userPrincipals", "useCases", "gateway"))
    enabled = r.boolean(o, "enabled", key, True)
    oai_location = r.string(o, "location", key, default=location)
    if oai_location and allowed and oai_location not in allowed:
        r.fail(f"{key}.location", f"must be one of allowedLocations ({', '.join(allowed)}); got {_shown(oai_location)}")
    elif enabled and oai_location and location and oai_location != location:
        r.fail(f"{key}.location", f"must equal location ({_shown(location)}): the account's customer-managed key "
                                  f"lives in the landing zone's Key Vault, and Azure requires both in one region; "
                                  f"got {_shown(oai_location)}")
    spoke = r.string(o, "spoke", key) if enabled else o.get("spoke")
    if enabled:
        _require_pe_spoke(r, network, spoke, f"{key}.spoke")
    default_sub = openai_subdomain(org, env, suffix) if org and env and suffix else None
    if default_sub is None and "customSubDomainName" not in o:
        return None  # the names it derives from are already reported
    subdomain = r.string(o, "customSubDomainName", key, default=default_sub,
                         pattern=re.compile(r"[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?"),
                         rule="must be 2-64 lowercase letters, digits or hyphens, not starting or ending with a hyphen")
    deployments, names = [], set()
    items = r.items(o.get("deployments"), f"{key}.deployments")
    if enabled and not items:
        r.fail(f"{key}.deployments", "needs at least one model deployment when openai.enabled is true")
    for i, d in enumerate(items):
        dk = f"{key}.deployments[{i}]"
        d = r.mapping(d, dk, ("name", "model", "version", "sku", "capacity"))
        name = r.string(d, "name", dk, pattern=re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{1,63}"),
                        rule="must be 2-64 letters, digits, '.', '-' or '_'")
        if name in names:
            r.fail(f"{dk}.name", f"duplicates another deployment named {name!r}")
        names.add(name)
        model = r.string(d, "model", dk)
        version = d.get("version")
        if isinstance(version, (int, float)) and not isinstance(version, bool):
            version = str(version)
        version = r.string({"version": version}, "version", dk)
        sku = r.string(d, "sku", dk, default="Standard", choices=OPENAI_SKUS)
        capacity = r.integer(d, "capacity", dk, minimum=1, maximum=100000, why=" (thousands of tokens per minute or PTUs)")
        if name and model and version and sku and capacity:
            deployments.append(ModelDeployment(name, model, version, sku, capacity))
    fqdns = r.strings(o, "allowedFqdns", key, _fqdn_problem)
    principals = []
    for i, item in enumerate(r.items(o.get("userPrincipals"), f"{key}.userPrincipals")):
        p = _parse_principal(r, item, f"{key}.userPrincipals[{i}]")
        if p:
            principals.append(Principal(p["principalId"], p["principalType"]))
    use_cases = parse_use_cases(r, o.get("useCases"), f"{key}.useCases", {
        d.name: DeploymentFacts(d.name, d.model, d.version, d.sku, d.capacity) for d in deployments})
    gateway = _parse_gateway(r, o.get("gateway"), f"{key}.gateway", network, spoke, org, env, suffix)
    if not (oai_location and subdomain) or (enabled and not spoke):
        return None
    return OpenAIConfig(enabled, oai_location, spoke or "", subdomain, tuple(deployments),
                        fqdns, tuple(principals), use_cases, gateway)


def _parse_gateway(r: _Reader, raw: Any, key: str, network: NetworkConfig | None, spoke: str | None,
                   org: str | None, env: str | None, suffix: str | None) -> AIGatewayConfig | None:
    if raw is None:
        return None
    g = r.mapping(raw, key, ("sku", "capacity", "subnet", "publisherName", "publisherEmail"))
    sku = r.string(g, "sku", key, default="Premium", choices=APIM_SKUS)
    capacity = r.integer(g, "capacity", key, default=1, minimum=1, maximum=12, why=" scale units")
    subnet = r.string(g, "subnet", key)
    publisher = r.string(g, "publisherName", key)
    email = r.string(g, "publisherEmail", key, pattern=EMAIL, rule="must be an e-mail address")
    if subnet and network is not None and spoke:
        found = next((s for sp in network.spokes if sp.name == spoke for s in sp.subnets if s.name == subnet), None)
        if found is None:
            r.fail(f"{key}.subnet", f"names no subnet of the OpenAI spoke {spoke!r}; got {_shown(subnet)}")
        elif not found.api_management:
            r.fail(f"{key}.subnet", f"subnet {subnet!r} must be marked apiManagement: true (its own NSG rules and "
                                    f"route for the gateway's control plane)")
    if None in (sku, capacity, subnet, publisher, email) or not (org and env and suffix):
        return None
    return AIGatewayConfig(ai_gateway_name(org, env, suffix), sku, capacity, subnet,  # type: ignore[arg-type]
                           publisher, email)  # type: ignore[arg-type]


PLACEMENT_MATCH = ("applications", "environments", "tiers", "dataClassifications", "strategies")
STRATEGIES = ("rehost", "replatform", "refactor", "rearchitect", "repurchase", "relocate", "retain", "retire")


def _parse_placement(r: _Reader, raw: Any, key: str, index: int | None) -> PlacementRule | None:
    p = r.mapping(raw, key, ("name", "spoke", "subnet", *PLACEMENT_MATCH))
    name = p.get("name") if index is None else r.string(p, "name", key)
    spoke, subnet = r.string(p, "spoke", key), r.string(p, "subnet", key)
    tiers = []
    for i, tier in enumerate(r.items(p.get("tiers"), f"{key}.tiers")):
        if isinstance(tier, bool) or not isinstance(tier, int) or not 0 <= tier <= 3:
            r.fail(f"{key}.tiers[{i}]", f"must be a tier 0-3; got {_shown(tier)}")
        else:
            tiers.append(tier)
    classes = r.strings(p, "dataClassifications", key,
                        lambda v: None if v in DATA_CLASSIFICATIONS else f"must be one of {', '.join(DATA_CLASSIFICATIONS)}")
    strategies = r.strings(p, "strategies", key,
                           lambda v: None if v in STRATEGIES else f"must be one of {', '.join(STRATEGIES)}")
    criteria = [p.get(k) for k in PLACEMENT_MATCH if p.get(k)]
    if index is not None and not criteria:
        r.fail(key, "matches every server: give at least one of " + ", ".join(PLACEMENT_MATCH)
                    + " (or use landing.default)")
    if index is None and criteria:
        r.fail(key, "the default places every server no rule matched; it takes no match criteria")
    if not (spoke and subnet) or (index is not None and not name):
        return None
    return PlacementRule(str(name or "default"), spoke, subnet, applications=r.strings(p, "applications", key),
                         environments=r.strings(p, "environments", key), tiers=tuple(tiers),
                         data_classifications=classes, strategies=strategies)


def _parse_landing(r: _Reader, raw: Any) -> LandingConfig | None:
    """Placement rules are checked for shape here; whether their spokes exist is the plan's question
    (`carelift plan landing` proposes the missing ones)."""
    if raw is None:
        return None
    key = "landing"
    lc = r.mapping(raw, key, ("rules", "default", "headroomPercent", "growthPercent", "azureMigrate"))
    rules, names = [], set()
    for i, item in enumerate(r.items(lc.get("rules"), f"{key}.rules")):
        rule = _parse_placement(r, item, f"{key}.rules[{i}]", i)
        if rule and rule.name in names:
            r.fail(f"{key}.rules[{i}].name", f"duplicates another rule named {rule.name!r}")
        elif rule:
            names.add(rule.name)
            rules.append(rule)
    default = _parse_placement(r, lc["default"], f"{key}.default", None) if lc.get("default") is not None else None
    headroom = r.integer(lc, "headroomPercent", key, default=20, minimum=0, maximum=90)
    growth = r.integer(lc, "growthPercent", key, default=50, minimum=0, maximum=500)
    project = None
    if lc.get("azureMigrate") is not None:
        mk = f"{key}.azureMigrate"
        m = r.mapping(lc["azureMigrate"], mk, ("subscriptionId", "resourceGroup", "project", "assessment"))
        sub = r.string(m, "subscriptionId", mk, pattern=GUID, rule="must be a subscription GUID")
        group = r.string(m, "resourceGroup", mk)
        name = r.string(m, "project", mk)
        assessment = r.string(m, "assessment", mk) if m.get("assessment") is not None else None
        if sub and group and name:
            project = AzureMigrateProject(sub, group, name, assessment)
    return LandingConfig(tuple(rules), default, headroom or 0, growth or 0, project)


def _check_names(r: _Reader, org: str, env: str, suffix: str) -> None:
    """Azure's length and charset rules on the globally unique names derived from config."""
    kv = key_vault_name(org, env, suffix)
    if not 3 <= len(kv) <= 24:
        r.fail("uniqueSuffix", f"Key Vault name {kv!r} is {len(kv)} characters; Azure allows 3-24 "
                               "(shorten organization, environment or uniqueSuffix)")
    st = archive_storage_name(org, env, suffix)
    if not 3 <= len(st) <= 24:
        r.fail("uniqueSuffix", f"storage account name {st!r} is {len(st)} characters; Azure allows 3-24 "
                               "lowercase letters and digits (shorten organization, environment or uniqueSuffix)")


# ---------------------------------------------------------------------------- stack files


def config_from_stack_document(document: Any, *, stack: str, source: str,
                               today: datetime.date | None = None) -> StackConfig:
    """Validate a parsed ``Pulumi.<stack>.yaml`` document (the ``config:`` block).

    Besides the ``carelift:`` keys, every key of the block (``azure-native:clientSecret`` too)
    is checked for plaintext secrets.
    """
    from infra.stackfile import plaintext_secrets

    if not isinstance(document, Mapping) or not isinstance(document.get("config"), Mapping):
        raise ConfigError(source, [ConfigIssue("config", "the stack file needs a top-level config: mapping")])
    secrets = plaintext_secrets(document["config"])
    raw, issues = {}, list(secrets)
    for full_key, value in document["config"].items():
        namespace, _, name = str(full_key).partition(":")
        if namespace == PROJECT:
            raw[name] = value
        elif not name:
            issues.append(ConfigIssue(str(full_key), "config keys are namespaced, e.g. carelift:location"))
    if len(issues) > len(secrets):
        raise ConfigError(source, issues)
    try:
        config = parse_stack_config(raw, stack=stack, source=source, today=today)
    except ConfigError as error:
        raise ConfigError(source, [*secrets, *error.issues]) from None
    if secrets:
        raise ConfigError(source, secrets)
    return config
