"""The AI gateway: API Management in front of Azure OpenAI, one product per in-force use case.

Applications call the gateway, never the account. The gateway runs in the AI spoke in internal
VNet mode (no public ingress), reaches the account through its private endpoint with its own
managed identity (account keys stay disabled), and gives each approved, in-date use case of the
register a product with a token-per-minute limit from its quota and token metrics carrying the
use-case id (chargeback per department). Each product is granted only to its use case's
intendedUsers: one external API Management group per Entra ID group (by object id, from the stack's
``entraGroups``), linked to the products of the use cases naming it, never to the built-in
administrators, developers or guests groups. A proposed, suspended, retired or overdue use case gets
no product: it loses access and quota. Request logs go to the workspace; bodies are never logged
when any use case on the gateway handles PHI.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

import pulumi
import pulumi_azure_native.apimanagement as apim
import pulumi_azure_native.authorization as authorization
import pulumi_azure_native.privatedns as privatedns

from infra.ai.register import UseCase
from infra.components.diagnostics import diagnostic_setting
from infra.config import AIGatewayConfig, EntraGroups

OPENAI_USER = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"
COGNITIVE_SERVICES = "https://cognitiveservices.azure.com"
API_ID = "azure-openai"
BACKEND_ID = "azure-openai"
METRIC_NAMESPACE = "carelift-ai"
GATEWAY_ZONE = "azure-api.net"
# TLS 1.0/1.1, SSL 3.0 and 3DES off on both sides of the gateway (the portal's "Protocols + ciphers").
_SECURITY = "Microsoft.WindowsAzure.ApiManagement.Gateway.Security"
HARDENED_PROTOCOLS = {
    f"{_SECURITY}.{side}Protocols.{protocol}": "False"
    for side in ("", "Backend.") for protocol in ("Tls10", "Tls11", "Ssl30")
} | {f"{_SECURITY}.Ciphers.TripleDes168": "False"}
_ASSIGNMENT_NAMESPACE = uuid.UUID("0b8f0a63-6d3c-4f1e-9a57-2f4c8e1d7b90")


@dataclass(frozen=True)
class AIGatewayArgs:
    gateway: AIGatewayConfig
    """The stack's ``openai.gateway`` settings: name, tier, scale, subnet, publisher."""
    use_cases: tuple[UseCase, ...]
    """The register; only use cases in force on ``today`` get a product."""
    today: datetime.date
    """The day the register is judged on (review dates)."""
    resource_group_name: pulumi.Input[str]
    location: str
    subnet_id: pulumi.Input[str]
    """The AI spoke's API Management subnet (internal VNet injection)."""
    zone_resource_group_name: pulumi.Input[str]
    """Resource group of the landing zone's private DNS zones, which holds ``azure-api.net`` (hub-linked)."""
    zone_id: pulumi.Input[str]
    """Id of that ``azure-api.net`` zone: the records wait for it."""
    account_id: pulumi.Input[str]
    """The Azure OpenAI account the gateway calls."""
    account_endpoint: pulumi.Input[str]
    """``https://<subdomain>.openai.azure.com/``: reached through the account's private endpoint."""
    workspace_id: pulumi.Input[str]
    entra_groups: EntraGroups | None = None
    """The stack's ``entraGroups``: the tenant the use cases' group object ids belong to. Without it no
    product is granted to anyone (and the config's governance refuses a use case in force with groups)."""


def group_id(object_id: str) -> str:
    """The API Management group id of an Entra ID group: its object id, which never collides with the
    built-in administrators, developers or guests, and starts with a letter as the id must."""
    return f"entra-{object_id}"


class AIGateway(pulumi.ComponentResource):
    """API Management (internal VNet mode) with per-use-case products, quotas and token metrics."""

    gateway_url: pulumi.Output[str]
    products: list[str]

    def __init__(self, name: str, args: AIGatewayArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("carelift:ai:AIGateway", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        cfg = args.gateway
        service = apim.ApiManagementService(
            f"{name}-service",
            service_name=cfg.name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            sku=apim.ApiManagementServiceSkuPropertiesArgs(name=cfg.sku, capacity=cfg.capacity),
            publisher_name=cfg.publisher_name,
            publisher_email=cfg.publisher_email,
            identity=apim.ApiManagementServiceIdentityArgs(type=apim.ApimIdentityType.SYSTEM_ASSIGNED),
            # Internal mode: the gateway, portal and management endpoints have private addresses only.
            virtual_network_type=apim.VirtualNetworkType.INTERNAL,
            virtual_network_configuration=apim.VirtualNetworkConfigurationArgs(subnet_resource_id=args.subnet_id),
            custom_properties=dict(HARDENED_PROTOCOLS),
            # Management API calls older than this would bypass newer policy features.
            api_version_constraint=apim.ApiVersionConstraintArgs(min_api_version="2021-08-01"),
            opts=child,
        )
        self._private_dns(name, cfg, args, service)
        grant = self._grant_openai_user(name, cfg, args, service)
        backend = apim.Backend(
            f"{name}-backend",
            backend_id=BACKEND_ID,
            service_name=service.name,
            resource_group_name=args.resource_group_name,
            protocol=apim.BackendProtocol.HTTP,
            url=pulumi.Output.concat(args.account_endpoint, "openai"),
            description="The private Azure OpenAI account (reached through its private endpoint).",
            tls=apim.BackendTlsPropertiesArgs(validate_certificate_chain=True, validate_certificate_name=True),
            opts=child,
        )
        api = apim.Api(
            f"{name}-api",
            api_id=API_ID,
            service_name=service.name,
            resource_group_name=args.resource_group_name,
            display_name="Azure OpenAI",
            path="openai",
            protocols=[apim.Protocol.HTTPS],
            subscription_required=True,
            subscription_key_parameter_names=apim.SubscriptionKeyParameterNamesContractArgs(
                header="api-key", query="subscription-key"),
            opts=child,
        )
        apim.ApiPolicy(
            f"{name}-api-policy",
            api_id=api.name,
            policy_id="policy",
            service_name=service.name,
            resource_group_name=args.resource_group_name,
            format="rawxml",
            value=api_policy(),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[backend, grant]),
        )
        self._logging(name, args, service, api)
        in_force = [u for u in args.use_cases if u.in_force(args.today)]
        groups = self._groups(name, args, service, in_force)
        for use_case in in_force:
            product = self._product(name, args, service, api, use_case)
            # Only the use case's own intendedUsers may see the product and ask for a subscription key.
            for _, object_id in use_case.group_ids:
                if object_id in groups:
                    apim.ProductGroup(
                        f"{name}-product-{use_case.id}-group-{object_id}", product_id=product.name,
                        group_id=groups[object_id].name, service_name=service.name,
                        resource_group_name=args.resource_group_name, opts=pulumi.ResourceOptions(parent=self))

        self.gateway_url = pulumi.Output.concat("https://", service.name, f".{GATEWAY_ZONE}/openai")
        self.products = [u.id for u in in_force]
        self.register_outputs({"gateway_url": self.gateway_url, "products": self.products})

    def _private_dns(self, name: str, cfg: AIGatewayConfig, args: AIGatewayArgs,
                     service: apim.ApiManagementService) -> None:
        """Internal mode publishes nothing in public DNS: the gateway's names resolve to its private address
        through the landing zone's ``azure-api.net`` zone (created and hub-linked with the other zones)."""
        address = service.private_ip_addresses.apply(lambda ips: (ips or ["0.0.0.0"])[0])
        for host in (cfg.name, f"{cfg.name}.portal", f"{cfg.name}.management"):
            privatedns.PrivateRecordSet(
                f"{name}-zone-{host}", record_type="A", relative_record_set_name=host,
                # Named through the zone's id, so each record waits for the zone.
                private_zone_name=pulumi.Output.from_input(args.zone_id).apply(lambda _: GATEWAY_ZONE),
                resource_group_name=args.zone_resource_group_name, ttl=300,
                a_records=[privatedns.ARecordArgs(ipv4_address=address)],
                opts=pulumi.ResourceOptions(parent=self))

    def _grant_openai_user(self, name: str, cfg: AIGatewayConfig, args: AIGatewayArgs,
                           service: apim.ApiManagementService) -> authorization.RoleAssignment:
        """The gateway calls the account as itself (Entra ID token), so no account key exists to store."""
        assignment = str(uuid.uuid5(_ASSIGNMENT_NAMESPACE, f"{cfg.name}/{OPENAI_USER}"))
        return authorization.RoleAssignment(
            f"{name}-openai-user",
            role_assignment_name=assignment,
            scope=args.account_id,
            principal_id=service.identity.apply(lambda i: i.principal_id if i else ""),
            principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
            role_definition_id=pulumi.Output.from_input(args.account_id).apply(
                lambda account: f"/subscriptions/{account.split('/')[2]}/providers/Microsoft.Authorization/"
                                f"roleDefinitions/{OPENAI_USER}"),
            description=f"Cognitive Services OpenAI User for the AI gateway {cfg.name}",
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _logging(self, name: str, args: AIGatewayArgs, service: apim.ApiManagementService, api: apim.Api) -> None:
        diagnostic_setting(name, target_id=service.id, workspace_id=args.workspace_id, parent=self,
                           categories=("GatewayLogs",), category_groups=(), metrics=True)
        logger = apim.Logger(
            f"{name}-logger", logger_id="azuremonitor", logger_type=apim.LoggerType.AZURE_MONITOR,
            service_name=service.name, resource_group_name=args.resource_group_name,
            opts=pulumi.ResourceOptions(parent=self))
        phi = any(u.data_classification == "phi" for u in args.use_cases if u.status != "retired")
        # Bodies carry prompts and completions: with PHI on the gateway, never log them.
        body_bytes = 0 if phi else 1024
        settings = apim.PipelineDiagnosticSettingsArgs(
            request=apim.HttpMessageDiagnosticArgs(headers=[], body=apim.BodyDiagnosticSettingsArgs(bytes=body_bytes)),
            response=apim.HttpMessageDiagnosticArgs(headers=[], body=apim.BodyDiagnosticSettingsArgs(bytes=body_bytes)),
        )
        apim.ApiDiagnostic(
            f"{name}-api-diagnostic", diagnostic_id="azuremonitor", api_id=api.name,
            service_name=service.name, resource_group_name=args.resource_group_name,
            logger_id=logger.id, always_log=apim.AlwaysLog.ALL_ERRORS, log_client_ip=True,
            verbosity=apim.Verbosity.INFORMATION,
            sampling=apim.SamplingSettingsArgs(sampling_type=apim.SamplingType.FIXED, percentage=100),
            frontend=settings, backend=settings, metrics=True,
            opts=pulumi.ResourceOptions(parent=self))

    def _groups(self, name: str, args: AIGatewayArgs, service: apim.ApiManagementService,
                in_force: list[UseCase]) -> dict[str, apim.Group]:
        """One external group per Entra ID group the use cases in force name: its members sign in with Entra
        ID, so who may use a use case is decided in Entra ID, where joiners and leavers are handled."""
        if args.entra_groups is None:
            return {}
        names: dict[str, str] = {}
        users: dict[str, list[str]] = {}
        for use_case in in_force:
            for group_name, object_id in use_case.group_ids:
                names.setdefault(object_id, group_name)
                users.setdefault(object_id, []).append(use_case.id)
        groups = {}
        for object_id in sorted(names):
            groups[object_id] = apim.Group(
                f"{name}-group-{object_id}",
                group_id=group_id(object_id),
                service_name=service.name,
                resource_group_name=args.resource_group_name,
                display_name=names[object_id][:300],
                description=f"Entra ID group {names[object_id]}: the intended users of AI use case(s) "
                            f"{', '.join(users[object_id])}."[:1000],
                type=apim.GroupType.EXTERNAL,
                external_id=args.entra_groups.external_id(object_id),
                opts=pulumi.ResourceOptions(parent=self),
            )
        return groups

    def _product(self, name: str, args: AIGatewayArgs, service: apim.ApiManagementService, api: apim.Api,
                 use_case: UseCase) -> apim.Product:
        product = apim.Product(
            f"{name}-product-{use_case.id}",
            product_id=use_case.id,
            service_name=service.name,
            resource_group_name=args.resource_group_name,
            display_name=use_case.name[:300],
            description=f"{use_case.purpose[:900]} Owner {use_case.business_owner}; review due "
                        f"{use_case.review_due.isoformat() if use_case.review_due else 'unset'}.",
            subscription_required=True,
            # A subscription key is issued to an application only after its owner approves it.
            approval_required=True,
            subscriptions_limit=10,
            state=apim.ProductState.PUBLISHED,
            opts=pulumi.ResourceOptions(parent=self),
        )
        apim.ProductApi(
            f"{name}-product-{use_case.id}-api", product_id=product.name, api_id=api.name,
            service_name=service.name, resource_group_name=args.resource_group_name,
            opts=pulumi.ResourceOptions(parent=self))
        apim.ProductPolicy(
            f"{name}-product-{use_case.id}-policy", product_id=product.name, policy_id="policy",
            service_name=service.name, resource_group_name=args.resource_group_name,
            format="rawxml", value=product_policy(use_case),
            opts=pulumi.ResourceOptions(parent=self))
        return product


def api_policy() -> str:
    """Every call goes to the private account with the gateway's own Entra ID token."""
    return (
        "<policies>\n"
        "  <inbound>\n"
        "    <base />\n"
        f'    <set-backend-service backend-id="{BACKEND_ID}" />\n'
        f'    <authentication-managed-identity resource="{COGNITIVE_SERVICES}" />\n'
        "  </inbound>\n"
        "  <backend><base /></backend>\n"
        "  <outbound><base /></outbound>\n"
        "  <on-error><base /></on-error>\n"
        "</policies>"
    )


def product_policy(use_case: UseCase) -> str:
    """The use case's quota, its token metrics, and its one deployment (nothing else is reachable)."""
    # Deployment names are letters, digits, '.', '-' and '_' (validated), so they need no escaping here.
    deployment_path = f'"/deployments/{use_case.deployment}/"'
    return (
        "<policies>\n"
        "  <inbound>\n"
        "    <base />\n"
        "    <choose>\n"
        f"      <when condition='@(!context.Request.Url.Path.Contains({deployment_path}))'>\n"
        '        <return-response><set-status code="403" reason="Deployment not registered for this use case" />'
        "</return-response>\n"
        "      </when>\n"
        "    </choose>\n"
        f'    <azure-openai-token-limit counter-key="@(context.Subscription.Id)" '
        f'tokens-per-minute="{use_case.tokens_per_minute}" estimate-prompt-tokens="true" '
        f'remaining-tokens-header-name="x-remaining-tokens" />\n'
        f'    <azure-openai-emit-token-metric namespace="{METRIC_NAMESPACE}">\n'
        f'      <dimension name="use-case" value={quoteattr(use_case.id)} />\n'
        f'      <dimension name="deployment" value={quoteattr(use_case.deployment)} />\n'
        '      <dimension name="Subscription ID" />\n'
        "    </azure-openai-emit-token-metric>\n"
        "  </inbound>\n"
        "  <backend><base /></backend>\n"
        "  <outbound><base /></outbound>\n"
        "  <on-error><base /></on-error>\n"
        "</policies>"
    )
