"""The ``monitoring`` section: log retention, the audit archive's immutability and alert e-mails."""

from __future__ import annotations

from typing import Any

from infra.config.model import MonitoringConfig
from infra.config.reader import _email_problem, _Reader

MIN_LOG_RETENTION_DAYS = 90
MAX_LOG_RETENTION_DAYS = 730
# 45 CFR 164.316(b)(2)(i): documentation is retained six years.
MIN_IMMUTABILITY_DAYS = 6 * 365


def _parse_monitoring(r: _Reader, raw: Any) -> MonitoringConfig | None:
    key = "monitoring"
    m = r.mapping(raw, key, ("logRetentionDays", "archiveImmutabilityDays", "alertEmails"))
    days = r.integer(m, "logRetentionDays", key, minimum=MIN_LOG_RETENTION_DAYS,
                     maximum=MAX_LOG_RETENTION_DAYS, why=" (HIPAA baseline keeps 90 days interactive; Log Analytics allows 730)")
    immutability = r.integer(m, "archiveImmutabilityDays", key, default=MIN_IMMUTABILITY_DAYS,
                             minimum=MIN_IMMUTABILITY_DAYS, maximum=146000,
                             why=" (45 CFR 164.316(b)(2)(i) keeps documentation six years)")
    emails = r.strings(m, "alertEmails", key, _email_problem)
    if not emails:
        r.fail(f"{key}.alertEmails", "needs at least one e-mail address for security alerts")
    if days is None or immutability is None:
        return None
    return MonitoringConfig(days, immutability, emails)
