"""Inline SVG charts for the HTML report: the wave timeline, horizontal bars, the move-group diagram.

Every chart is `role="img"` with a <title> and <desc> that state what the chart shows in words
(the figures themselves are also in a table beside each chart). Colour is never the only
carrier: bars are labelled with their values, cutovers are diamonds, blackouts are hatched,
cross-wave links are dashed and thicker. All text is escaped here (`markupsafe.escape`) because
the result is inserted into the autoescaped template as Markup.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from markupsafe import Markup, escape

WAVE_COLOURS = ("#4E79A7", "#F28E2B", "#59A14F", "#E15759", "#76B7B2", "#EDC948", "#B07AA1", "#FF9DA7",
                "#9C755F", "#BAB0AC", "#86BCB6", "#D37295")
FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', Arial, sans-serif\""


def wave_colour(number: int | None) -> str:
    return "#BBBBBB" if number is None else WAVE_COLOURS[number % len(WAVE_COLOURS)]


def _open(ident: str, width: float, height: float, title: str, desc: str, wide: bool = False) -> list[str]:
    """The <svg> element; `wide` charts keep their natural size on screen (the page scrolls sideways)."""
    size = f'width="{width:.0f}" height="{height:.0f}" ' if wide else ""
    return [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" {size}role="img" '
            f'aria-labelledby="{ident}-t {ident}-d" class="chart{" wide" if wide else ""}" {FONT} font-size="12">',
            f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>']


def _day(value: str) -> date:
    return datetime.fromisoformat(value).date() if "T" in value else date.fromisoformat(value)


def blackout_ranges(settings: Mapping[str, Any]) -> list[tuple[date, date]]:
    out = []
    for item in settings.get("blackout_dates") or []:
        if isinstance(item, str):
            first, _, last = item.partition("..")
            out.append((date.fromisoformat(first), date.fromisoformat(last or first)))
        elif isinstance(item, (list, tuple)) and item:
            out.append((date.fromisoformat(str(item[0])), date.fromisoformat(str(item[-1]))))
        elif isinstance(item, Mapping):
            out.append((date.fromisoformat(str(item.get("start"))), date.fromisoformat(str(item.get("end")))))
    return out


def timeline(waves: Sequence[Mapping[str, Any]], settings: Mapping[str, Any]) -> Markup:
    """Gantt-style: one row per wave from its start to its cutover window, blackouts as hatched bands."""
    label_w, row_h, top, right = 150, 24, 34, 70
    width = 1000
    dated = [w for w in waves if w.get("start") and w.get("cutover")]
    blackouts = blackout_ranges(settings)
    if not dated:
        return Markup("<p>No wave has dates.</p>")
    first = min(_day(w["start"]) for w in dated)
    last = max(_day(w.get("cutover_end") or w["cutover"]) for w in dated) + timedelta(days=3)
    for start, end in blackouts:
        if start <= last and end >= first:
            first, last = min(first, start), max(last, end)
    span = max((last - first).days, 1)
    scale = (width - label_w - right) / span

    def x(day: date) -> float:
        return label_w + (day - first).days * scale

    height = top + row_h * len(dated) + 30
    shown = [f"{s.isoformat()} to {e.isoformat()}" for s, e in blackouts if s <= last and e >= first]
    desc = (f"{len(dated)} waves from {first.isoformat()} to {last.isoformat()}. Each bar runs from the wave's start "
            "to its cutover; a diamond marks the cutover window. "
            + (f"Hatched bands are blackout periods: {'; '.join(shown)}." if shown else "No blackout period falls "
               "in this range.") + " The wave table lists the same dates.")
    out = _open("timeline", width, height, "Wave timeline with cutover windows and blackouts", desc)
    out.append('<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
               'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
               '<line x1="0" y1="0" x2="0" y2="6" stroke="#555" stroke-width="2"/></pattern></defs>')
    # Month ticks.
    tick = date(first.year, first.month, 1)
    while tick <= last:
        if tick >= first:
            out.append(f'<line x1="{x(tick):.1f}" y1="{top - 6}" x2="{x(tick):.1f}" y2="{height - 26}" '
                       'stroke="#ccc" stroke-width="1"/>')
            out.append(f'<text x="{x(tick) + 3:.1f}" y="{top - 10}" fill="#333">{tick.strftime("%b %Y")}</text>')
        tick = date(tick.year + (tick.month == 12), tick.month % 12 + 1, 1)
    for start, end in blackouts:
        if start > last or end < first:
            continue
        x0, x1 = x(max(start, first)), x(min(end, last) + timedelta(days=1))
        out.append(f'<rect x="{x0:.1f}" y="{top - 4}" width="{max(x1 - x0, 2):.1f}" height="{row_h * len(dated) + 4}" '
                   f'fill="url(#hatch)" opacity="0.55"><title>blackout {start.isoformat()} to {end.isoformat()}'
                   '</title></rect>')
        out.append(f'<text x="{x0:.1f}" y="{height - 12}" fill="#333">blackout {start.isoformat()}</text>')
    for index, wave in enumerate(dated):
        y = top + index * row_h
        start, cutover = _day(wave["start"]), _day(wave["cutover"])
        x0, x1 = x(start), x(cutover + timedelta(days=1))
        label = f"{wave['number']} · {wave.get('name', '')}"
        out.append(f'<text x="4" y="{y + 16}" fill="#111">{escape(label)}</text>')
        out.append(f'<rect x="{x0:.1f}" y="{y + 4}" width="{max(x1 - x0, 2):.1f}" height="{row_h - 8}" rx="3" '
                   f'fill="{wave_colour(wave["number"])}" stroke="#222" stroke-width="0.6">'
                   f'<title>{escape(label)}: {start.isoformat()} to cutover {escape(wave["cutover"])}</title></rect>')
        cx, cy = x(cutover) + scale / 2, y + row_h / 2
        out.append(f'<path d="M{cx:.1f},{cy - 7:.1f} L{cx + 7:.1f},{cy:.1f} L{cx:.1f},{cy + 7:.1f} '
                   f'L{cx - 7:.1f},{cy:.1f} Z" fill="#111"/>')
        out.append(f'<text x="{cx + 10:.1f}" y="{y + 16}" fill="#111">{cutover.strftime("%m-%d")}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def bars(ident: str, title: str, rows: Sequence[tuple[str, float, int | None]], unit: str = "$") -> Markup:
    """Horizontal bars, each labelled with its value: (label, value, wave number for the colour or None)."""
    label_w, row_h, width = 230, 20, 1000
    top = 6
    height = top + row_h * len(rows) + 8
    peak = max((v for _, v, _ in rows), default=0) or 1
    fmt = (lambda v: f"${v:,.0f}") if unit == "$" else (lambda v: f"{v:,.0f}{unit}")
    desc = f"{title}: " + "; ".join(f"{label} {fmt(value)}" for label, value, _ in rows) + "."
    out = _open(ident, width, height, title, desc)
    for index, (label, value, wave) in enumerate(rows):
        y = top + index * row_h
        w = (width - label_w - 120) * value / peak
        shown = label if len(label) <= 34 else label[:33] + "…"
        out.append(f'<text x="4" y="{y + 14}" fill="#111">{escape(shown)}</text>')
        out.append(f'<rect x="{label_w}" y="{y + 3}" width="{max(w, 1):.1f}" height="{row_h - 6}" '
                   f'fill="{wave_colour(wave)}" stroke="#222" stroke-width="0.5"/>')
        out.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 14}" fill="#111">{escape(fmt(value))}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def move_group_diagram(waves: Sequence[Mapping[str, Any]], links: Sequence[Mapping[str, Any]],
                       group_of: Mapping[str, str], per_wave: int = 12, max_edges: int = 80) -> Markup:
    """Move groups as boxes in one column per wave; the crossing links between them as dashed lines.

    Large plans stay legible: per wave the groups with the most crossing weight and the largest
    groups are drawn (at most `per_wave`, the rest summed in a "+N more" box) and the
    `max_edges` heaviest group-to-group links; the description says what was left out."""
    edge_weight: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for link in links:
        a, b = group_of.get(link["source"]), group_of.get(link["destination"])
        if a and b and a != b:
            key = (a, b) if a < b else (b, a)
            edge_weight[key][0] += link.get("weight") or 0
            edge_weight[key][1] += 1
    touched: dict[str, int] = defaultdict(int)
    for (a, b), (weight, _) in edge_weight.items():
        touched[a] += weight
        touched[b] += weight
    col_w, box_w, box_h, gap, top = 170, 150, 20, 6, 30
    columns: list[tuple[Mapping[str, Any], list[Mapping[str, Any]], int]] = []
    for wave in waves:
        groups = sorted(wave.get("move_groups", []),
                        key=lambda g: (-touched.get(g["id"], 0), -len(g["servers"]), g["id"]))
        columns.append((wave, groups[:per_wave], max(len(groups) - per_wave, 0)))
    position: dict[str, tuple[int, int]] = {}  # a box's top left corner: whole pixels
    rows = max((len(shown) + (1 if more else 0) for _, shown, more in columns), default=1)
    width = 10 + col_w * len(columns)
    height = top + rows * (box_h + gap) + 14
    drawn = sorted(((k, v) for k, v in edge_weight.items()), key=lambda kv: (-kv[1][0], kv[0]))
    hidden_groups = sum(more for _, _, more in columns)
    for index, (_, shown, _) in enumerate(columns):
        for row, group in enumerate(shown):
            position[group["id"]] = (10 + index * col_w, top + row * (box_h + gap))
    drawn = [(k, v) for k, v in drawn if k[0] in position and k[1] in position][:max_edges]
    desc = (f"{sum(len(w.get('move_groups', [])) for w in waves)} move groups in {len(waves)} wave columns; "
            f"{len(edge_weight)} pairs of move groups are joined by links that cross waves, the {len(drawn)} "
            "heaviest drawn as dashed lines"
            + (f"; {hidden_groups} smaller groups without heavy links are summarised as '+N more'" if hidden_groups
               else "")
            + ". Tier-0 groups have a thick border and 'T0', PHI groups 'PHI'. The crossing links table lists "
              "every link.")
    out = _open("groups", width, height, "Move groups by wave and the links that cross waves", desc, wide=True)
    for index, (wave, _, _) in enumerate(columns):
        x = 10 + index * col_w
        out.append(f'<text x="{x}" y="{top - 12}" font-weight="bold" fill="#111">'
                   f'Wave {int(wave["number"])}</text>')
    for (a, b), (weight, count) in drawn:
        (xa, ya), (xb, yb) = position[a], position[b]
        if xa > xb:
            (xa, ya), (xb, yb) = (xb, yb), (xa, ya)
        x1, y1, x2, y2 = xa + box_w, ya + box_h / 2, xb, yb + box_h / 2
        if x1 > x2:  # same column (pieces of a split group): bow to the right
            x1, x2 = xa + box_w, xb + box_w
        stroke = 1 + min(weight, 400) / 60
        out.append(f'<path d="M{x1:.1f},{y1:.1f} C{x1 + 40:.1f},{y1:.1f} {x2 - 40:.1f},{y2:.1f} {x2:.1f},{y2:.1f}" '
                   f'fill="none" stroke="#C0392B" stroke-opacity="0.55" stroke-width="{stroke:.1f}" '
                   f'stroke-dasharray="6 3"><title>{escape(a)} ↔ {escape(b)}: {count} crossing link(s), weight '
                   f'{weight}</title></path>')
    for index, (wave, shown, more) in enumerate(columns):
        for group in shown:
            x, y = position[group["id"]]
            marks = " ".join(m for m, on in (("T0", group.get("tier0")), ("PHI", group.get("phi"))) if on)
            room = 23 - len(marks)
            name = group["id"] if len(group["id"]) <= room else group["id"][:room - 1] + "…"
            border = "2.5" if group.get("tier0") else "0.8"
            out.append(f'<rect x="{x}" y="{y}" width="{box_w}" height="{box_h}" rx="3" fill="#ffffff" '
                       f'stroke="{wave_colour(wave["number"])}" stroke-width="{border}"><title>{escape(group["id"])}: '
                       f'{len(group["servers"])} servers{escape(", " + marks if marks else "")}</title></rect>')
            out.append(f'<text x="{x + 4}" y="{y + 14}" font-size="11" fill="#111">{escape(name)}'
                       f'{escape(" " + marks if marks else "")}</text>')
        if more:
            x, y = 10 + index * col_w, top + len(shown) * (box_h + gap)
            out.append(f'<text x="{x + 4}" y="{y + 14}" font-size="11" fill="#444">+{more} more groups</text>')
    out.append("</svg>")
    return Markup("".join(out))
