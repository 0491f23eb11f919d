"""Warnings a plan carries about its evidence and its own shape (plan JSON `warnings`).

Each warning is `{code, message, figures}`: a stable code a report can sort or filter on, one
sentence for a reader, and the figures it was judged on. None of them stops the plan.

Evidence:
- `dependency-window-stale`: the dependency data was last observed more than
  `dependency_window.max_age_months` before `start_date` — the estate has moved on since.
- `dependency-window-short`: it covers fewer than `dependency_window.min_days` days — weekly
  batches, month-end jobs and on-call paths are missing. (A retirement of an idle server on such
  data says so in its rule: `strategy.R-RETIRE-IDLE-POC`.)
Shape (thresholds under `sanity`):
- `horizon`: the last cutover is more than `sanity.horizon_months` after `start_date`;
- `too-many-waves`: more migration waves than `sanity.max_waves`;
- `start-in-past`: `start_date` is before the day the plan was made (only when the caller says
  which day that is: plans of a future start stay byte-identical whatever the day);
- `blackouts`: blackout dates cover more than `sanity.max_blackout_share` of the plan's calendar
  (from `start_date` to the last cutover).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from migrate.planning.settings import PlanSettings


@dataclass(frozen=True)
class PlanWarning:
    code: str
    message: str
    figures: Mapping[str, Any] = field(default_factory=dict)

    def document(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "figures": dict(self.figures)}


def day_of(value: str | None) -> datetime.date | None:
    """The date of an observation time stamp as the importers store it (ISO date or date-time)."""
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months earlier (clamped to the month's last day)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return min(day.replace(year=year, month=month, day=1) + datetime.timedelta(days=day.day - 1),
               following - datetime.timedelta(days=1))


def dependency_window(first_seen: str | None, last_seen: str | None,
                      settings: PlanSettings) -> list[PlanWarning]:
    """Stale or short dependency data, judged against `start_date` (nothing when no dates are known)."""
    first, last = day_of(first_seen), day_of(last_seen)
    if first is None or last is None:
        return []
    start = datetime.date.fromisoformat(settings.start_date)
    window = settings.dependency_window
    out = []
    figures = {"first_seen": first.isoformat(), "last_seen": last.isoformat(), "start_date": settings.start_date}
    if last < months_before(start, window.max_age_months):
        out.append(PlanWarning(
            "dependency-window-stale",
            f"the dependency data was last observed on {last}, more than {window.max_age_months} months before the "
            f"plan starts ({settings.start_date}; dependency_window.max_age_months): collect a fresh window before "
            "trusting its move groups and idle servers", {**figures, "max_age_months": window.max_age_months}))
    days = (last - first).days + 1
    if days < window.min_days:
        out.append(PlanWarning(
            "dependency-window-short",
            f"the dependency data covers {days} day{'s' if days != 1 else ''} ({first} to {last}), fewer than "
            f"{window.min_days} (dependency_window.min_days): weekly and month-end traffic may be missing",
            {**figures, "days": days, "min_days": window.min_days}))
    return out


def window_caveat(first_seen: str | None, last_seen: str | None, settings: PlanSettings) -> str | None:
    """What a decision resting on the dependency data must add when that data is stale or short."""
    found = dependency_window(first_seen, last_seen, settings)
    if not found:
        return None
    what = " and ".join("stale" if w.code.endswith("stale") else "short" for w in found)
    return f"the dependency window is {what} ({found[0].figures['first_seen']} to {found[0].figures['last_seen']}): " \
           "confirm with its owner that it is unused"


def plan_shape(wave_numbers: Iterable[int], last_cutover: str | None, settings: PlanSettings,
               today: datetime.date | None = None) -> list[PlanWarning]:
    """Warnings about the plan's calendar and number of waves."""
    sanity = settings.sanity
    start = datetime.date.fromisoformat(settings.start_date)
    out = []
    migration_waves = sum(1 for n in set(wave_numbers) if n > 0)
    end = datetime.date.fromisoformat(last_cutover[:10]) if last_cutover else None
    if end is not None:
        horizon = _months_after(start, sanity.horizon_months)
        if end > horizon:
            out.append(PlanWarning(
                "horizon", f"the last cutover ({end}) is more than {sanity.horizon_months} months after the start "
                           f"({settings.start_date}; sanity.horizon_months): raise the wave limits or plan fewer "
                           "servers", {"start_date": settings.start_date, "last_cutover": end.isoformat(),
                                       "horizon_months": sanity.horizon_months}))
    if migration_waves > sanity.max_waves:
        out.append(PlanWarning(
            "too-many-waves", f"{migration_waves} migration waves, more than a team can run at one cadence "
                              f"(sanity.max_waves {sanity.max_waves}): raise the wave limits",
            {"migration_waves": migration_waves, "max_waves": sanity.max_waves}))
    if today is not None and start < today:
        out.append(PlanWarning(
            "start-in-past", f"start_date {settings.start_date} is before the day the plan was made ({today}): "
                             "its first waves cannot happen as dated",
            {"start_date": settings.start_date, "planned_on": today.isoformat()}))
    if end is not None and settings.blackout_dates:
        total = (end - start).days + 1
        covered: set[int] = set()  # day ordinals
        for first, last in settings.blackout_dates:
            a = max(start, datetime.date.fromisoformat(first))
            b = min(end, datetime.date.fromisoformat(last))
            covered.update(range(a.toordinal(), b.toordinal() + 1))
        share = len(covered) / total if total > 0 else 0.0
        if share > sanity.max_blackout_share:
            out.append(PlanWarning(
                "blackouts", f"blackout dates cover {len(covered)} of the plan's {total} days ({share:.0%}, more than "
                             f"sanity.max_blackout_share {sanity.max_blackout_share:.0%}): cutovers crowd into what "
                             "is left", {"blackout_days": len(covered), "calendar_days": total,
                                         "share": round(share, 3)}))
    return out


def _months_after(day: datetime.date, months: int) -> datetime.date:
    return months_before(day, -months)
