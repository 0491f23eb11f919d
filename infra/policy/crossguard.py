"""The compliance catalog as Pulumi CrossGuard policies: one policy per control.

The control's declared scope (`model.Scope`) picks the kind of policy:

- scope `resource` (the check reads only the resource itself) becomes a `ResourceValidationPolicy`:
  it judges each resource's inputs before Pulumi creates or updates it.
- scope `graph` (the check follows the `ResourceIndex`: diagnostic settings of a vault, zone
  groups of an endpoint) and scope `subscription` (it judges the subscription) become a
  `StackValidationPolicy` over every resource of the stack.

Enforcement follows severity: mandatory for critical and high, advisory otherwise. Every
failed finding is reported with the catalog's full-sentence message; the policy carries the
control's title, HIPAA citations and remediation.

A failure that rests on values unknown until deployment (a preview of resources not yet
created) is not reported as a violation: the policy ends with an advisory "can't be judged
during preview" diagnostic naming those resources. `pulumi up` judges them again with the real
values: resource policies before each resource is created, stack policies after the update.
"""

from __future__ import annotations

import functools
from typing import Callable, Iterable, Sequence, TypedDict

from pulumi_policy import (EnforcementLevel, Policy, PolicyComplianceFramework, ReportViolation,
                           ResourceValidationArgs, ResourceValidationPolicy, Severity, StackValidationArgs,
                           StackValidationPolicy)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from infra.compliance.engine import evaluate
from infra.compliance.index import INLINE_CHILDREN, ResourceIndex
from infra.compliance.model import Control, Scope, Severity as ControlSeverity
from infra.policy.documents import Source, Translated, has_unknown, translate_sources
from infra.arm.types import ARM_TYPES

PACK_NAME = "carelift-hipaa"
MANDATORY = frozenset({ControlSeverity.CRITICAL, ControlSeverity.HIGH})
FRAMEWORK_NAME = "HIPAA Security Rule"
FRAMEWORK_VERSION = "45 CFR Part 164 Subpart C"
STACK_SCOPES = frozenset({Scope.GRAPH, Scope.SUBSCRIPTION})
"""Scopes whose checks read more than the one resource a resource policy is given."""


class Undetermined(UnknownValueError):
    """Failures that rest on values Azure assigns at deployment; the engine reports it as advisory."""

    def __init__(self, control: Control, resources: Sequence[str]):
        super().__init__(UNKNOWN_STRING_VALUE, [control.id])
        shown = ", ".join(resources[:5]) + (f" and {len(resources) - 5} more" if len(resources) > 5 else "")
        self.message = (f"{control.id} cannot judge {len(resources)} resource(s) until values Azure assigns "
                        f"at deployment are known: {shown}")


def enforcement(control: Control) -> EnforcementLevel:
    return EnforcementLevel.MANDATORY if control.severity in MANDATORY else EnforcementLevel.ADVISORY


def is_stack_control(control: Control) -> bool:
    """Subscription-wide controls, and checks that read other documents through the index."""
    return control.scope in STACK_SCOPES


@functools.cache
def token_arm_type(token: str) -> str:
    """The ARM type a Pulumi type token creates (``Microsoft.KeyVault/vaults/keys``)."""
    if token == "azure-native:resources:ResourceGroup":
        return "Microsoft.Resources/resourceGroups"
    path = ARM_TYPES[token][0]
    if path.startswith("@"):
        path = path.partition(":")[2]
    namespace, *segments = path.split("/")
    return "/".join([namespace, *segments[0::2]])


def tokens_for(control: Control) -> frozenset[str]:
    """Pulumi types whose documents (or their inline children) the control judges."""
    wanted = {t.lower() for t in control.resource_types}
    wanted |= {parent for parent, (_, child) in INLINE_CHILDREN.items() if child.lower() in wanted}
    return frozenset(token for token in ARM_TYPES if token_arm_type(token).lower() in wanted)


def judge(control: Control, translated: Translated, report_violation: ReportViolation, *,
          graph: bool, relevant: frozenset[str]) -> None:
    """Report each failed finding of `control` over the translated documents."""
    index = ResourceIndex(translated.documents)
    result = evaluate(index, [control])
    uncertain = graph and (bool(translated.undetermined) or any(has_unknown(d) for d in translated.documents))
    undetermined = [urn.rsplit("::", 1)[-1] for urn in translated.undetermined if _token_of(urn) in relevant]
    for finding in result.failed:
        document = index.by_id(finding.resource_id)
        if uncertain or (document is not None and has_unknown(document)):
            undetermined.append(finding.resource_id.rsplit("/", 1)[-1] or finding.resource_id)
            continue
        report_violation(finding.message, translated.urn_of(finding.resource_id))
    for urn, problem in translated.problems:
        if _token_of(urn) in relevant:
            report_violation(f"Pulumi resource '{urn.rsplit('::', 1)[-1]}' ({_token_of(urn)}) {problem}.", urn)
    if undetermined:
        raise Undetermined(control, sorted(set(undetermined)))


def resource_validator(control: Control) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
    relevant = tokens_for(control)

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in relevant:
            return
        source = Source(token=args.resource_type, name=args.name, urn=args.urn, state=args.props)
        judge(control, translate_sources([source]), report_violation, graph=False, relevant=relevant)

    validate.__name__ = validate.__qualname__ = f"validate_{control.id.replace('-', '_').lower()}"
    return validate


def stack_validator(control: Control) -> Callable[[StackValidationArgs, ReportViolation], None]:
    relevant = tokens_for(control)

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        sources = [Source(token=r.resource_type, name=r.name, urn=r.urn, state=r.props,
                          dependencies={key: tuple(dep.urn for dep in deps)
                                        for key, deps in (r.property_dependencies or {}).items()})
                   for r in args.resources if r.resource_type in ARM_TYPES]
        judge(control, translate_sources(sources), report_violation, graph=True, relevant=relevant)

    validate.__name__ = validate.__qualname__ = f"validate_{control.id.replace('-', '_').lower()}"
    return validate


class _PolicyFields(TypedDict):
    """What a resource and a stack policy of a control share (keyword arguments of both classes)."""
    name: str
    description: str
    enforcement_level: EnforcementLevel
    display_name: str
    severity: Severity
    framework: PolicyComplianceFramework
    tags: list[str]
    remediation_steps: str


def policy_for(control: Control) -> Policy:
    common = _PolicyFields(
        name=control.id,
        description=f"{control.title} ({'; '.join(control.citations)}).",
        enforcement_level=enforcement(control),
        display_name=control.title,
        severity=Severity(control.severity.value),
        framework=PolicyComplianceFramework(name=FRAMEWORK_NAME, version=FRAMEWORK_VERSION,
                                            reference="; ".join(control.citations)),
        tags=sorted({"hipaa", "azure", *(s.lower().replace(" ", "-") for s in control.safeguards)}),
        remediation_steps=control.remediation,
    )
    if is_stack_control(control):
        return StackValidationPolicy(validate=stack_validator(control), **common)
    return ResourceValidationPolicy(validate=resource_validator(control), **common)


def build_policies(controls: Iterable[Control] | None = None) -> list[Policy]:
    """A policy per control of the catalog (or of `controls`), in id order."""
    if controls is None:
        from infra.compliance.catalog import all_controls

        controls = all_controls()
    return [policy_for(c) for c in sorted(controls, key=lambda c: c.id)]


def _token_of(urn: str) -> str:
    # urn:pulumi:<stack>::<project>::<parent types $>...<type>::<name>
    return urn.split("::")[2].rsplit("$", 1)[-1] if urn.count("::") >= 3 else ""
