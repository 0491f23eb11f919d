"""Services over the landing zone and its audit: what `carelift infra` and `carelift audit` do
before they print, callable from a notebook, a report writer or a test without click.

- `stack_config(stack)`: the stack file read and validated (the AI register not judged).
- `validate(stack)`: the same, with the AI register judged: its errors refused, its warnings returned.
- `render(stack)`: the program run under Pulumi's mock engine, with the same warnings.
- `export_arm(stack)`: the ARM deployment template of the stack, as `infra export-arm` writes it
  (`exported(rendered)` for a stack already rendered).
- `audit_input(...)`: the ARM documents to audit, from exactly one of a stack (offline render
  plus its AI register; `stack_input(rendering)` for one already rendered), an ARM file, or a live
  subscription.
- `run_audit(loaded, ...)`: the catalog evaluated on them, with an AI register file and waivers.
- `evidence_inputs(...)` and `write_evidence(...)`: the evidence bundle of an audit.

Nothing here prints. A user mistake raises a `infra.errors.CareliftError` (ConfigError,
SourceError, LiveReadError, ...); what a person should read besides the result (warnings, notes,
parts not audited) is returned with it. Pulumi and the Azure SDK are imported inside the calls
that need them, so importing this module stays cheap.
"""

from __future__ import annotations

import datetime
import json
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from infra import clock
from infra.errors import CareliftError

if TYPE_CHECKING:
    from infra.compliance.engine import AuditResult
    from infra.compliance.model import Control
    from infra.compliance.outputs import AuditMeta
    from infra.config import StackConfig
    from infra.render import Rendering

Stage = Callable[[str], AbstractContextManager[Any]]
"""Shows a long step while it runs (the CLI's progress display); by default nothing is shown."""


def _quiet(_: str) -> AbstractContextManager[Any]:
    return nullcontext()


@dataclass(frozen=True)
class Validated:
    path: Path
    """The stack file that was read."""
    config: StackConfig
    warnings: tuple[str, ...]
    """What the AI register says short of refusing the stack (a review due soon, a model retiring)."""


def stack_config(stack: str) -> StackConfig:
    """The stack's config, read and validated, without judging its AI register (so a register the
    governance rules refuse can still be listed and carded); ConfigError lists every problem."""
    from infra.render import load_stack_file, stack_file

    _, _, config = load_stack_file(stack_file(stack))
    return config


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
    return Rendered(rendering, tuple(enforce(_config(rendering), f"stack {rendering.stack}")))


def _config(rendering: Rendering) -> StackConfig:
    """The validated config a stack file's render always carries (a bare `render()` call may not)."""
    if rendering.config is None:
        raise ValueError(f"the render of stack {rendering.stack} carries no config")
    return rendering.config


class ExportError(CareliftError):
    """A rendered resource the ARM template cannot hold (a type without a row in infra.arm.types)."""

    def __init__(self, title: str, cause: Exception):
        self.title, self.problems = title, (str(cause),)
        super().__init__(f"{title}: {cause}")


@dataclass(frozen=True)
class Exported:
    stack: str
    template: dict[str, Any]
    """The ARM deployment template (`infra.arm.export_template`)."""
    warnings: tuple[str, ...]
    """As in `Validated.warnings`."""

    def text(self) -> str:
        """The template as `infra export-arm` writes it."""
        return json.dumps(self.template, indent=2) + "\n"


def export_arm(stack: str, *, stage: Stage = _quiet) -> Exported:
    """Render `stack` offline and write it as an ARM deployment template that scanners read."""
    with stage(f"rendering stack {stack} under Pulumi's mock engine"):
        rendered = render(stack)
    return exported(rendered)


def exported(rendered: Rendered) -> Exported:
    """The ARM deployment template of a stack already rendered (see `export_arm`)."""
    from infra.arm import ArmTranslationError, export_template

    try:
        template = export_template(rendered.rendering)
    except ArmTranslationError as error:
        raise ExportError(f"stack {rendered.rendering.stack}: cannot express a resource as ARM", error) from error
    return Exported(rendered.rendering.stack, template, rendered.warnings)


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
        from infra.render import render_stack_file, stack_file

        return stack_input(render_stack_file(stack_file(stack)))
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


def stack_input(rendering: Rendering) -> AuditInput:
    """The documents of a rendered stack to audit: its resources and its AI register's use cases."""
    from infra.ai.documents import register_documents
    from infra.ai.governance import as_of
    from infra.arm import to_arm_documents

    register = register_documents(_config(rendering).openai.use_cases, as_of())
    return AuditInput(f"stack {rendering.stack} (offline render)", to_arm_documents(rendering) + register)


@dataclass(frozen=True)
class AuditRun:
    source: str
    documents: list[dict[str, Any]]
    """What was evaluated: the input's documents, plus the AI register file's use cases."""
    controls: tuple[Control, ...]
    result: AuditResult


def run_audit(loaded: AuditInput, *, ai_register: Path | None = None, waivers: Path | None = None,
              max_waiver_days: int = 365, allow_empty: bool = False, today: datetime.date | None = None,
              warn: Callable[[str], None] = lambda _: None, stage: Stage = _quiet) -> AuditRun:
    """Evaluate the catalog on `loaded`, with the use cases of an `ai_register` file and `waivers`.

    Raises CareliftError for nothing to audit (no resource, or none of a type a control checks,
    unless `allow_empty`), an unreadable register file and invalid waivers (WaiverError). Each
    waiver warning goes to `warn` as it is found.
    """
    from infra.compliance.catalog import all_controls
    from infra.compliance.engine import evaluate

    # The audit day (CARELIFT_AS_OF) is read by controls whose Azure defaults change by date: a bad value
    # is the user's mistake (ConfigError naming the variable), not an error finding raised by each check.
    clock.today()
    documents, problems, gaps = loaded.documents, loaded.problems, loaded.gaps
    if not documents and not problems and not allow_empty:
        raise CareliftError(
            f"nothing to audit: {loaded.source} holds no resources"
            + (f" ({len(gaps)} part(s) not audited: {'; '.join(g.reason for g in gaps[:3])})" if gaps else "")
            + "; pass --allow-empty to accept an empty input")
    if ai_register:
        documents = documents + register_file_documents(ai_register)
    waiver_list = _load_waivers(waivers, max_waiver_days, today, warn) if waivers else ()
    controls = all_controls()
    with stage(f"evaluating {len(controls)} controls on {len(documents):,} resources"):
        result = evaluate(documents, controls, waiver_list, problems=problems, not_audited=gaps)
    if not result.findings and not allow_empty:
        # Resources, but none of a type any control checks: a CI gate must not pass on no evidence either.
        raise CareliftError(
            f"nothing to audit: none of the {len(documents):,} resource(s) in {loaded.source} is of a type the "
            "catalog checks (`carelift audit controls` lists them); pass --allow-empty to accept that")
    return AuditRun(loaded.source, documents, controls, result)


def register_file_documents(path: Path) -> list[dict[str, Any]]:
    """The use cases of an AI register file (useCases:) as the pseudo-documents the AI controls read."""
    from infra.ai.documents import read_register_file, register_documents
    from infra.inputs import InputFileError, read_input_text

    try:  # a RegisterFileError names each problem by key
        use_cases = read_register_file(path, read_input_text(path))
    except (InputFileError, OSError) as error:
        raise CareliftError(f"cannot read {path}: {getattr(error, 'strerror', None) or error}") from error
    return register_documents(use_cases, clock.today())


def _load_waivers(path: Path, max_term_days: int, today: datetime.date | None, warn: Callable[[str], None]):
    from infra.compliance.waivers import load_waivers

    warnings: list[str] = []
    waivers = load_waivers(path, today=today or clock.today(), warnings=warnings,
                           max_term_days=max_term_days)  # a WaiverError names each entry and key
    for warning in warnings:
        warn(warning)
    return waivers


def evidence_inputs(*, stack: str | None = None, arm_file: Path | None = None, waivers: Path | None = None,
                    parameters_file: Path | None = None) -> list[Any]:
    """The audited file (with its parameters file) and the waiver file, bundled verbatim and hashed
    in the evidence manifest (`infra.compliance.outputs.evidence.EvidenceInput`s)."""
    from infra.compliance.outputs.evidence import EvidenceInput
    from infra.config import ConfigError
    from infra.inputs import InputFileError, read_input_bytes
    from infra.render import stack_file

    named = []
    if arm_file:
        named.append(("input", arm_file))
    elif stack:
        try:
            named.append(("input", stack_file(stack)))
        except ConfigError:
            pass  # the audit itself already read it
    if parameters_file:
        named.append(("parameters", parameters_file))
    if waivers:
        named.append(("waivers", waivers))
    inputs = []
    for role, path in named:
        try:
            inputs.append(EvidenceInput(role, str(path), read_input_bytes(path)))
        except (InputFileError, OSError) as error:
            raise CareliftError(f"cannot read {path} for the evidence bundle: {error.strerror or error}") from error
    return inputs


REPORT_FILES = {"json": "report.json", "sarif": "report.sarif", "junit": "report.junit.xml",
                "html": "report.html", "oscal": "report.oscal.json"}
"""The report formats of `infra.compliance.outputs` and their names in an evidence bundle."""


def write_evidence(directory: Path, run: AuditRun, meta: AuditMeta, inputs: list[Any]) -> dict[str, str]:
    """The evidence bundle of `run`: documents, results, every report format, the inputs and a
    SHA-256 manifest (EvidenceError when nothing can be left at `directory`)."""
    from infra.compliance import outputs
    from infra.compliance.outputs.evidence import write_evidence as write_bundle

    reports = {name: outputs.render(fmt, run.result, run.controls, meta) for fmt, name in REPORT_FILES.items()}
    return write_bundle(directory, run.documents, run.result, reports, meta, inputs=inputs)
