"""Holding a stack to its AI register on a given day: what refuses a deployment, what only warns.

``infra validate``, ``infra render``/``export-arm`` and the Pulumi program (``pulumi up``) refuse a stack
whose register breaks a governance rule (nothing ungoverned is deployed); ``carelift audit`` reports
the same rules as failing controls instead. The day is `infra.clock.today()`: ``CARELIFT_AS_OF``
(YYYY-MM-DD) when set, else today (UTC), so a review can be judged "as of" a date and tests stay the same
next year.
"""

from __future__ import annotations

import datetime

from infra.ai.register import DeploymentFacts, GovernanceIssue, governance
from infra.clock import AS_OF_VARIABLE, today
from infra.config import PROJECT, ConfigError, ConfigIssue, OpenAIConfig, StackConfig

__all__ = ["AS_OF_VARIABLE", "as_of"]


def as_of() -> datetime.date:
    """The day governance is judged on: the tool's one day (`infra.clock.today`)."""
    return today()


def deployment_facts(openai: OpenAIConfig) -> dict[str, DeploymentFacts]:
    return {d.name: DeploymentFacts(d.name, d.model, d.version, d.sku, d.capacity) for d in openai.deployments}


def stack_governance(config: StackConfig, today: datetime.date | None = None) -> list[GovernanceIssue]:
    """Every governance rule the stack's register breaks (none when OpenAI is off)."""
    if not config.openai.enabled:
        return []
    return governance(config.openai.use_cases, deployment_facts(config.openai), today=today or as_of(),
                      gateway=config.openai.gateway is not None)


def enforce(config: StackConfig, source: str, today: datetime.date | None = None) -> list[str]:
    """Raise ConfigError for every governance error; return the warnings as 'key: message' lines."""
    issues = stack_governance(config, today)
    errors = [ConfigIssue(f"{PROJECT}:{i.key}", i.message) for i in issues if not i.warning]
    if errors:
        raise ConfigError(source, errors)
    return [f"{PROJECT}:{i.key}: {i.message}" for i in issues if i.warning]
