"""Spend beyond the monthly run-rate: one-time migration cost per wave and cumulative spend by month.

Every figure is an estimate from the plan's price snapshot and calendar (plan JSON `spend`, with
its inputs beside it). Per migrated server of wave w, with its Azure costs from the assessment:
- *replication storage*: the target managed disks exist in Azure from the wave's start until its
  cutover (replication seeds and keeps them in sync): the server's monthly storage cost for
  those days;
- *test migration*: `spend.test_migration_hours` of the server's pay-as-you-go compute (a test
  failover before the cutover), in the cutover's month;
- *run-rate*: its monthly cost (the settings' pricing option) from the cutover on.
*Dual running* is the part of the run-rate paid while the on-premises estate still runs — from
each server's cutover until the last cutover (the data centre cannot be switched off before):
Azure's side of the hybrid period, paid on top of the on-premises costs carelift does not know.
It is part of the run-rate, not added to it. Money is per day (monthly × 12 / 365); months run
from `start_date`'s month to the last cutover's.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any, Iterable, Mapping

from migrate.planning.model import ServerAssessment, WaveDates
from migrate.planning.settings import PlanSettings

DAYS_PER_MONTH = 365 / 12


def migration_spend(wave_of_server: Mapping[str, int], assessments: Mapping[str, ServerAssessment],
                    dates: Iterable[WaveDates], settings: PlanSettings, hours_per_month: float,
                    snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """The plan JSON's `spend` section."""
    when = {d.number: (datetime.date.fromisoformat(d.start), datetime.date.fromisoformat(d.cutover[:10]))
            for d in dates}
    hours = settings.spend.test_migration_hours
    per_wave: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0])
    """wave -> [storage per month, test migration, run-rate per month, servers]."""
    for name, wave in wave_of_server.items():
        cost = assessments[name].cost
        totals = per_wave[wave]
        totals[0] += cost.storage
        totals[1] += cost.compute_payg / hours_per_month * hours if hours_per_month else 0.0
        totals[2] += cost.monthly
        totals[3] += 1
    waves: list[dict[str, Any]] = []
    # date -> change of the daily run-rate, of the daily replication storage, and one-time amounts that day
    rate_changes: defaultdict[datetime.date, float] = defaultdict(float)
    storage_changes: defaultdict[datetime.date, float] = defaultdict(float)
    lumps: defaultdict[datetime.date, float] = defaultdict(float)
    for number in sorted(per_wave):
        if number not in when:
            continue
        start, cutover = when[number]
        storage, test, monthly, servers = per_wave[number]
        days = max(0, (cutover - start).days)
        replication = storage / DAYS_PER_MONTH * days
        waves.append({"number": number, "servers": servers, "replication_days": days,
                      "replication_storage": _usd(replication), "test_migration_compute": _usd(test),
                      "one_time": _usd(replication + test), "monthly_run_rate_after_cutover": _usd(monthly)})
        storage_changes[start] += storage / DAYS_PER_MONTH
        storage_changes[cutover] -= storage / DAYS_PER_MONTH
        rate_changes[cutover] += monthly / DAYS_PER_MONTH
        lumps[cutover] += test
    months = _months(when, rate_changes, storage_changes, lumps, settings)
    return {
        "estimate": True,
        "what": "estimated Azure spend of the migration: one-time replication storage and test migrations per "
                "wave, the monthly run-rate from each cutover, and cumulative spend by month; on-premises costs "
                "are not included",
        "inputs": {"price_snapshot_date": snapshot.get("snapshot_date"), "region": snapshot.get("region"),
                   "currency": snapshot.get("currency"), "pricing_option": settings.pricing.option,
                   "hybrid_benefit": settings.pricing.hybrid_benefit, "hours_per_month": hours_per_month,
                   "test_migration_hours": hours, "days_per_month": round(DAYS_PER_MONTH, 4),
                   "replication": "each server's target managed disks, priced from its wave's start to its cutover",
                   "dual_running": "run-rate paid between each cutover and the last cutover, while the on-premises "
                                   "estate still runs (part of the run-rate, not added to it)"},
        "waves": waves,
        "months": months,
        "one_time_total": _usd(sum(w["one_time"] for w in waves)),
        "total_to_last_cutover": months[-1]["cumulative"] if months else 0.0,
    }


def _months(when, rate_changes, storage_changes, lumps, settings: PlanSettings) -> list[dict[str, Any]]:
    if not when:
        return []
    first = datetime.date.fromisoformat(settings.start_date).replace(day=1)
    last_cutover = max(cutover for _, cutover in when.values())
    events = sorted(set(rate_changes) | set(storage_changes) | set(lumps))
    out, rate, storage, cumulative, k = [], 0.0, 0.0, 0.0, 0
    month = first
    while month <= last_cutover:
        following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        run = replication = one_off = dual = 0.0
        day = month
        # Walk the month's change days: between two of them the daily rates are constant.
        while k < len(events) and events[k] < month:  # changes before the first month (none in practice)
            rate += rate_changes[events[k]]
            storage += storage_changes[events[k]]
            one_off += lumps[events[k]]
            k += 1
        while True:
            upto = events[k] if k < len(events) and events[k] < following else following
            span = (upto - day).days
            run += rate * span
            replication += storage * span
            dual += rate * max(0, (min(upto, last_cutover) - day).days) if day < last_cutover else 0.0
            if upto == following:
                break
            rate += rate_changes[upto]
            storage += storage_changes[upto]
            one_off += lumps[upto]
            day = upto
            k += 1
        spent = run + replication + one_off
        cumulative += spent
        out.append({"month": month.isoformat()[:7], "run_rate": _usd(run), "one_time": _usd(replication + one_off),
                    "dual_running": _usd(dual), "total": _usd(spent), "cumulative": _usd(cumulative)})
        month = following
    return out


def _usd(value: float) -> float:
    return round(float(value), 2) + 0.0
