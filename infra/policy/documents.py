"""Pulumi resources as the policy engine sees them → the ARM documents the catalog reads.

CrossGuard hands a validator Pulumi-shaped properties: a resource policy gets one resource's
inputs, a stack policy gets every resource's outputs (with their property dependencies). Both
are translated the way the offline render is (`infra.arm.translate`, ids from
`infra.arm.types.arm_id`), so the pack and `carelift audit --stack` judge the same documents.

During a preview some values are unknown until Azure creates the resource (ids, principal ids,
addresses). Such values become `UNKNOWN`; where an unknown input is a name or an id taken from
exactly one other resource (a diagnostic setting's ``resourceUri`` is its vault's id), the
engine's property dependencies say which one, and the value is rebuilt from that resource.
"""

from __future__ import annotations

import collections
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from pulumi_policy.proxy import (UNKNOWN_ARCHIVE_VALUE, UNKNOWN_ARRAY_VALUE, UNKNOWN_ASSET_VALUE,
                                 UNKNOWN_BOOLEAN_VALUE, UNKNOWN_NUMBER_VALUE, UNKNOWN_OBJECT_VALUE,
                                 UNKNOWN_STRING_VALUE)

from infra.arm import ArmTranslationError, translate
from infra.arm.types import ARM_TYPES, OFFLINE_SUBSCRIPTION_ID, arm_id

UNKNOWN = "<unknown until deployment>"
_SENTINELS = frozenset({UNKNOWN_ARCHIVE_VALUE, UNKNOWN_ARRAY_VALUE, UNKNOWN_ASSET_VALUE, UNKNOWN_BOOLEAN_VALUE,
                        UNKNOWN_NUMBER_VALUE, UNKNOWN_OBJECT_VALUE, UNKNOWN_STRING_VALUE})
# Read-only keys of azure-native outputs that are not part of an ARM document's properties.
_OUTPUT_ONLY = frozenset({"azureApiVersion", "type", "systemData", "id", "urn", "__inputs"})
_SUBSCRIPTION = re.compile(r"^/subscriptions/([0-9a-fA-F-]{36})(?:/|$)")
_PASSES = 6  # names feed ids feed further names: a few rounds settle any chain the program builds


@dataclass(frozen=True)
class Source:
    """One Pulumi resource: its type token, logical name, URN and Pulumi-shaped state."""

    token: str
    name: str
    urn: str
    state: Mapping[str, Any]
    dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Top-level property -> URNs of the resources its value comes from (stack policies only)."""


@dataclass(frozen=True)
class Translated:
    documents: tuple[dict[str, Any], ...]
    urns: Mapping[str, str]
    """Lower-cased resource id -> URN of the Pulumi resource it came from."""
    problems: tuple[tuple[str, str], ...]
    """(urn, message) of resources that could not be translated."""
    undetermined: tuple[str, ...] = ()
    """URNs of resources that could not be translated because values are unknown until deployment."""

    def urn_of(self, resource_id: str) -> str | None:
        """The URN behind a document id, an inline child's (a subnet in a VNet) or None (a subscription)."""
        lowered = resource_id.lower()
        while lowered:
            if lowered in self.urns:
                return self.urns[lowered]
            lowered = lowered.rpartition("/")[0]
        return None


def plain(value: Any) -> Any:
    """Pulumi's unknown-checking proxies → plain dicts and lists, with unknowns as `UNKNOWN`."""
    target = _target(value)
    if isinstance(target, Mapping):
        return {str(key): plain(target[key]) for key in target}
    if isinstance(target, (list, tuple)):
        return [plain(item) for item in target]
    if isinstance(target, str) and target in _SENTINELS:
        return UNKNOWN
    return target


def _target(value: Any) -> Any:
    # The policy SDK's _DictProxy/_ListProxy raise on unknown values; "__target" is the raw container.
    if type(value).__name__ in ("_DictProxy", "_ListProxy"):
        return value["__target"]
    return value


def has_unknown(node: Any) -> bool:
    if isinstance(node, str):
        return UNKNOWN in node
    if isinstance(node, Mapping):
        return any(has_unknown(v) for v in node.values())
    if isinstance(node, list):
        return any(has_unknown(v) for v in node)
    return False


def state_of(props: Any) -> dict[str, Any]:
    """Outputs (with the inputs azure-native checkpoints under ``__inputs``) as one Pulumi-shaped state."""
    state = plain(props) if props is not None else {}
    inputs = state.get("__inputs")
    merged = {**inputs, **state} if isinstance(inputs, Mapping) else dict(state)
    out = {key: value for key, value in merged.items() if key not in _OUTPUT_ONLY}
    # An input of its own called type (an API Management group's custom/external/system) is a property, not the
    # output-only ARM resource type (Namespace/type), which shadows it once deployed: keep the input's value.
    kind = (inputs if isinstance(inputs, Mapping) else state).get("type")
    if isinstance(kind, str) and "/" not in kind and not has_unknown(kind):
        out["type"] = kind
    return out


def subscription_of(states: Iterable[Mapping[str, Any]]) -> str:
    """The subscription most ids in the states point into; the offline one when none is known yet."""
    seen: collections.Counter[str] = collections.Counter()
    for state in states:
        for value in _strings(state):
            match = _SUBSCRIPTION.match(value)
            if match:
                seen[match.group(1).lower()] += 1
    if not seen:
        return OFFLINE_SUBSCRIPTION_ID
    return sorted(seen.items(), key=lambda item: (-item[1], item[0]))[0][0]


def resource_id(source: Source, state: Mapping[str, Any], subscription: str) -> str:
    built = arm_id(source.token, state, source.name)
    offline = f"/subscriptions/{OFFLINE_SUBSCRIPTION_ID}"
    if subscription != OFFLINE_SUBSCRIPTION_ID and built.lower().startswith(offline):
        built = f"/subscriptions/{subscription}{built[len(offline):]}"
    return built


def arm_name(source: Source, state: Mapping[str, Any]) -> str:
    name_key = ARM_TYPES[source.token][1]
    return str(state.get(name_key) or source.name)


def translate_sources(sources: Sequence[Source]) -> Translated:
    """ARM documents for the sources Azure knows (`ARM_TYPES`), sorted by id."""
    known = [s for s in sources if s.token in ARM_TYPES]
    states = {s.urn: state_of(s.state) for s in known}
    subscription = subscription_of(states.values())
    _resolve(known, states, subscription)
    documents, urns, problems, undetermined = [], {}, [], []
    for source in known:
        state = states[source.urn]
        ident = resource_id(source, state, subscription)
        try:
            document = translate(source.token, state, ident, urn=source.urn)
        except ArmTranslationError as error:
            if has_unknown(state):
                undetermined.append(source.urn)
                continue
            problems.append((source.urn, f"could not be translated to an ARM document: {error.key}: {error.problem}"))
            continue
        documents.append(document)
        urns[ident.lower()] = source.urn
    documents.sort(key=lambda d: str(d["id"]).lower())
    return Translated(tuple(documents), urns, tuple(problems), tuple(undetermined))


def _resolve(sources: Sequence[Source], states: dict[str, dict[str, Any]], subscription: str) -> None:
    """Fill unknown names and ids from the one resource each comes from (property dependencies)."""
    by_urn = {s.urn: s for s in sources}
    for _ in range(_PASSES):
        changed = False
        for source in sources:
            state = states[source.urn]
            for key, urns in source.dependencies.items():
                origins = [by_urn[u] for u in urns if u in by_urn]
                if key not in state or len(origins) != 1 or not has_unknown(state[key]):
                    continue
                origin = origins[0]
                origin_state = states[origin.urn]
                name, ident = arm_name(origin, origin_state), resource_id(origin, origin_state, subscription)
                if has_unknown(name) and has_unknown(ident):
                    continue
                filled = _fill(key, state[key], name, ident)
                if filled != state[key]:
                    state[key] = filled
                    changed = True
        if not changed:
            return


def _fill(key: str, value: Any, name: str, ident: str) -> Any:
    if isinstance(value, Mapping):
        return {k: _fill(k, v, name, ident) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(key, v, name, ident) for v in value]
    if value != UNKNOWN:
        return value
    if key.endswith("Name") and not has_unknown(name):
        return name
    if (key in ("id", "scope") or key.endswith(("Id", "Uri"))) and not has_unknown(ident):
        return ident
    return value


def _strings(node: Any) -> Iterable[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, Mapping):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)
