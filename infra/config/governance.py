"""The ``governance`` section: management groups, policy enforcement and the monthly budget."""

from __future__ import annotations

import datetime
import re
from typing import Any

from infra.config.model import Budget, GovernanceConfig
from infra.config.reader import _email_problem, _Reader, _shown

# Azure Landing Zones hierarchy below the root: group suffix -> parent suffix ("" = root).
MANAGEMENT_GROUP_TREE = {
    "platform": "", "platform-management": "platform", "platform-connectivity": "platform",
    "platform-identity": "platform", "landingzones": "", "landingzones-corp": "landingzones",
    "landingzones-clinical": "landingzones", "sandbox": "", "decommissioned": "",
}
# An Azure budget holds five notifications; one is the forecast at 100 %.
MAX_BUDGET_THRESHOLDS = 4
# Azure budgets start in the current month at the earliest and at most twelve months ahead.
MAX_BUDGET_LEAD_MONTHS = 12
# A monthly budget above a billion dollars is a typo (an extra digit group), not a budget.
MAX_BUDGET_AMOUNT = 1_000_000_000


def _parse_governance(r: _Reader, raw: Any, today: datetime.date) -> GovernanceConfig | None:
    key = "governance"
    g = r.mapping(raw, key, ("managementGroups", "rootManagementGroupId", "rootManagementGroupName",
                             "subscriptionManagementGroup", "policyEnforcement", "budget"))
    use_mgs = r.boolean(g, "managementGroups", key, False)
    root_id = root_name = placement = None
    if not use_mgs and g.get("subscriptionManagementGroup") is not None:
        r.fail(f"{key}.subscriptionManagementGroup", "needs governance.managementGroups: true")
    if use_mgs:
        if g.get("subscriptionManagementGroup") is not None:
            placement = r.string(g, "subscriptionManagementGroup", key, choices=tuple(MANAGEMENT_GROUP_TREE))
        root_id = r.string(g, "rootManagementGroupId", key, pattern=re.compile(r"[A-Za-z0-9][A-Za-z0-9_().-]{0,88}[A-Za-z0-9_()-]?"),
                           rule="must be 1-90 letters, digits, -, _, (, ) or . and not end with .")
        root_name = r.string(g, "rootManagementGroupName", key)
    enforcement = r.string(g, "policyEnforcement", key, default="Default", choices=("Default", "DoNotEnforce"))
    budget = None
    if g.get("budget") is not None:
        b = r.mapping(g["budget"], f"{key}.budget", ("amount", "contactEmails", "startDate", "thresholds"))
        amount = b.get("amount")
        if isinstance(amount, bool) or not isinstance(amount, (int, float)) or not 0 < amount <= MAX_BUDGET_AMOUNT:
            r.fail(f"{key}.budget.amount", f"must be a positive number of USD per month, at most "
                                           f"{MAX_BUDGET_AMOUNT:,}; got {_shown(amount)}")
            amount = None
        emails = r.strings(b, "contactEmails", f"{key}.budget", _email_problem)
        if not emails:
            r.fail(f"{key}.budget.contactEmails", "needs at least one e-mail address to alert")
        start = _budget_start(r, b.get("startDate"), f"{key}.budget.startDate", today)
        threshold_items = r.items(b.get("thresholds", [50, 80, 100]), f"{key}.budget.thresholds")
        if len(threshold_items) > MAX_BUDGET_THRESHOLDS:
            r.fail(f"{key}.budget.thresholds", f"Azure budgets allow {MAX_BUDGET_THRESHOLDS} thresholds "
                                               f"besides the 100% forecast alert; got {len(threshold_items)}")
        thresholds = []
        for i, t in enumerate(threshold_items):
            if isinstance(t, bool) or not isinstance(t, int) or not 1 <= t <= 1000:
                r.fail(f"{key}.budget.thresholds[{i}]", f"must be a percentage between 1 and 1000, got {_shown(t)}")
            else:
                thresholds.append(t)
        if amount is not None and start is not None:
            budget = Budget(float(amount), emails, start, tuple(sorted(set(thresholds))),
                            start_date_given=b.get("startDate") is not None)
    return GovernanceConfig(use_mgs, root_id, root_name, enforcement or "Default", budget, placement)


def _budget_start(r: _Reader, value: Any, key: str, today: datetime.date) -> str | None:
    """The budget's first day: the one given, or the first day of the deploy month.

    Azure accepts the current month or up to twelve months ahead, so a fixed date in a
    stack file goes stale; leaving it out keeps the stack deployable.
    """
    this_month = today.replace(day=1)
    if value is None:
        return this_month.isoformat()
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):  # read by a YAML loader that makes dates
        value = value.isoformat()
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        r.fail(key, f"must be a date YYYY-MM-01, or left out to start in the deploy month; got {_shown(value)}")
        return None
    try:
        start = datetime.date.fromisoformat(value)
    except ValueError:
        r.fail(key, f"is not a real date; got {_shown(value)}")
        return None
    if start.day != 1:
        r.fail(key, f"must be the first day of a month, YYYY-MM-01 (Azure budgets start on one); got {_shown(value)}")
        return None
    if start < this_month:
        r.fail(key, f"{value} is before the current month ({this_month:%Y-%m}) and Azure rejects a budget "
                    "that starts in a past month; remove startDate to start in the month of deployment")
        return None
    months_ahead = (start.year - this_month.year) * 12 + start.month - this_month.month
    if months_ahead > MAX_BUDGET_LEAD_MONTHS:
        r.fail(key, f"{value} is {months_ahead} months ahead; Azure allows at most {MAX_BUDGET_LEAD_MONTHS}")
        return None
    return value
