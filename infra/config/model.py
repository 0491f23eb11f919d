"""The validated stack configuration: frozen dataclasses, one per section of the stack file.

What `infra.program.build` and the components read; built by the section parsers of this package.
"""

from __future__ import annotations

from dataclasses import dataclass

from infra.ai.register import UseCase
from infra.config.names import archive_storage_name, key_vault_name

DATA_CLASSIFICATIONS = ("phi", "pii", "internal", "public")

# Built-in role definition ids (Azure RBAC), by the names the stack files use.
KEY_VAULT_ROLES = {
    "Key Vault Administrator": "00482a5a-887f-4fb3-b363-3b7fe8e74483",
    "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
    "Key Vault Crypto User": "12338af0-0e69-4776-bea7-57ae8d297424",
    "Key Vault Crypto Service Encryption User": "e147488a-f6f5-4113-8e2d-b22465e65bf6",
    "Key Vault Reader": "21090545-7ca7-4776-b22c-e363652d74d2",
}



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
    description: str = ""
    """What the allowance is for (hybrid until a wave, steady state, permanent), at most 140 characters: Azure's
    limit for a security rule's description. Empty: none (an overlay written before it had one)."""


@dataclass(frozen=True)
class HybridWave:
    """What the firewall and NSGs must allow while wave ``wave`` runs split from on premises."""

    wave: int
    remove_after_wave: int
    """The last wave whose cutover one of these links waits for: after it, the group can go."""
    rules: tuple[HybridRule, ...]
    allowances: tuple[SubnetAllowance, ...] = ()


@dataclass(frozen=True)
class SteadyStateWave:
    """What the firewall and NSGs must allow from wave ``wave`` on, once both ends of a dependency have
    moved to Azure, or one end has and the other stays on premises for good (a retained server, or an
    address outside the inventory such as a modality: their /32s): steady state, it stays after the
    migration (unlike a HybridWave)."""

    wave: int
    rules: tuple[HybridRule, ...]
    """Hub firewall network rules for links between two spokes (spoke-to-spoke traffic crosses the hub) and
    between a landing subnet and a retained on-premises server (p..) or device (e..)."""
    allowances: tuple[SubnetAllowance, ...] = ()
    """Inbound NSG allowances on each link's destination subnet, same-subnet links included."""


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
    steady_state_waves: tuple[SteadyStateWave, ...] = ()
    """Per-wave rules for links whose two ends both landed in Azure, kept after the migration (the overlay)."""

    def spoke(self, name: str) -> Spoke:
        return next(s for s in self.spokes if s.name == name)

    def allowances(self, spoke: str) -> list[SubnetAllowance]:
        """The landing overlay's NSG allowances for a spoke's subnets: the hybrid waves', then the steady state's."""
        waves: list[HybridWave | SteadyStateWave] = [*self.hybrid_waves, *self.steady_state_waves]
        return [a for w in waves for a in w.allowances if a.spoke == spoke]


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
class EntraGroups:
    """``entraGroups``: the Entra ID tenant and the object id of each group the AI register names."""

    tenant: str
    """The tenant's initial domain ``<name>.onmicrosoft.com`` (the form API Management documents:
    ``aad://<tenant>.onmicrosoft.com/groups/<object id>``) or its tenant id, written as the developer portal's
    Entra ID identity provider lists it in allowed tenants (API Management compares them literally)."""
    groups: tuple[tuple[str, str], ...]
    """(group name as the register writes it in ``intendedUsers``, object id in lowercase), sorted by name."""

    def object_id(self, name: str) -> str | None:
        return dict(self.groups).get(name)

    def external_id(self, object_id: str) -> str:
        """The group's ``externalId`` in API Management (Microsoft.ApiManagement/service/groups)."""
        return f"aad://{self.tenant}/groups/{object_id}"


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
    completed_wave: int | None = None
    """The last wave signed off (``completedWave``): a hybrid wave whose removeAfterWave is at most this has
    ended, and its firewall group and NSG allowances go together (`infra.config.hybrid.hybrid_period_over`)."""


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
    entra_groups: EntraGroups | None = None
    """``entraGroups``: object ids of the Entra ID groups the AI register names (the gateway's product access)."""

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
