"""Holding a stack to its AI register on a given day: what refuses a deployment, what only warns.

``infra validate``, ``infra render``/``export-arm`` and the Pulumi program (``pulumi up``) refuse a stack
whose register breaks a governance rule (nothing ungoverned is deployed); ``carelift audit`` reports
the same rules as failing controls instead. The day is today, or ``CARELIFT_AS_OF`` (YYYY-MM-DD) when
set, so a review can be judged "as of" a date and tests stay the same next year.
"""

from __future__ import annotations

import datetime
import os

from infra.ai.register import DeploymentFacts, GovernanceIssue, governance
from infra.config import PROJECT, ConfigError, ConfigIssue, OpenAIConfig, StackConfig

AS_OF_VARIABLE = "CARELIFT_AS_OF"


def as_of() -> datetime.date:
    """The day governance is judged on."""
    value = os.environ.get(AS_OF_VARIABLE)
    if not value:
        return datetime.date.today()
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ConfigError(AS_OF_VARIABLE, [ConfigIssue(AS_OF_VARIABLE, f"must be a date (YYYY-MM-DD); got "
                                                                       f"{value[:40]!r}")]) from None


def deployment_facts(openai: OpenAIConfig) -> dict[str, DeploymentFacts]:
    return {d.name: DeploymentFacts(d.name, d.model, d.version, d.sku, d.capacity) for d in openai.deployments}


def stack_governance(config: StackConfig, today: datetime.date | None = None) -> list[GovernanceIssue]:
    """Every governance rule the stack's register breaks (none when OpenAI is off)."""
    if not config.openai.enabled:
        return []
    return governance(config.openai.use_cases, deployment_facts(config.openai), today=today or as_of())


def enforce(config: StackConfig, source: str, today: datetime.date | None = None) -> list[str]:
    """Raise ConfigError for every governance error; return the warnings as 'key: message' lines."""
    issues = stack_governance(config, today)
    errors = [ConfigIssue(f"{PROJECT}:{i.key}", i.message) for i in issues if not i.warning]
    if errors:
        raise ConfigError(source, errors)
    return [f"{PROJECT}:{i.key}: {i.message}" for i in issues if i.warning]
