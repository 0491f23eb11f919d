"""What `carelift ai` shows of a stack's AI use cases: the register's rows with their review state,
and a use case's CHAI Applied Model Card. Pure: the stack config in, data or text out."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from infra.ai.card import CardContext, CardError, card_html, card_xml
from infra.ai.governance import deployment_facts
from infra.ai.register import pinned, safety_tier
from infra.config import StackConfig
from infra.errors import CareliftError

REVIEW_SOON_DAYS = 30
"""An approved use case whose review falls due within this many days is flagged "due soon"."""


@dataclass(frozen=True)
class RegisterRow:
    id: str
    name: str
    status: str
    risk: str
    data: str
    owner: str
    deployment: str
    quota: int
    review_due: str
    review: str
    """in date, due soon, overdue, or - (not approved)."""
    users: str = ""
    """The intendedUsers groups, each unmapped one marked "(no object id)": the gateway grants the use case's
    product only to groups ``entraGroups`` maps (a use case in force with an unmapped group is refused)."""


def register_rows(config: StackConfig, today: datetime.date) -> list[RegisterRow]:
    """One row per use case of the stack's register, in register order."""
    rows = []
    for u in config.openai.use_cases:
        if u.status != "approved" or u.review_due is None:
            review = "-"
        elif u.review_due < today:
            review = "overdue"
        elif (u.review_due - today).days <= REVIEW_SOON_DAYS:
            review = "due soon"
        else:
            review = "in date"
        rows.append(RegisterRow(u.id, u.name, u.status, u.risk_level, u.data_classification, u.business_owner,
                                u.deployment, u.tokens_per_minute,
                                u.review_due.isoformat() if u.review_due else "", review,
                                users=", ".join(g if g not in u.unmapped_groups else f"{g} (no object id)"
                                                for g in u.intended_users)))
    return rows


class UnknownUseCase(CareliftError):
    """A use case id the stack's register does not hold; the problem lists the ones it does."""

    def __init__(self, config: StackConfig, use_case: str, known: list[str]):
        self.title = f"stack {config.stack} has no AI use case {use_case!r}"
        self.problems = (f"known: {', '.join(sorted(known)) or 'none (openai.useCases is empty)'}",)
        super().__init__(self.title)


def model_card(config: StackConfig, use_case: str, fmt: str) -> str:
    """The use case's card as CHAI XML (`fmt` "xml") or a printable page ("html"). UnknownUseCase, or a
    CardError naming each key the register lacks."""
    cases = {u.id: (i, u) for i, u in enumerate(config.openai.use_cases)}
    if use_case not in cases:
        raise UnknownUseCase(config, use_case, list(cases))
    index, found = cases[use_case]
    ctx = CardContext(
        organization=config.governance.root_management_group_name or config.organization,
        location=config.openai.location, deployment=deployment_facts(config.openai)[found.deployment],
        tier=safety_tier(config.openai.use_cases, found.deployment),
        pinned=pinned(config.openai.use_cases, found.deployment), gateway=False,
        key=f"carelift:openai.useCases[{index}]")
    try:
        return card_xml(found, ctx) if fmt == "xml" else card_html(found, ctx)
    except CardError as error:
        error.title = f"stack {config.stack}: use case {use_case!r} lacks facts its model card needs"
        raise
