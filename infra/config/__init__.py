"""Typed, immutable stack configuration and its validation.

The stack file (``stacks/Pulumi.<stack>.yaml``) is parsed into frozen dataclasses before
any resource is registered. Every rule violation is collected with the config key that
caused it, so a platform engineer sees all problems at once instead of one per run.

This package imports neither pulumi nor azure-native: the CLI, the offline render and the
Pulumi entry point all validate through it. Its modules:

- ``model``: the dataclasses (`StackConfig` and one per section);
- ``names``: every name derived from the config, which the components use too;
- ``reader``: the reader recording each problem against its key, and shared value checks;
- ``stack``: the top-level keys, tags and the stack file's ``config:`` block;
- one module per section: ``governance``, ``network`` (with ``hybrid``), ``monitoring``,
  ``key_vault``, ``openai``, ``entra`` (Entra ID group object ids), ``landing``.

Everything public is importable from ``infra.config`` itself.
"""

from __future__ import annotations

from infra.config.governance import (MANAGEMENT_GROUP_TREE, MAX_BUDGET_AMOUNT, MAX_BUDGET_LEAD_MONTHS,
                                     MAX_BUDGET_THRESHOLDS)
from infra.config.hybrid import HYBRID_PROTOCOLS, PORT
from infra.config.landing import PLACEMENT_MATCH, STRATEGIES
from infra.config.model import (DATA_CLASSIFICATIONS, KEY_VAULT_ROLES, AIGatewayConfig, AzureMigrateProject,
                                Budget, DnsForwardingRule, EntraGroups, Gateway, GovernanceConfig, Hub, HubSubnets,
                                HybridRule, HybridWave, KeyVaultConfig, LandingConfig, ModelDeployment,
                                MonitoringConfig, NetworkConfig, OpenAIConfig, PlacementRule, Principal,
                                RoleAssignment, Spoke, StackConfig, SteadyStateWave, Subnet,
                                SubnetAllowance)
from infra.config.monitoring import MAX_LOG_RETENTION_DAYS, MIN_IMMUTABILITY_DAYS, MIN_LOG_RETENTION_DAYS
from infra.config.names import (PROJECT, RESERVED_WORKLOAD_NAMES, ai_gateway_name, archive_storage_name,
                                key_vault_name, openai_subdomain)
from infra.config.network import (APIM_SUBNET_PREFIX, DNS_DOMAIN, GATEWAY_SKUS, SMALLEST_SUBNET_PREFIX,
                                  SPECIAL_SUBNETS)
from infra.config.openai import APIM_SKUS, OPENAI_SKUS
from infra.config.reader import EMAIL, FQDN, GUID, PRINCIPAL_TYPES, _Reader
from infra.config.stack import (REQUIRED_TAGS, TOP_LEVEL_KEYS, US_REGIONS, config_from_stack_document,
                                parse_stack_config, utc_today)
from infra.config_errors import ConfigError, ConfigIssue

__all__ = [
    # errors (infra.config_errors)
    "ConfigError", "ConfigIssue",
    # model
    "AIGatewayConfig", "AzureMigrateProject", "Budget", "DnsForwardingRule", "EntraGroups", "Gateway",
    "GovernanceConfig",
    "Hub", "HubSubnets", "HybridRule", "HybridWave", "KeyVaultConfig", "LandingConfig", "ModelDeployment",
    "MonitoringConfig", "NetworkConfig", "OpenAIConfig", "PlacementRule", "Principal", "RoleAssignment",
    "Spoke", "StackConfig", "SteadyStateWave", "Subnet", "SubnetAllowance", "DATA_CLASSIFICATIONS",
    "KEY_VAULT_ROLES",
    # names
    "PROJECT", "RESERVED_WORKLOAD_NAMES", "ai_gateway_name", "archive_storage_name", "key_vault_name",
    "openai_subdomain",
    # reading and parsing
    "_Reader", "config_from_stack_document", "parse_stack_config", "utc_today", "TOP_LEVEL_KEYS",
    # the rules the sections enforce
    "APIM_SKUS", "APIM_SUBNET_PREFIX", "DNS_DOMAIN", "EMAIL", "FQDN", "GATEWAY_SKUS", "GUID",
    "HYBRID_PROTOCOLS", "MANAGEMENT_GROUP_TREE", "MAX_BUDGET_AMOUNT", "MAX_BUDGET_LEAD_MONTHS",
    "MAX_BUDGET_THRESHOLDS", "MAX_LOG_RETENTION_DAYS", "MIN_IMMUTABILITY_DAYS", "MIN_LOG_RETENTION_DAYS",
    "OPENAI_SKUS", "PLACEMENT_MATCH", "PORT", "PRINCIPAL_TYPES", "REQUIRED_TAGS", "SMALLEST_SUBNET_PREFIX",
    "SPECIAL_SUBNETS", "STRATEGIES", "US_REGIONS",
]
