"""The HTML report as text: self-contained, escaped, every section, figures from the plan.

What a browser does with it (console, requests, search, DOM figures) is in test_browser.py.
"""

from __future__ import annotations

import re

from migrate.reports.html import html_report
from tests.migrate.reports.conftest import HOSTILE_APP, HOSTILE_SERVER, SPEND


def test_self_contained_no_network_reference(plan):
    page = html_report(plan)
    # No attribute loads anything: links are in-page anchors (or the empty data: favicon), no src=,
    # no stylesheet link, no @import, no font. (URLs in text, e.g. the price source, are just text.)
    assert set(re.findall(r'\shref="([^"#][^"]*)"', page)) == {"data:,"}
    assert not re.search(r"\s(?:src|srcset|action|poster|background)=", page)
    assert "@import" not in page and "@font-face" not in page and "url(http" not in page
    assert "default-src 'none'" in page  # the browser refuses any request the page might attempt


def test_every_section_leadership_asked_for(plan):
    page = html_report(plan)
    for anchor in ("summary", "timeline", "risks", "cost", "move-groups", "waves", "caveats", "assumptions"):
        assert f'id="{anchor}"' in page
    for wave in plan["waves"]:
        assert f'id="wave-{wave["number"]}"' in page
    assert page.count("<details class=\"wave-servers\">") == len(plan["waves"])  # collapsed per-wave tables
    assert page.count('role="img"') >= 3 and page.count("<desc id=") == page.count('role="img"')
    assert "@media print" in page and "break-before: page" in page
    assert 'id="search"' in page


def test_summary_figures_are_the_plans(plan):
    page = html_report(plan)
    m = plan["metrics"]
    assert f'data-figure="servers">{m["servers"]:,}<' in page
    assert f'data-figure="move_groups">{m["move_groups"]:,}<' in page
    assert f'data-figure="monthly_cost" data-value="{m["monthly_cost"]}"' in page
    assert plan["pricing"]["snapshot_date"] in page


def test_inventory_text_is_escaped(hostile_plan):
    page = html_report(hostile_plan)
    assert HOSTILE_SERVER not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<script>alert('note')</script>" not in page
    assert HOSTILE_APP.replace('"', "&#34;") in page


def test_blackouts_are_drawn_in_the_timeline(plan):
    plan["settings"]["blackout_dates"] = [["2027-02-01", "2027-02-07"]]
    page = html_report(plan)
    assert "blackout 2027-02-01 to 2027-02-07" in page


def test_same_plan_same_page(plan):
    assert html_report(plan) == html_report(plan)


def test_the_plans_spend_estimate_is_shown_with_its_inputs(plan):
    plan["spend"] = SPEND
    page = html_report(plan)
    assert 'data-figure="one_time_total" data-value="1234.56">$1,235<' in page
    assert 'data-figure="total_to_last_cutover" data-value="5000.5"' in page
    assert 'id="spend-months"' in page and "$4,853.75" in page and "of which dual running" in page
    assert "test_migration_hours" in page and 'aria-labelledby="spend-t spend-d"' in page
    plan.pop("spend")
    assert 'id="spend-months"' not in html_report(plan)
