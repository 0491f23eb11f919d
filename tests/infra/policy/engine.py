"""Run the pack's policies the way the CrossGuard analyzer does, without the Pulumi CLI.

The analyzer wraps each resource's properties in the SDK's unknown-checking proxy and builds
`ResourceValidationArgs` (a resource's inputs) or `StackValidationArgs` (every resource's
outputs, with property dependencies); these helpers do the same from a rendered stack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from pulumi_policy import (PolicyCustomTimeouts, PolicyResource, PolicyResourceOptions, ResourceValidationArgs,
                           ResourceValidationPolicy, StackValidationArgs)
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from infra.render import RenderedResource

OPTIONS = PolicyResourceOptions(protect=False, ignore_changes=[], delete_before_replace=None, aliases=[],
                                custom_timeouts=PolicyCustomTimeouts(0, 0, 0), additional_secret_outputs=[])


@dataclass
class Outcome:
    violations: list[tuple[str, str | None, str]] = field(default_factory=list)
    """(policy name, urn or None, message)."""
    undetermined: list[tuple[str, str]] = field(default_factory=list)
    """(policy name, advisory message) for policies that ended with an unknown value."""

    def messages(self) -> list[tuple[str, str]]:
        return sorted((policy, message) for policy, _, message in self.violations)


def run(policies: Iterable, resources: Iterable[RenderedResource],
        inputs: Mapping[str, Mapping[str, Any]] | None = None,
        outputs: Mapping[str, Mapping[str, Any]] | None = None,
        dependencies: Mapping[str, Mapping[str, list[str]]] | None = None) -> Outcome:
    """Every policy over `resources`; `inputs`/`outputs`/`dependencies` override by URN."""
    resources = list(resources)
    inputs, outputs, dependencies = inputs or {}, outputs or {}, dependencies or {}
    outcome = Outcome()
    for policy in policies:
        def report(message: str, urn: str | None = None, name: str = policy.name) -> None:
            outcome.violations.append((name, urn, message))

        if isinstance(policy, ResourceValidationPolicy):
            # The analyzer calls a resource policy once per resource.
            for r in resources:
                props = unknown_checking_proxy(dict(inputs.get(r.urn, r.inputs)))
                _call(outcome, policy, ResourceValidationArgs(r.type, props, r.urn, r.name, OPTIONS, None), report)
        else:
            stack = {r.urn: PolicyResource(r.type, unknown_checking_proxy(dict(outputs.get(r.urn, r.outputs or r.inputs))),
                                           r.urn, r.name, OPTIONS, None, None, [], {}) for r in resources}
            for urn, keys in dependencies.items():
                stack[urn].property_dependencies = {k: [stack[u] for u in urns] for k, urns in keys.items()}
            _call(outcome, policy, StackValidationArgs(list(stack.values())), report)
    return outcome


def _call(outcome: Outcome, policy, args, report) -> None:
    try:
        policy.validate(args, report)
    except UnknownValueError as error:
        # The analyzer turns this into an advisory "can't run policy during preview" diagnostic.
        outcome.undetermined.append((policy.name, error.message))
