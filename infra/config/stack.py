"""The whole stack: top-level keys and tags, every section in order, and the stack file's
``config:`` block (plaintext secrets of any namespace included)."""

from __future__ import annotations

import dataclasses
import datetime
import math
import re
from typing import Any, Mapping

from infra import clock
from infra.config.entra import _parse_entra_groups
from infra.config.governance import _parse_governance
from infra.config.hybrid import hybrid_period_over
from infra.config.key_vault import _parse_key_vault
from infra.config.landing import _parse_landing
from infra.config.model import DATA_CLASSIFICATIONS, StackConfig
from infra.config.monitoring import _parse_monitoring
from infra.config.names import PROJECT, archive_storage_name, key_vault_name
from infra.config.network import _parse_network
from infra.config.openai import _parse_openai
from infra.config.reader import _kind, _Reader, _shown
from infra.config_errors import ConfigError, ConfigIssue

US_REGIONS = frozenset(
    {
        "eastus", "eastus2", "centralus", "northcentralus", "southcentralus",
        "westcentralus", "westus", "westus2", "westus3",
    }
)
REQUIRED_TAGS = ("owner", "cost-center", "data-classification")

TOP_LEVEL_KEYS = (
    "environment", "organization", "uniqueSuffix", "location", "allowedLocations", "tags",
    "governance", "network", "monitoring", "keyVault", "openai", "landing", "landingOverlay", "entraGroups",
)


def utc_today() -> datetime.date:
    """The day a stack is rendered or validated as of: `infra.clock.today()` (CARELIFT_AS_OF, else the UTC
    date Azure Resource Manager sees now, what "the current month" means to it)."""
    return clock.today()


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
    entra_groups = _parse_entra_groups(r, raw.get("entraGroups"))
    openai = _parse_openai(r, raw.get("openai"), network, allowed, location, org, env, suffix, entra_groups)
    landing = _parse_landing(r, raw.get("landing"))
    if raw.get("landingOverlay") is not None:
        r.string(raw, "landingOverlay", "")  # merged before parsing (infra.landing_overlay); only its type here

    if network is not None and landing is not None and landing.completed_wave is not None:
        # A hybrid wave whose links all waited for a wave now signed off has ended: the hub's group and the
        # subnets' allowances both come from this one tuple, so they go together.
        network = dataclasses.replace(network, hybrid_waves=tuple(
            w for w in network.hybrid_waves if not hybrid_period_over(w.remove_after_wave, landing.completed_wave)))
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
        key_vault=key_vault, openai=openai, landing=landing, entra_groups=entra_groups,  # type: ignore[arg-type]
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
