"""Every name the landing zone derives from the stack config, in one place.

The config validation checks these names (lengths, reserved words) and the components create
resources under them, so both read them from here rather than keeping two spellings in step.
Imports nothing of carelift's: the components and every config section can depend on it.
"""

from __future__ import annotations

PROJECT = "carelift"
"""The Pulumi project: the namespace of every config key (``carelift:location``)."""

# Resource groups rg-<org>-<env>-<name> the platform components own: a spoke may not take them.
RESERVED_WORKLOAD_NAMES = frozenset({"connectivity", "management", "security", "dns", "openai"})


def key_vault_name(org: str, env: str, suffix: str) -> str:
    return f"kv-{org}-{env}-{suffix}"


def archive_storage_name(org: str, env: str, suffix: str) -> str:
    return f"st{org}{env}audit{suffix}"


def ai_gateway_name(org: str, env: str, suffix: str) -> str:
    """API Management names are global (``<name>.azure-api.net``)."""
    return f"apim-{org}-{env}-{suffix}"


def openai_subdomain(org: str, env: str, suffix: str) -> str:
    return f"oai-{org}-{env}-{suffix}"
