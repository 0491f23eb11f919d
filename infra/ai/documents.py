"""The register as ARM-shaped pseudo-documents, so the audit's one engine can judge it.

An audit sees resources; the register is not one. Each use case becomes a document of the
pseudo-type ``Carelift.AI/useCases`` (like the engine's subscription pseudo-resource) that the
AI controls read beside the deployments. They are added to audit inputs only, never to a template
export. ``--ai-register FILE`` reads a YAML file holding ``useCases:`` (the stack's shape), or a
stack file's ``carelift:openai.useCases``, for ``--arm`` and live audits. Beside ``useCases:`` such a
file may hold ``entraGroups:`` (in a stack file, ``carelift:entraGroups``): the object ids of the
register's groups, which CL-AI-024 matches against the groups a gateway product is granted to.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import yaml

from infra.ai.register import UseCase, parse_use_cases, with_group_ids
from infra.errors import CareliftError

USE_CASE_TYPE = "Carelift.AI/useCases"


def register_documents(use_cases: tuple[UseCase, ...], as_of: datetime.date) -> list[dict[str, Any]]:
    return [{"type": USE_CASE_TYPE, "id": f"/providers/{USE_CASE_TYPE}/{u.id}", "name": u.id,
             "properties": {**u.to_json(), "asOf": as_of.isoformat(), "clinical": u.clinical, "pinned": u.pinned}}
            for u in use_cases]


class RegisterFileError(CareliftError):
    """The register file cannot be used; ``problems`` name each key."""

    def __init__(self, path: str, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: {len(problems)} problem(s) in the AI register")


def read_register_file(path: Path, text: str) -> tuple[UseCase, ...]:
    """Use cases from a register file's text (``useCases:`` list; deployments are checked by the audit)."""
    from infra.config import _Reader
    from infra.config.entra import _parse_entra_groups

    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise RegisterFileError(str(path), [f"is not valid YAML: {getattr(error, 'problem', error)}"]) from None
    key, groups_raw = "useCases", raw.get("entraGroups") if isinstance(raw, dict) else None
    if isinstance(raw, dict) and isinstance(raw.get("config"), dict):  # a stack file: its openai.useCases
        groups_raw = raw["config"].get("carelift:entraGroups")
        raw = raw["config"].get("carelift:openai")
        key = "openai.useCases"
    if not isinstance(raw, dict) or "useCases" not in raw:
        raise RegisterFileError(str(path), ["needs a top-level useCases: list (the stack's openai.useCases shape), "
                                            "or a stack file with carelift:openai.useCases"])
    reader = _Reader()
    use_cases = parse_use_cases(reader, raw["useCases"], key, None)
    groups = _parse_entra_groups(reader, groups_raw)
    if reader.issues:
        raise RegisterFileError(str(path), [str(i).removeprefix("carelift:") for i in reader.issues])
    return with_group_ids(use_cases, dict(groups.groups) if groups else {})
