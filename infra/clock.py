"""The one day carelift judges by: ``CARELIFT_AS_OF`` (YYYY-MM-DD) when set, else today's UTC date.

Everything dated reads it: the AI register's reviews, Azure's dated defaults in the audit, waiver
expiry, OS end of support in the inventory's quality checks, the budget's first month in a render and
the day a migration plan is made. One variable moves them together, so an audit, a plan or a test
can be judged "as of" a date and give the same bytes next year. UTC because that is the day Azure
Resource Manager sees (what "the current month" means to a budget).
"""

from __future__ import annotations

import datetime
import os

from infra.config_errors import ConfigError, ConfigIssue

AS_OF_VARIABLE = "CARELIFT_AS_OF"


def today() -> datetime.date:
    """The day to judge by; a malformed CARELIFT_AS_OF is a ConfigError naming the variable."""
    value = os.environ.get(AS_OF_VARIABLE)
    if not value:
        return datetime.datetime.now(datetime.timezone.utc).date()
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ConfigError(AS_OF_VARIABLE, [ConfigIssue(AS_OF_VARIABLE, f"must be a date (YYYY-MM-DD); got "
                                                                       f"{value[:40]!r}")]) from None
