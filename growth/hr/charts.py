"""Geometry for the dashboard's server-rendered SVG charts (no script, no external file).

Only positions and sizes are computed here; labels and numbers are formatted by the
template in the page's language.
"""

import math
from dataclasses import dataclass, field

WIDTH = 480
LABEL_WIDTH = 140
VALUE_WIDTH = 56
MONTH_LABEL_WIDTH = 48  # room for 'Sep 24' under a column


@dataclass
class Bar:
    series: str  # CSS class suffix: the colour
    value: object  # what the template prints (a count or a fraction)
    kind: str  # "count", "percent" or "years": how the template prints it
    x: float
    y: float
    width: float
    height: float


@dataclass
class Row:
    label: object
    y: float
    bars: list[Bar] = field(default_factory=list)


@dataclass
class HorizontalChart:
    rows: list[Row]
    height: float
    width: float = WIDTH
    label_width: float = LABEL_WIDTH
    label_chars: int = 18  # longer labels are cut with an ellipsis


def horizontal(rows: list[tuple[object, list[tuple[str, object, str]]]],
               scale_max: float | None = None, *, width: float = WIDTH,
               label_width: float = LABEL_WIDTH, bar_height: float = 16,
               gap: float = 12) -> HorizontalChart:
    """Rows of (label, [(series, value, kind), …]): one thin bar per series, stacked
    vertically, all on one scale (at least `scale_max`, or the largest value)."""
    bar_area = width - label_width - VALUE_WIDTH
    values = [float(v or 0) for _label, bars in rows for _s, v, _k in bars]
    top = max([scale_max or 0, *values]) or 1
    chart_rows, y = [], 8.0
    for label, bars in rows:
        row = Row(label, y + len(bars) * bar_height / 2)
        for series, value, kind in bars:
            length = bar_area * float(value or 0) / top
            row.bars.append(Bar(series, value, kind, label_width, y, length, bar_height - 3))
            y += bar_height
        chart_rows.append(row)
        y += gap
    return HorizontalChart(chart_rows, y, width, label_width, int(label_width / 7.5))


@dataclass
class Column:
    label: object  # the month's last day
    show_label: bool
    x: float
    headcount: Bar
    hires: Bar
    leavers: Bar


@dataclass
class MonthChart:
    columns: list[Column]
    width: float
    height: float
    baseline: float  # the line hires rise from and leavers hang from
    headcount_base: float
    label_y: float


def months(month_rows, width: float = WIDTH) -> MonthChart:
    """Headcount bars on top; hires above and leavers below a baseline underneath."""
    count = max(len(month_rows), 1)
    pad = MONTH_LABEL_WIDTH / 2  # so the first and last labels are not cut
    step = (width - 2 * pad) / count
    bar = max(step * 0.7, 1)
    top_height, flow_height = 150, 36
    headcount_base = 10 + top_height
    baseline = headcount_base + 16 + flow_height
    most = max([m.headcount for m in month_rows] + [1])
    flow = max([m.hires for m in month_rows] + [m.leavers for m in month_rows] + [1])
    every = max(1, math.ceil(count * MONTH_LABEL_WIDTH / width))
    columns = []
    for index, month in enumerate(month_rows):
        x = pad + index * step + (step - bar) / 2
        tall = top_height * month.headcount / most
        up = flow_height * month.hires / flow
        down = flow_height * month.leavers / flow
        columns.append(Column(
            label=month.ends_on, show_label=(count - 1 - index) % every == 0, x=x,
            headcount=Bar("headcount", month.headcount, "count", x, headcount_base - tall,
                          bar, tall),
            hires=Bar("hires", month.hires, "count", x, baseline - up, bar / 2, up),
            leavers=Bar("leavers", month.leavers, "count", x + bar / 2, baseline, bar / 2,
                        down),
        ))
    return MonthChart(columns, width, baseline + flow_height + 24, baseline, headcount_base,
                      baseline + flow_height + 18)
