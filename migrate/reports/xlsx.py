"""The plan as an Excel workbook (xlsxwriter): one sheet per question a migration office asks.

Sheets: Summary, Waves, Servers, Applications, Move groups, Crossing links, Readiness issues,
Risks, then Spend by month and One-time cost when the plan carries a spend estimate, Assumptions.
Every sheet has a frozen header row, an autofilter, number, currency and
date formats, set column widths, and each row coloured by its wave (colour is never the only
carrier: the wave number is a column). Text cells go through `cells.write_xlsx_cell`, so
inventory text is never a formula. Same plan, same bytes (the creation date is the plan's).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from migrate.reports import document as doc
from migrate.reports import risks as risk_register
from migrate.reports.cells import write_xlsx_cell

if TYPE_CHECKING:
    from xlsxwriter import Workbook

# Light fills that stay readable in grey print; wave N uses WAVE_FILLS[N % len].
WAVE_FILLS = ("#E8EEF7", "#FDF1DC", "#E6F4EA", "#FCE8E6", "#F3E8FD", "#E0F7FA", "#FFF8E1", "#EDE7F6",
              "#F1F8E9", "#FBE9E7", "#E3F2FD", "#F9FBE7")
NO_WAVE_FILL = "#F2F2F2"

TEXT, INT, DEC, USD, DATE, DATETIME, TB = "text", "int", "dec", "usd", "date", "datetime", "tb"
NUM_FORMATS = {TEXT: None, INT: "#,##0", DEC: "#,##0.0", USD: "$#,##0.00", DATE: "yyyy-mm-dd",
               DATETIME: "yyyy-mm-dd hh:mm", TB: "#,##0.000"}

Column = tuple[str, "str | Callable[[Any], str]", int, Callable[[Any], Any]]
"""(header, kind or kind-of-row, width, value-of-row)."""


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _local(value: str | None) -> datetime | None:
    """A cutover time as its local wall-clock time (Excel has no time zones; the header names the zone)."""
    return datetime.fromisoformat(value).replace(tzinfo=None) if value else None


class Book:
    def __init__(self, workbook: Workbook) -> None:
        self.workbook = workbook
        self.formats: dict[tuple[str, str | None], Any] = {}
        self.header = workbook.add_format({"bold": True, "bg_color": "#1F3864", "font_color": "#FFFFFF",
                                           "text_wrap": True, "valign": "top", "border": 1})

    def fmt(self, kind: str, wave: int | None, wrap: bool = False):
        fill = NO_WAVE_FILL if wave is None else WAVE_FILLS[wave % len(WAVE_FILLS)]
        key = (kind, fill + ("w" if wrap else ""))
        if key not in self.formats:
            spec: dict[str, Any] = {"bg_color": fill, "valign": "top"}
            if NUM_FORMATS[kind]:
                spec["num_format"] = NUM_FORMATS[kind]
            if wrap:
                spec["text_wrap"] = True
            self.formats[key] = self.workbook.add_format(spec)
        return self.formats[key]

    def sheet(self, name: str, columns: Sequence[Column], rows: Sequence[Any],
              wave_of: Callable[[Any], int | None] = lambda row: None) -> None:
        worksheet = self.workbook.add_worksheet(name)
        worksheet.freeze_panes(1, 0)
        worksheet.set_row(0, 30)
        for index, (header, _, width, _) in enumerate(columns):
            worksheet.write_string(0, index, header, self.header)
            worksheet.set_column(index, index, width)
        for r, row in enumerate(rows, start=1):
            wave = wave_of(row)
            for c, (_, kind, width, value_of) in enumerate(columns):
                value = value_of(row)
                kind = kind(row) if callable(kind) else kind
                cell_format = self.fmt(kind, wave, wrap=kind == TEXT and width >= 60)
                if isinstance(value, datetime):
                    worksheet.write_datetime(r, c, value, cell_format)
                elif isinstance(value, date):
                    worksheet.write_datetime(r, c, datetime(value.year, value.month, value.day), cell_format)
                else:
                    write_xlsx_cell(worksheet, r, c, value, cell_format)
        worksheet.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)


def xlsx_report(document: Mapping[str, Any]) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                            "strings_to_formulas": False, "strings_to_urls": False})
    start = _date(document["settings"].get("start_date")) or date(2000, 1, 1)
    # A fixed creation date (the plan's start) so the same plan gives the same bytes.
    workbook.set_properties({"title": "carelift migration plan", "author": str(document.get("generator", "carelift")),
                             "created": datetime(start.year, start.month, start.day)})
    book = Book(workbook)
    _summary(book, document)
    _waves(book, document)
    _servers(book, document)
    _applications(book, document)
    _move_groups(book, document)
    _crossing_links(book, document)
    _readiness(book, document)
    _risks(book, document)
    _spend(book, document)
    book.sheet("Assumptions", [("Assumption", TEXT, 38, lambda r: r[0]), ("Value", TEXT, 110, lambda r: r[1])],
               doc.assumptions(document))
    workbook.close()
    return buffer.getvalue()


def _summary(book: Book, document: Mapping[str, Any]) -> None:
    m, pricing = document["metrics"], document["pricing"]
    rows: list[tuple[str, Any, str]] = [
        ("Servers in the inventory", m["servers"], INT), ("Servers in waves", m["servers_in_waves"], INT),
        ("Servers retired or retained", m["servers_excluded"], INT),
        ("Applications with servers in waves", doc.applications_in_waves(document), INT),
        ("Waves (including foundation)", m["waves"], INT), ("Migration waves", m["migration_waves"], INT),
        ("Move groups", m["move_groups"], INT), ("Crossing links", m["crossing_links"], INT),
        ("Hybrid exposure H", m.get("hybrid_exposure"), INT),
        ("First cutover", m.get("first_cutover"), TEXT), ("Last cutover", m.get("last_cutover"), TEXT),
    ]
    for rate in doc.run_rates(document):
        source = "plan total" if rate.stated else "sum of per-server figures"
        rows.append((f"Monthly run-rate, {rate.label} ({source})", rate.monthly, USD))
    rows.append(("Price snapshot date", pricing.get("snapshot_date"), TEXT))
    if doc.owners_recorded(document):
        planned = [name for name, s in document["servers"].items() if s.get("wave") is not None]
        owners = doc.owners_of(document, planned)
        rows.append(("Owners of servers in waves", len(owners.ranked), INT))
        rows.append(("Servers in waves without an owner", owners.without, INT))
    for status, count in sorted(m.get("by_readiness", {}).items()):
        rows.append((f"Readiness: {status}", count, INT))
    for strategy, count in sorted(m.get("by_strategy", {}).items()):
        rows.append((f"Strategy: {strategy}", count, INT))
    spend = doc.spend(document)
    if spend is not None:
        rows.append(("One-time migration cost (estimate)", spend.get("one_time_total"), USD))
        rows.append(("Azure spend to the last cutover (estimate)", spend.get("total_to_last_cutover"), USD))
    for label, value in doc.estimates(document):
        for key, item in doc.flatten(value):
            rows.append((f"{label} (estimate): {key}" if key else f"{label} (estimate)", item,
                         USD if isinstance(item, float) else TEXT))
    for warning in doc.warnings(document):
        rows.append(("Plan warning", warning, TEXT))
    book.sheet("Summary", [("Figure", TEXT, 52, lambda r: r[0]), ("Value", lambda r: r[2], 40, lambda r: r[1])],
               rows)


def _waves(book: Book, document: Mapping[str, Any]) -> None:
    zone = document["settings"].get("cutover_window", {}).get("time_zone", "local")
    columns: list[Column] = [("Wave", INT, 7, lambda w: w["number"]), ("Name", TEXT, 14, lambda w: w.get("name")),
                             ("Start", DATE, 12, lambda w: _date(w.get("start"))),
                             (f"Cutover ({zone})", DATETIME, 17, lambda w: _local(w.get("cutover"))),
                             (f"Cutover end ({zone})", DATETIME, 17, lambda w: _local(w.get("cutover_end")))]
    for key, label in doc.wave_metric_columns(document):
        kind = USD if "cost" in key else TB if key.endswith("_tb") else INT
        columns.append((label, kind, 14, _wave_metric(key)))
    if doc.owners_recorded(document):
        owners = {w["number"]: doc.owners_of(document, w.get("servers", [])) for w in document["waves"]}
        columns += [("Owners to notify (servers each)", TEXT, 60, lambda w: owners[w["number"]].summary()),
                    ("Servers without an owner", INT, 12, lambda w: owners[w["number"]].without)]
    book.sheet("Waves", columns, document["waves"], lambda w: w["number"])


def _wave_metric(key: str) -> Callable[[Mapping[str, Any]], Any]:
    """The column value of one wave metric (a function per key, so each column reads its own)."""
    return lambda wave: wave["metrics"].get(key)


def _servers(book: Book, document: Mapping[str, Any]) -> None:
    waves = {w["number"]: w for w in document["waves"]}
    groups = doc.phi_tier0_by_group(document)
    rows = sorted(document["servers"].items(), key=lambda kv: (kv[1].get("wave") is None, kv[1].get("wave") or 0,
                                                               kv[0]))
    columns: list[Column] = [
        ("Server", TEXT, 24, lambda r: r[0]), ("Wave", INT, 7, lambda r: r[1].get("wave")),
        ("Wave start", DATE, 12, lambda r: _date(waves.get(r[1].get("wave"), {}).get("start"))),
        ("Cutover", DATETIME, 17, lambda r: _local(waves.get(r[1].get("wave"), {}).get("cutover"))),
        ("Move group", TEXT, 28, lambda r: r[1].get("move_group")),
        ("Applications", TEXT, 28, lambda r: "; ".join(r[1].get("applications", []))),
        ("Environment", TEXT, 12, lambda r: r[1].get("environment")), ("Tier", INT, 6, lambda r: r[1].get("tier")),
        ("PHI (move group)", TEXT, 10, lambda r: _yes(groups.get(r[1].get("move_group"), {}).get("phi"))),
        ("Owner", TEXT, 18, lambda r: r[1].get("owner")),
        ("Business unit", TEXT, 18, lambda r: r[1].get("business_unit")),
        ("Readiness", TEXT, 20, lambda r: r[1].get("readiness")),
        ("Readiness reasons", TEXT, 60, lambda r: " | ".join(r[1].get("readiness_reasons", []))),
        ("Strategy", TEXT, 11, lambda r: r[1].get("strategy")),
        ("Strategy rule", TEXT, 60, lambda r: r[1].get("strategy_rule")),
        ("Target size", TEXT, 20, lambda r: r[1].get("target_sku")),
        ("vCPU", INT, 7, lambda r: (r[1].get("sizing") or {}).get("vcpu")),
        ("Memory GiB", DEC, 10, lambda r: (r[1].get("sizing") or {}).get("memory_gb")),
        ("Compute PAYG (USD/month)", USD, 13, lambda r: (r[1].get("cost") or {}).get("compute_payg")),
        ("Compute 1-year RI (USD/month)", USD, 13, lambda r: (r[1].get("cost") or {}).get("compute_ri1y")),
        ("Compute 3-year RI (USD/month)", USD, 13, lambda r: (r[1].get("cost") or {}).get("compute_ri3y")),
        ("Storage (USD/month)", USD, 12, lambda r: (r[1].get("cost") or {}).get("storage")),
        ("Monthly, plan option (USD)", USD, 13, lambda r: r[1].get("monthly_cost")),
        ("Hybrid Benefit", TEXT, 9, lambda r: _yes((r[1].get("cost") or {}).get("hybrid_benefit"))),
        ("Shared service / hub", TEXT, 40, lambda r: r[1].get("shared_service") or r[1].get("hub")),
        ("Left out of the waves", TEXT, 60, lambda r: r[1].get("excluded")),
    ]
    book.sheet("Servers", columns, rows, lambda r: r[1].get("wave"))


def _yes(value: Any) -> str | None:
    return None if value is None else "yes" if value else "no"


def _applications(book: Book, document: Mapping[str, Any]) -> None:
    rows = sorted(document.get("applications", {}).items())
    columns: list[Column] = [
        ("Application", TEXT, 30, lambda r: r[0]),
        ("Waves", TEXT, 12, lambda r: ", ".join(map(str, r[1].get("waves", [])))),
        ("Servers", INT, 8, lambda r: len(r[1].get("servers", []))),
        ("Criticality", INT, 10, lambda r: r[1].get("criticality")), ("Type", TEXT, 12, lambda r: r[1].get("type")),
        ("Owner (most servers)", TEXT, 22, lambda r: r[1].get("owner")),
        ("Other owners (servers each)", TEXT, 30, lambda r: doc.application_owners(r[1])[1]),
        ("Servers without an owner", INT, 10, lambda r: r[1].get("servers_without_owner")),
        ("Business unit", TEXT, 18, lambda r: r[1].get("business_unit")),
        ("Strategy", TEXT, 12, lambda r: r[1].get("strategy")),
        ("Strategy target", TEXT, 18, lambda r: r[1].get("strategy_target")),
        ("Strategy rule", TEXT, 60, lambda r: r[1].get("strategy_rule")),
        ("Monthly cost (USD)", USD, 13, lambda r: r[1].get("monthly_cost")),
    ]
    book.sheet("Applications", columns, rows, lambda r: (r[1].get("waves") or [None])[0])


def _move_groups(book: Book, document: Mapping[str, Any]) -> None:
    rows = [{**g, "wave": w["number"]} for w in document["waves"] for g in w.get("move_groups", [])]
    columns: list[Column] = [
        ("Move group", TEXT, 32, lambda g: g["id"]), ("Wave", INT, 7, lambda g: g["wave"]),
        ("Kind", TEXT, 14, lambda g: g.get("kind")),
        ("Servers", INT, 8, lambda g: len(g.get("servers", []))), ("vCPU", INT, 7, lambda g: g.get("vcpu")),
        ("Storage TB", TB, 10, lambda g: g.get("storage_tb")), ("Tier-0", TEXT, 7, lambda g: _yes(g.get("tier0"))),
        ("PHI", TEXT, 6, lambda g: _yes(g.get("phi"))), ("Environment", TEXT, 11, lambda g: g.get("environment")),
        ("Applications", TEXT, 30, lambda g: "; ".join(g.get("applications", []))),
        ("Monthly cost (USD)", USD, 13, lambda g: g.get("monthly_cost")),
        ("Why these servers move together", TEXT, 60, lambda g: " | ".join(g.get("reasons", []))),
        ("Why this wave", TEXT, 60, lambda g: " | ".join(g.get("wave_reasons", []))),
    ]
    if doc.owners_recorded(document):
        columns.insert(10, ("Owners (servers each)", TEXT, 30,
                            lambda g: doc.owners_of(document, g.get("servers", [])).summary()))
    book.sheet("Move groups", columns, rows, lambda g: g["wave"])


def _crossing_links(book: Book, document: Mapping[str, Any]) -> None:
    groups = doc.server_move_group(document)
    columns: list[Column] = [
        ("Source", TEXT, 24, lambda l: l["source"]), ("Source wave", INT, 8, lambda l: l.get("source_wave")),
        ("Source move group", TEXT, 28, lambda l: groups.get(l["source"])),
        ("Destination", TEXT, 24, lambda l: l["destination"]),
        ("Destination wave", INT, 8, lambda l: l.get("destination_wave")),
        ("Destination move group", TEXT, 28, lambda l: groups.get(l["destination"])),
        ("Port", INT, 7, lambda l: l.get("port")), ("Weight", INT, 8, lambda l: l.get("weight")),
        ("Connectivity needed", TEXT, 40, lambda l: "; ".join(l.get("needs", []))),
    ]
    book.sheet("Crossing links", columns, document.get("crossing_links", []),
               lambda l: min(w for w in (l.get("source_wave"), l.get("destination_wave")) if w is not None)
               if l.get("source_wave") is not None or l.get("destination_wave") is not None else None)


def _readiness(book: Book, document: Mapping[str, Any]) -> None:
    rows = [(name, s, reason) for name, s in sorted(document["servers"].items())
            for reason in s.get("readiness_reasons", [])]
    columns: list[Column] = [
        ("Server", TEXT, 24, lambda r: r[0]), ("Wave", INT, 7, lambda r: r[1].get("wave")),
        ("Readiness", TEXT, 20, lambda r: r[1].get("readiness")),
        ("Strategy", TEXT, 11, lambda r: r[1].get("strategy")),
        ("Reason", TEXT, 100, lambda r: r[2]),
    ]
    book.sheet("Readiness issues", columns, rows, lambda r: r[1].get("wave"))


def _risks(book: Book, document: Mapping[str, Any]) -> None:
    rows = risk_register.sorted_register(risk_register.register(document))
    columns: list[Column] = [
        ("Severity", TEXT, 9, lambda r: r.severity), ("Category", TEXT, 22, lambda r: r.category),
        ("Wave", INT, 7, lambda r: r.wave), ("Subject", TEXT, 30, lambda r: r.subject),
        ("Detail", TEXT, 100, lambda r: r.detail),
    ]
    book.sheet("Risks", columns, rows, lambda r: r.wave)


def _spend(book: Book, document: Mapping[str, Any]) -> None:
    """The plan's spend estimate (when it has one): months, then each wave's one-time cost."""
    spend = doc.spend(document)
    if spend is None:
        return
    months: list[Column] = [
        ("Month", TEXT, 10, lambda m: m.get("month")), ("Run-rate (USD)", USD, 15, lambda m: m.get("run_rate")),
        ("Of which dual running (USD)", USD, 16, lambda m: m.get("dual_running")),
        ("One-time (USD)", USD, 15, lambda m: m.get("one_time")), ("Total (USD)", USD, 15, lambda m: m.get("total")),
        ("Cumulative (USD)", USD, 16, lambda m: m.get("cumulative")),
    ]
    book.sheet("Spend by month", months, spend.get("months", []))
    waves: list[Column] = [
        ("Wave", INT, 7, lambda w: w.get("number")), ("Servers", INT, 8, lambda w: w.get("servers")),
        ("Replication days", INT, 11, lambda w: w.get("replication_days")),
        ("Replication storage (USD)", USD, 15, lambda w: w.get("replication_storage")),
        ("Test migration compute (USD)", USD, 15, lambda w: w.get("test_migration_compute")),
        ("One-time (USD)", USD, 15, lambda w: w.get("one_time")),
        ("Run-rate after cutover (USD/month)", USD, 17, lambda w: w.get("monthly_run_rate_after_cutover")),
    ]
    book.sheet("One-time cost", waves, spend.get("waves", []), lambda w: w.get("number"))
