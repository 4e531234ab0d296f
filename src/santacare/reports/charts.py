"""Server-rendered SVG bar charts: geometry computed here, drawn by a template with SVG
presentation attributes only (the CSP forbids scripts and inline styles)."""

from dataclasses import dataclass

from django.utils.formats import number_format

LABEL_WIDTH = 220
BAR_AREA = 420
BAR_HEIGHT = 18
GAP = 6
MAX_BARS = 60  # a chart of more bars is unreadable; the table has them all
# Counts are drawn in a neutral blue and targets met in green: red would read as failure.
NEUTRAL = "#0b57d0"
MET = "#1d6b35"


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    y: int
    width: int
    text_y: int


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    width: int
    height: int
    bar_x: int = LABEL_WIDTH
    value_x_pad: int = 6
    colour: str = NEUTRAL


def bar_chart(
    title: str,
    values: list[tuple[str, float]],
    *,
    unit: str = "",
    scale: float | None = None,
    colour: str = NEUTRAL,
) -> BarChart:
    """Horizontal bars; `scale` is the value of a full-width bar (100 for percentages),
    otherwise the largest value."""
    values = values[:MAX_BARS]
    top = scale or max((value for _, value in values), default=0) or 1
    bars = []
    for index, (label, value) in enumerate(values):
        y = index * (BAR_HEIGHT + GAP)
        text = f"{number_format(value)}{unit}"
        bars.append(Bar(label, text, y, round(BAR_AREA * value / top), y + BAR_HEIGHT - 4))
    height = max(len(bars), 1) * (BAR_HEIGHT + GAP)
    return BarChart(title, bars, LABEL_WIDTH + BAR_AREA + 80, height, colour=colour)
