"""The ``landing`` section: where the plan's servers land (placement rules) and the Azure Migrate
project that moves them."""

from __future__ import annotations

from typing import Any

from infra.config.model import DATA_CLASSIFICATIONS, AzureMigrateProject, LandingConfig, PlacementRule
from infra.config.reader import GUID, _Reader, _shown

PLACEMENT_MATCH = ("applications", "environments", "tiers", "dataClassifications", "strategies")
STRATEGIES = ("rehost", "replatform", "refactor", "rearchitect", "repurchase", "relocate", "retain", "retire")


def _parse_placement(r: _Reader, raw: Any, key: str, index: int | None) -> PlacementRule | None:
    p = r.mapping(raw, key, ("name", "spoke", "subnet", *PLACEMENT_MATCH))
    name = p.get("name") if index is None else r.string(p, "name", key)
    spoke, subnet = r.string(p, "spoke", key), r.string(p, "subnet", key)
    tiers = []
    for i, tier in enumerate(r.items(p.get("tiers"), f"{key}.tiers")):
        if isinstance(tier, bool) or not isinstance(tier, int) or not 0 <= tier <= 3:
            r.fail(f"{key}.tiers[{i}]", f"must be a tier 0-3; got {_shown(tier)}")
        else:
            tiers.append(tier)
    classes = r.strings(p, "dataClassifications", key,
                        lambda v: None if v in DATA_CLASSIFICATIONS else f"must be one of {', '.join(DATA_CLASSIFICATIONS)}")
    strategies = r.strings(p, "strategies", key,
                           lambda v: None if v in STRATEGIES else f"must be one of {', '.join(STRATEGIES)}")
    criteria = [p.get(k) for k in PLACEMENT_MATCH if p.get(k)]
    if index is not None and not criteria:
        r.fail(key, "matches every server: give at least one of " + ", ".join(PLACEMENT_MATCH)
                    + " (or use landing.default)")
    if index is None and criteria:
        r.fail(key, "the default places every server no rule matched; it takes no match criteria")
    if not (spoke and subnet) or (index is not None and not name):
        return None
    return PlacementRule(str(name or "default"), spoke, subnet, applications=r.strings(p, "applications", key),
                         environments=r.strings(p, "environments", key), tiers=tuple(tiers),
                         data_classifications=classes, strategies=strategies)


def _parse_landing(r: _Reader, raw: Any) -> LandingConfig | None:
    """Placement rules are checked for shape here; whether their spokes exist is the plan's question
    (`carelift plan landing` proposes the missing ones)."""
    if raw is None:
        return None
    key = "landing"
    lc = r.mapping(raw, key, ("rules", "default", "headroomPercent", "growthPercent", "azureMigrate",
                              "completedWave"))
    rules, names = [], set()
    for i, item in enumerate(r.items(lc.get("rules"), f"{key}.rules")):
        rule = _parse_placement(r, item, f"{key}.rules[{i}]", i)
        if rule and rule.name in names:
            r.fail(f"{key}.rules[{i}].name", f"duplicates another rule named {rule.name!r}")
        elif rule:
            names.add(rule.name)
            rules.append(rule)
    default = _parse_placement(r, lc["default"], f"{key}.default", None) if lc.get("default") is not None else None
    headroom = r.integer(lc, "headroomPercent", key, default=20, minimum=0, maximum=90)
    growth = r.integer(lc, "growthPercent", key, default=50, minimum=0, maximum=500)
    project = None
    if lc.get("azureMigrate") is not None:
        mk = f"{key}.azureMigrate"
        m = r.mapping(lc["azureMigrate"], mk, ("subscriptionId", "resourceGroup", "project", "assessment"))
        sub = r.string(m, "subscriptionId", mk, pattern=GUID, rule="must be a subscription GUID")
        group = r.string(m, "resourceGroup", mk)
        name = r.string(m, "project", mk)
        assessment = r.string(m, "assessment", mk) if m.get("assessment") is not None else None
        if sub and group and name:
            project = AzureMigrateProject(sub, group, name, assessment)
    completed = (r.integer(lc, "completedWave", key, minimum=0, maximum=999)
                 if lc.get("completedWave") is not None else None)
    return LandingConfig(tuple(rules), default, headroom or 0, growth or 0, project, completed)
