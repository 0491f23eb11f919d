"""Owners in the reports: whom to call for each server, application and wave, from the plan JSON's
`owner`/`business_unit` (servers) and `owner`/`owners` (applications). Owner text is inventory text:
printed as data in every format (escaped in HTML and Markdown, a string cell in xlsx)."""

from __future__ import annotations

import html as html_lib
import io
import re
import zipfile

import pytest
from python_calamine import CalamineWorkbook

from migrate.reports import document as doc
from migrate.reports.html import html_report
from migrate.reports.markdown import markdown_report
from migrate.reports.xlsx import xlsx_report

HOSTILE_OWNER = "<b onmouseover=alert(1)>=HYPERLINK(\"http://evil.example\",\"x\")</b> | **ops**"
FORMULA_OWNER = "=cmd|' /C calc'!A0"


def read(data: bytes) -> dict[str, list[list]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def wave_with_owners(plan) -> dict:
    return next(w for w in plan["waves"] if w["number"] == 2)


def test_the_sample_plan_carries_owners(plan):
    # The sample estate's application mapping and Azure Migrate file name owners; most planned servers have one.
    owned = [s for s in plan["servers"].values() if s.get("owner")]
    assert len(owned) > 300 and all("business_unit" in s for s in plan["servers"].values())


def test_html_fills_the_owner_columns_and_lists_each_waves_owners(plan):
    page = html_report(plan)
    wave = wave_with_owners(plan)
    server = next(name for name in wave["servers"] if plan["servers"][name].get("owner"))
    owner = plan["servers"][server]["owner"]
    section = page[page.index(f'id="wave-{wave["number"]}"'):]
    section = section[:section.index("</section>")]
    row = next(line for line in section.splitlines() if f"<td>{html_lib.escape(server)}" in line)
    assert f"<td>{html_lib.escape(owner)}</td>" in row
    expected = doc.owners_of(plan, wave["servers"])
    assert f"<strong>Owners to notify:</strong> {html_lib.escape(expected.summary())}." in section
    top, count = expected.ranked[0]
    assert f"{top} ({count} servers)" in expected.summary()
    ehr = plan["applications"]["EHR"]
    assert f"<td>{html_lib.escape(ehr['owner'])}" in page[page.index('id="application-table"'):]
    assert "The plan records no server owners" not in page


def test_xlsx_fills_owner_columns_in_servers_applications_waves_and_move_groups(plan):
    sheets = read(xlsx_report(plan))
    servers = sheets["Servers"]
    name, owner, unit = (servers[0].index(h) for h in ("Server", "Owner", "Business unit"))
    for row in servers[1:]:
        record = plan["servers"][row[name]]
        assert (row[owner] or None, row[unit] or None) == (record["owner"], record["business_unit"])
    assert sum(1 for row in servers[1:] if row[owner]) > 300
    applications = sheets["Applications"]
    app, app_owner = applications[0].index("Application"), applications[0].index("Owner (most servers)")
    assert {r[app]: r[app_owner] or None for r in applications[1:]} == \
        {n: a["owner"] for n, a in plan["applications"].items()}
    waves = sheets["Waves"]
    column = waves[0].index("Owners to notify (servers each)")
    for row, wave in zip(waves[1:], plan["waves"], strict=True):
        assert row[column] == doc.owners_of(plan, wave["servers"]).summary()
    groups = sheets["Move groups"]
    assert "Owners (servers each)" in groups[0]


def test_markdown_lists_each_waves_owners(plan):
    text = markdown_report(plan)
    assert "## Owners to notify" in text
    lines = [line for line in text.splitlines() if line.startswith("- Wave ")]
    assert len(lines) == len(plan["waves"])
    assert lines[0].startswith("- Wave 0 (Foundation): ")
    assert "- Wave 2: " in text  # a wave named "Wave 2" is not named twice


@pytest.fixture
def owned_plan(plan) -> dict:
    """Wave 2's first server owned by markup, its second by a formula; EHR's owners in conflict."""
    wave = wave_with_owners(plan)
    first, second = wave["servers"][:2]
    plan["servers"][first]["owner"] = HOSTILE_OWNER
    plan["servers"][second]["owner"] = FORMULA_OWNER
    plan["servers"][second]["business_unit"] = "@SUM(A1:A9)"
    plan["applications"]["EHR"]["owner"] = FORMULA_OWNER
    plan["applications"]["EHR"]["owners"] = [{"owner": FORMULA_OWNER, "servers": 30},
                                             {"owner": HOSTILE_OWNER, "servers": 2}]
    return plan


def test_an_owner_with_markup_is_escaped_in_html(owned_plan):
    page = html_report(owned_plan)
    assert HOSTILE_OWNER not in page and "<b onmouseover" not in page
    assert "&lt;b onmouseover=alert(1)&gt;" in page
    # EHR's other owner is listed with its count, escaped too (Jinja2 writes a quote as &#34;).
    escaped = HOSTILE_OWNER.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")
    assert f"also {escaped} (2 servers)" in page


def test_an_owner_that_looks_like_a_formula_is_a_string_cell(owned_plan):
    data = xlsx_report(owned_plan)
    archive = zipfile.ZipFile(io.BytesIO(data))
    for name in archive.namelist():
        if name.startswith("xl/worksheets/"):
            assert "<f>" not in archive.read(name).decode(), name
    sheets = read(data)
    servers = sheets["Servers"]
    owner, unit = servers[0].index("Owner"), servers[0].index("Business unit")
    assert FORMULA_OWNER in [r[owner] for r in servers[1:]] and HOSTILE_OWNER in [r[owner] for r in servers[1:]]
    assert "@SUM(A1:A9)" in [r[unit] for r in servers[1:]]
    applications = sheets["Applications"]
    ehr = next(r for r in applications[1:] if r[0] == "EHR")
    assert ehr[applications[0].index("Owner (most servers)")] == FORMULA_OWNER
    assert ehr[applications[0].index("Other owners (servers each)")] == f"{HOSTILE_OWNER} (2 servers)"


def test_an_owner_cannot_add_markup_or_break_the_markdown(owned_plan):
    text = markdown_report(owned_plan)
    assert HOSTILE_OWNER not in text
    assert re.search(r"(?<!\\)[<>]", text) is None  # every angle bracket is escaped: no HTML reaches a renderer
    line = next(line for line in text.splitlines() if line.startswith("- Wave 2: "))
    assert "\\<b onmouseover=alert(1)\\>" in line and "\\| \\*\\*ops\\*\\*" in line


def test_a_plan_made_before_owners_still_renders_and_says_so(plan):
    for server in plan["servers"].values():
        server.pop("owner", None)
        server.pop("business_unit", None)
    for application in plan["applications"].values():
        for key in ("owner", "owners", "servers_without_owner", "business_unit", "business_units"):
            application.pop(key, None)
    page = html_report(plan)
    assert "This plan predates server owners" in page and "Owners to notify:</strong> not recorded" in page
    assert "## Owners to notify" not in markdown_report(plan)
    sheets = read(xlsx_report(plan))
    assert "Owners to notify (servers each)" not in sheets["Waves"][0]
    owner = sheets["Servers"][0].index("Owner")
    assert all(row[owner] == "" for row in sheets["Servers"][1:])


def test_owners_rank_most_servers_first_and_count_those_without(plan):
    names = list(plan["servers"])[:4]
    for name, owner in zip(names, ("b", "a", "b", None), strict=True):
        plan["servers"][name]["owner"] = owner
    owners = doc.owners_of(plan, names)
    assert owners.ranked == (("b", 2), ("a", 1)) and owners.without == 1
    assert owners.summary() == "b (2 servers), a (1 server); 1 server without an owner"
    assert owners.summary(limit=1) == "b (2 servers), 1 other owner; 1 server without an owner"
    assert doc.owners_of(plan, names[3:]).summary() == "none recorded"
