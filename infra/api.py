"""Services over the landing zone and its audit: what `carelift infra` and `carelift audit` do
before they print, callable from a notebook, a report writer or a test without click.

- `validate(stack)`: the stack file read and validated, with the AI register's warnings.
- `render(stack)`: the program run under Pulumi's mock engine, with the same warnings.
- `audit_input(...)`: the ARM documents to audit, from exactly one of a stack (offline render
  plus its AI register), an ARM file, or a live subscription.

Nothing here prints. A user mistake raises a `infra.errors.CareliftError` (ConfigError,
SourceError, LiveReadError, ...); what a person should read besides the result (warnings, notes,
parts not audited) is returned with it. Pulumi and the Azure SDK are imported inside the calls
that need them, so importing this module stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from infra.config import StackConfig
    from infra.render import Rendering


@dataclass(frozen=True)
class Validated:
    path: Path
    """The stack file that was read."""
    config: StackConfig
    warnings: tuple[str, ...]
    """What the AI register says short of refusing the stack (a review due soon, a model retiring)."""


def validate(stack: str) -> Validated:
    """Read and validate the stack `stack` (a name under stacks/ or a path); ConfigError lists every problem."""
    from infra.ai.governance import enforce
    from infra.render import load_stack_file, stack_file

    path = stack_file(stack)
    _, _, config = load_stack_file(path)
    return Validated(path, config, tuple(enforce(config, str(path))))


@dataclass(frozen=True)
class Rendered:
    rendering: Rendering
    warnings: tuple[str, ...]
    """As in `Validated.warnings`, named after the rendered stack."""


def render(stack: str) -> Rendered:
    """Render `stack` offline under Pulumi's mock engine; ConfigError lists every problem."""
    from infra.ai.governance import enforce
    from infra.render import render_stack_file, stack_file

    rendering = render_stack_file(stack_file(stack))
    return Rendered(rendering, tuple(enforce(rendering.config, f"stack {rendering.stack}")))


@dataclass(frozen=True)
class AuditInput:
    source: str
    """What is audited, as reports name it: "stack prod (offline render)", "t.json (template)", ..."""
    documents: list[dict[str, Any]]
    problems: tuple[Any, ...] = ()
    """Resources that could not be read (each becomes an error finding)."""
    gaps: tuple[Any, ...] = ()
    """Parts of an ARM file not audited (a nested template it cannot see into, ...), with the reason."""
    notes: tuple[str, ...] = ()
    """How an ARM file was read (its shape, parameters used)."""
    warnings: tuple[str, ...] = ()
    """Reads of a live subscription that failed without stopping the audit."""


def audit_input(*, stack: str | None = None, arm_file: Path | None = None, subscription: str | None = None,
                resource_group: str | None = None, parameters_file: Path | None = None,
                location: str | None = None) -> AuditInput:
    """The documents to audit from one source: a stack (with its AI register as documents), an ARM
    file (template, resource list or resource graph export) or a live subscription."""
    if stack:
        from infra.ai.documents import register_documents
        from infra.ai.governance import as_of
        from infra.arm import to_arm_documents
        from infra.render import render_stack_file, stack_file

        rendering = render_stack_file(stack_file(stack))
        register = register_documents(rendering.config.openai.use_cases, as_of())
        return AuditInput(f"stack {rendering.stack} (offline render)", to_arm_documents(rendering) + register)
    if arm_file:
        from infra.compliance.sources import read_arm_file

        source = read_arm_file(arm_file, parameters=parameters_file, location=location)
        return AuditInput(f"{arm_file} ({source.shape})", list(source.documents), tuple(source.problems),
                          tuple(source.gaps), notes=tuple(source.notes))
    if not subscription:
        raise ValueError("audit_input needs a stack, an ARM file or a subscription")
    from infra.compliance.live import read_subscription

    snapshot = read_subscription(subscription, resource_group)
    scope = f"subscription {subscription}" + (f" resource group {resource_group}" if resource_group else "")
    return AuditInput(scope, list(snapshot.documents), warnings=tuple(snapshot.warnings))
