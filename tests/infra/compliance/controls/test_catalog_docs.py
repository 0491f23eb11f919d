"""README describes the catalog as it is: its control count and the families table's id ranges."""

from __future__ import annotations

import re
from pathlib import Path

from infra.compliance.catalog import all_controls

README = Path(__file__).resolve().parents[4] / "README.md"


def _ids_in_ranges(text: str) -> set[str]:
    """Every id named by the table's ranges, e.g. CL-ST-001..011 -> CL-ST-001 ... CL-ST-011."""
    found = set()
    for prefix, first, last in re.findall(r"(CL-[A-Z]+)-(\d{3})\.\.(\d{3})", text):
        found |= {f"{prefix}-{n:03d}" for n in range(int(first), int(last) + 1)}
    found |= {m for m in re.findall(r"CL-[A-Z]+-\d{3}(?!\.\.)", text) if not re.search(rf"{m}\.\.", text)}
    return found


def test_readme_states_the_catalog_size():
    text = README.read_text(encoding="utf-8")
    assert f"{len(all_controls())} controls with 45 CFR 164 citations" in text


def test_families_table_names_every_control_and_no_other():
    text = README.read_text(encoding="utf-8")
    table = text[text.index("| Family | Controls | Judges |"):]
    table = table[:table.index("\n\n")]
    assert _ids_in_ranges(table) == {c.id for c in all_controls()}
