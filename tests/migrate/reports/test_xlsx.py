"""The Excel workbook, read back with a second reader (python-calamine) and at the XML level."""

from __future__ import annotations

import io
import re
import zipfile

from python_calamine import CalamineWorkbook

from migrate.reports.xlsx import xlsx_report
from tests.migrate.reports.conftest import HOSTILE_APP, SPEND

SHEETS = ["Summary", "Waves", "Servers", "Applications", "Move groups", "Crossing links", "Readiness issues",
          "Risks", "Assumptions"]


def expected_sheets(plan) -> list[str]:
    spend = ["Spend by month", "One-time cost"] if plan.get("spend") else []
    return SHEETS[:-1] + spend + SHEETS[-1:]


def read(data: bytes) -> dict[str, list[list]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def test_every_sheet_with_the_plans_figures(plan):
    sheets = read(xlsx_report(plan))
    assert list(sheets) == expected_sheets(plan)
    summary = {row[0]: row[1] for row in sheets["Summary"][1:]}
    assert summary["Servers in the inventory"] == plan["metrics"]["servers"]
    assert summary["Move groups"] == plan["metrics"]["move_groups"]
    assert summary["Monthly run-rate, Pay-as-you-go (plan total)"] == plan["metrics"]["monthly_cost"]
    waves = sheets["Waves"]
    header = waves[0]
    assert [int(r[0]) for r in waves[1:]] == [w["number"] for w in plan["waves"]]
    cost = header.index("Monthly cost (USD)")
    assert [r[cost] for r in waves[1:]] == [w["metrics"]["monthly_cost"] for w in plan["waves"]]
    servers = sheets["Servers"]
    assert len(servers) - 1 == len(plan["servers"])
    name, wave = servers[0].index("Server"), servers[0].index("Wave")
    for row in servers[1:]:
        expected = plan["servers"][row[name]]["wave"]
        assert (row[wave] if row[wave] != "" else None) == expected
    assert len(sheets["Crossing links"]) - 1 == len(plan["crossing_links"])
    assert len(sheets["Move groups"]) - 1 == sum(len(w["move_groups"]) for w in plan["waves"])
    assert len(sheets["Readiness issues"]) - 1 == sum(len(s["readiness_reasons"]) for s in plan["servers"].values())


def test_frozen_headers_autofilters_formats_and_widths(plan):
    archive = zipfile.ZipFile(io.BytesIO(xlsx_report(plan)))
    sheets = sorted(n for n in archive.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
    assert len(sheets) == len(expected_sheets(plan))
    for name in sheets:
        xml = archive.read(name).decode()
        assert 'state="frozen"' in xml and 'ySplit="1"' in xml, name
        assert "<autoFilter" in xml and "<cols>" in xml, name
    styles = archive.read("xl/styles.xml").decode()
    assert "$#,##0.00" in styles and "yyyy-mm-dd" in styles
    assert styles.count("<fill>") > 10  # a fill per wave colour


def test_hostile_text_is_a_string_cell_never_a_formula(hostile_plan):
    data = xlsx_report(hostile_plan)
    archive = zipfile.ZipFile(io.BytesIO(data))
    for name in archive.namelist():
        if name.startswith("xl/worksheets/"):
            assert "<f>" not in archive.read(name).decode(), name
    servers = read(data)["Servers"]
    column = servers[0].index("Applications")
    assert HOSTILE_APP in [row[column] for row in servers[1:]]


def test_same_plan_same_bytes(plan):
    assert xlsx_report(plan) == xlsx_report(plan)


def test_the_plans_spend_estimate_gets_its_sheets(plan):
    plan["spend"] = SPEND
    sheets = read(xlsx_report(plan))
    assert list(sheets) == expected_sheets(plan)
    assert [row[0] for row in sheets["Spend by month"][1:]] == ["2027-03", "2027-04"]
    assert sheets["Spend by month"][2][-1] == 5000.5
    summary = {row[0]: row[1] for row in sheets["Summary"][1:]}
    assert summary["One-time migration cost (estimate)"] == 1234.56
