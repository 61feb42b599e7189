"""Server-side SVG charts: the geometry of bar charts, drawn by `templates/chart.html`.

One kind of chart everywhere (server-side SVG: no script, works offline and under the CSP). Each chart has a
`<title>` and `<desc>` for assistive technology and is always shown beside a table with the same numbers.
A value that is suppressed or undefined gets no bar, only its label and the reason."""

from __future__ import annotations

from dataclasses import dataclass

BAR_COLOUR = "#1f5f8b"  # 7.0:1 on white (WCAG AA for graphics needs 3:1)
AXIS_COLOUR = "#595959"


@dataclass(frozen=True)
class ChartPoint:
    label: str
    value: float | None  # None: suppressed or no denominator
    shown: str  # the value as text (or why there is none)


@dataclass(frozen=True)
class Bar:
    label: str
    shown: str
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float
    value_x: float
    value_y: float


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    width: int
    height: int
    bars: tuple[Bar, ...]
    horizontal: bool
    axis: tuple[float, float, float, float]  # x1, y1, x2, y2 of the base line
    colour: str = BAR_COLOUR
    axis_colour: str = AXIS_COLOUR


def _scale(points: list[ChartPoint]) -> float:
    top = max((p.value for p in points if p.value is not None and p.value > 0), default=0.0)
    return top or 1.0


def horizontal_bars(chart_id: str, title: str, description: str, points: list[ChartPoint], *,
                    width: int = 640, row: int = 22, label_width: int = 210) -> Chart:
    """One row per point: the label on the left, the bar, the value at the bar's end."""
    plot = width - label_width - 90
    top = _scale(points)
    bars = []
    for i, p in enumerate(points):
        y = 8 + i * row
        length = 0.0 if p.value is None else max(p.value, 0.0) / top * plot
        bars.append(Bar(p.label, p.shown, label_width, y, length, row - 6, label_width - 6, y + row / 2 + 1,
                        label_width + length + 4, y + row / 2 + 1))
    height = 16 + len(points) * row
    return Chart(chart_id, title, description, width, height, tuple(bars), True,
                 (label_width, 4, label_width, height - 4))


def columns(chart_id: str, title: str, description: str, points: list[ChartPoint], *, width: int = 640,
            height: int = 240) -> Chart:
    """One column per point (months), labels under the base line, values above the columns."""
    left, bottom, top_margin = 8, 40, 22
    step = (width - 2 * left) / max(len(points), 1)
    plot = height - bottom - top_margin
    top = _scale(points)
    bars = []
    for i, p in enumerate(points):
        x = left + i * step + step * 0.15
        length = 0.0 if p.value is None else max(p.value, 0.0) / top * plot
        base = height - bottom
        bars.append(Bar(p.label, p.shown, x, base - length, step * 0.7, length, x + step * 0.35, base + 16,
                        x + step * 0.35, base - length - 5))
    return Chart(chart_id, title, description, width, height, tuple(bars), False,
                 (left, height - bottom, width - left, height - bottom))
