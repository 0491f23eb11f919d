"""The ``openai`` section: the private Azure OpenAI account, its deployments, the AI use-case register
(parsed by infra.ai.register) and the AI gateway in front of it."""

from __future__ import annotations

import re
from typing import Any

from infra.ai.register import DeploymentFacts, parse_use_cases, with_group_ids
from infra.config.model import (AIGatewayConfig, EntraGroups, ModelDeployment, NetworkConfig, OpenAIConfig,
                                Principal)
from infra.config.names import ai_gateway_name, openai_subdomain
from infra.config.network import _require_pe_spoke
from infra.config.reader import EMAIL, _fqdn_problem, _parse_principal, _Reader, _shown

OPENAI_SKUS = ("Standard", "DataZoneStandard", "GlobalStandard", "ProvisionedManaged")
APIM_SKUS = ("Developer", "Premium")


def _parse_openai(r: _Reader, raw: Any, network: NetworkConfig | None, allowed: tuple[str, ...],
                  location: str | None, org: str | None, env: str | None,
                  suffix: str | None, entra_groups: EntraGroups | None = None) -> OpenAIConfig | None:
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
    # Each use case carries the object ids of its intendedUsers groups that entraGroups maps (the gateway's
    # product access, and the audit's evidence of who may call it).
    use_cases = with_group_ids(use_cases, dict(entra_groups.groups) if entra_groups else {})
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
