"""Geometry for the dashboard's server-rendered SVG charts (no script, no external file).

Only positions and sizes are computed here; labels and numbers are formatted by the
template in the page's language. Across the chart, positions are percentages of the plot's
width; down it, pixels: the SVG has no viewBox, so it fills its box at any width while its
text keeps the page's size.
"""

import math
from dataclasses import dataclass, field

LABEL_CHARS = 18  # longer row labels are cut with an ellipsis
MONTH_LABEL = 48  # pixels for 'Sep 24' under a column
NARROW_PLOT = 280  # pixels: a month chart's plot on a phone
WIDE_PLOT = 900  # pixels: on a laptop


@dataclass
class Bar:
    series: str  # CSS class suffix: the colour
    value: object  # what the template prints (a count or a fraction)
    kind: str  # "count", "percent" or "years": how the template prints it
    x: float  # percent
    y: float  # pixels
    width: float  # percent
    height: float  # pixels


@dataclass
class Row:
    label: object
    y: float
    bars: list[Bar] = field(default_factory=list)


@dataclass
class HorizontalChart:
    rows: list[Row]
    height: float
    label_chars: int = LABEL_CHARS


def horizontal(rows: list[tuple[object, list[tuple[str, object, str]]]],
               scale_max: float | None = None, *, bar_height: float = 16,
               gap: float = 12) -> HorizontalChart:
    """Rows of (label, [(series, value, kind), …]): one thin bar per series, stacked
    vertically, all on one scale (at least `scale_max`, or the largest value)."""
    values = [float(v or 0) for _label, bars in rows for _s, v, _k in bars]
    top = max([scale_max or 0, *values]) or 1
    chart_rows, y = [], 6.0
    for label, bars in rows:
        row = Row(label, y + len(bars) * bar_height / 2)
        for series, value, kind in bars:
            length = round(100 * float(value or 0) / top, 2)
            row.bars.append(Bar(series, value, kind, 0, y, length, bar_height - 3))
            y += bar_height
        chart_rows.append(row)
        y += gap
    return HorizontalChart(chart_rows, y - gap + 6)


@dataclass
class Column:
    label: object  # the month's last day
    show_label: bool  # named under the axis on a wide screen
    show_on_phone: bool  # … and on a phone too
    x: float  # percent: the column's centre
    headcount: Bar
    hires: Bar
    leavers: Bar


@dataclass
class MonthChart:
    columns: list[Column]
    height: float
    headcount_base: float  # the headcount bars stand on this line
    baseline: float  # the line hires rise from and leavers hang from
    ticks: list[tuple[float, int]]  # (y, headcount) on the axis
    label_y: float


def _step(most: int) -> int:
    """A round tick step giving three to five ticks up to `most`."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if most / step <= 4:
            return step
    return 10 ** len(str(most))


def months(month_rows) -> MonthChart:
    """Headcount bars on a y-axis with values; below them, hires rising above and leavers
    hanging below a baseline of their own."""
    count = max(len(month_rows), 1)
    slot = 100 / count
    bar = slot * 0.7
    top, top_height, flow_height = 18, 160, 34
    headcount_base = top + top_height
    baseline = headcount_base + 22 + flow_height
    step = _step(max([m.headcount for m in month_rows] + [1]))
    most = step * math.ceil(max([m.headcount for m in month_rows] + [1]) / step)
    flow = max([m.hires for m in month_rows] + [m.leavers for m in month_rows] + [1])
    every_wide = max(1, math.ceil(count * MONTH_LABEL / WIDE_PLOT))
    # A multiple of the wide step, so every label a phone shows is also shown wide.
    every_phone = every_wide * math.ceil(count * MONTH_LABEL / NARROW_PLOT / every_wide)
    columns = []
    for index, month in enumerate(month_rows):
        x = index * slot + (slot - bar) / 2
        tall = top_height * month.headcount / most
        up = flow_height * month.hires / flow
        down = flow_height * month.leavers / flow
        back = count - 1 - index  # the newest month is always named
        columns.append(Column(
            label=month.ends_on, show_label=back % every_wide == 0,
            show_on_phone=back % every_phone == 0, x=round(index * slot + slot / 2, 2),
            headcount=Bar("headcount", month.headcount, "count", round(x, 2),
                          round(headcount_base - tall, 1), round(bar, 2), round(tall, 1)),
            hires=Bar("hires", month.hires, "count", round(x, 2), round(baseline - up, 1),
                      round(bar / 2, 2), round(up, 1)),
            leavers=Bar("leavers", month.leavers, "count", round(x + bar / 2, 2), baseline,
                        round(bar / 2, 2), round(down, 1)),
        ))
    ticks = [(round(headcount_base - top_height * n / most, 1), n)
             for n in range(0, most + 1, step)]
    return MonthChart(columns, baseline + flow_height + 30, headcount_base, baseline, ticks,
                      baseline + flow_height + 22)
