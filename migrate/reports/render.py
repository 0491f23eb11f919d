"""One entry point for the report formats: `report(document, fmt)` -> str (html, md) or bytes (xlsx)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FORMATS = ("html", "xlsx", "md")
EXTENSIONS = {"html": "html", "xlsx": "xlsx", "md": "md"}


def report(document: Mapping[str, Any], fmt: str) -> str | bytes:
    """The plan `document` rendered as `fmt`; checks the document's schema first (ReportError)."""
    from migrate.reports.document import check_plan

    check_plan(document, "the plan")
    if fmt == "html":
        from migrate.reports.html import html_report

        return html_report(document)
    if fmt == "xlsx":
        from migrate.reports.xlsx import xlsx_report

        return xlsx_report(document)
    if fmt == "md":
        from migrate.reports.markdown import markdown_report

        return markdown_report(document)
    raise ValueError(f"unknown report format {fmt!r} (one of {', '.join(FORMATS)})")
