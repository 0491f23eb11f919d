"""Content safety by clinical risk level: the weakest RAI policy each risk level may run under.

Azure OpenAI content filters block a harm category at a severity threshold: ``Low`` blocks low,
medium and high severity (strictest), ``Medium`` blocks medium and high, ``High`` blocks only high.
Prompt shields (``Jailbreak`` on prompts, ``Indirect Attack`` on documents placed in the prompt)
and protected-material detection (``Protected Material Text``/``Code`` on completions) are on/off.

A deployment serves every use case that references it, so it gets the policy of the riskiest one:
a high-risk clinical use case can never run under a weaker policy than this table says.
"""

from __future__ import annotations

from dataclasses import dataclass

RISK_LEVELS = ("low", "medium", "high")
HARM_CATEGORIES = ("Hate", "Sexual", "Selfharm", "Violence")
SOURCES = ("Prompt", "Completion")
THRESHOLD_STRICTNESS = {"low": 3, "medium": 2, "high": 1}
"""Higher is stricter: a ``Low`` threshold blocks the most content."""


@dataclass(frozen=True)
class ContentFilter:
    """One entry of an RAI policy: a harm category blocked at a severity threshold, or an on/off shield."""
    name: str
    source: str
    """``Prompt`` or ``Completion``."""
    severity_threshold: str | None = None
    """Harm categories only; shields have none."""
    enabled: bool = True
    blocking: bool = True

    def to_arm(self) -> dict[str, object]:
        """The entry as ARM's ``contentFilters`` spells it."""
        entry: dict[str, object] = {"name": self.name, "source": self.source, "enabled": self.enabled,
                                    "blocking": self.blocking}
        if self.severity_threshold is not None:
            entry["severityThreshold"] = self.severity_threshold
        return entry


@dataclass(frozen=True)
class SafetyTier:
    risk_level: str
    harm_threshold: str
    """Severity threshold for hate, sexual, self-harm and violence, on prompts and completions."""
    jailbreak: bool
    indirect_attack: bool
    protected_material: bool

    @property
    def policy_suffix(self) -> str:
        return f"{self.risk_level}-risk"

    def filters(self) -> tuple[ContentFilter, ...]:
        """The RAI policy's content filters (what the program deploys)."""
        shields = (("Jailbreak", "Prompt", self.jailbreak), ("Indirect Attack", "Prompt", self.indirect_attack),
                   ("Protected Material Text", "Completion", self.protected_material),
                   ("Protected Material Code", "Completion", self.protected_material))
        return (*(ContentFilter(category, source, self.harm_threshold)
                  for category in HARM_CATEGORIES for source in SOURCES),
                *(ContentFilter(name, source) for name, source, wanted in shields if wanted))

    def content_filters(self) -> list[dict[str, object]]:
        """The RAI policy's ``contentFilters`` in ARM shape."""
        return [f.to_arm() for f in self.filters()]

    def describe(self) -> str:
        shields = [name for name, on in (("jailbreak", self.jailbreak), ("indirect attack", self.indirect_attack),
                                         ("protected material", self.protected_material)) if on]
        return (f"blocks hate, sexual, self-harm and violence at {self.harm_threshold.lower()} severity and above "
                f"in prompts and completions; shields: {', '.join(shields)}")


TIERS = {
    "low": SafetyTier("low", "Medium", jailbreak=True, indirect_attack=False, protected_material=True),
    "medium": SafetyTier("medium", "Medium", jailbreak=True, indirect_attack=True, protected_material=True),
    "high": SafetyTier("high", "Low", jailbreak=True, indirect_attack=True, protected_material=True),
}


def tier_for(risk_levels: list[str] | tuple[str, ...]) -> SafetyTier:
    """The tier of the riskiest level given (low when none: a deployment with no use case is refused elsewhere)."""
    rank = max((RISK_LEVELS.index(level) for level in risk_levels), default=0)
    return TIERS[RISK_LEVELS[rank]]


def shortfalls(tier: SafetyTier, content_filters: list[dict]) -> list[str]:
    """What an RAI policy's filters lack against ``tier``; empty when at least as strict.

    Names and enum values compare case- and space-insensitively, as ARM does.
    """
    def norm(value: object) -> str:
        return "".join(str(value or "").lower().split())

    def blocking(entry: dict) -> bool:
        return str(entry.get("enabled")).lower() == "true" and str(entry.get("blocking")).lower() == "true"

    entries = [e for e in content_filters if isinstance(e, dict)]
    missing = []
    wanted = THRESHOLD_STRICTNESS[tier.harm_threshold.lower()]
    for category in HARM_CATEGORIES:
        for source in SOURCES:
            ok = any(norm(e.get("name")) == norm(category) and norm(e.get("source")) == norm(source) and blocking(e)
                     and THRESHOLD_STRICTNESS.get(norm(e.get("severityThreshold")), 0) >= wanted
                     for e in entries)
            if not ok:
                missing.append(f"{category.lower()} in {source.lower()}s at {tier.harm_threshold.lower()} severity")
    for name, source, wanted_on in (("Jailbreak", "Prompt", tier.jailbreak),
                                    ("Indirect Attack", "Prompt", tier.indirect_attack),
                                    ("Protected Material Text", "Completion", tier.protected_material),
                                    ("Protected Material Code", "Completion", tier.protected_material)):
        if wanted_on and not any(norm(e.get("name")) == norm(name) and norm(e.get("source")) == norm(source)
                                 and blocking(e) for e in entries):
            missing.append(f"{name.lower()} blocking")
    return missing
