"""Reports for people who do not read JSON: HTML, Excel and Markdown, from a plan JSON document.

    from migrate.reports import render
    text = render.html_report(document)          # str
    data = render.xlsx_report(document)          # bytes
    text = render.markdown_report(document)      # str

Every figure comes from the plan document (`carelift.plan/v1`); a report adds totals of the
plan's own figures and selects rows, it never re-plans, re-prices or re-sizes. Reports never
import the CLI. `cells` is the one place that makes spreadsheet cells safe.
"""
