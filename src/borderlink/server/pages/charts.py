"""Charts as server-rendered inline SVG: no script, no CDN; each has a text alternative."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from babel.numbers import format_decimal
from markupsafe import Markup

from borderlink.server.pages.i18n import N_


def bar_chart(
    bars: Sequence[tuple[str, float]],
    *,
    title: str,
    width: int = 560,
    height: int = 180,
    unit: str = "",
    percent: bool = False,
    empty: str | None = None,
) -> Markup:
    """A vertical bar chart; the title and every value are also given as text for screen readers.

    Bars labelled with a channel (red, yellow, green) take its colour, their label under them
    (so colour is never the only cue). With ``empty``, a chart with nothing but zeros is that
    sentence instead ("No data yet")."""
    if empty is not None and not any(value for _, value in bars):
        return Markup(f'<p class="muted no-data">{escape(empty)}</p>')  # noqa: S704 - escaped
    pad_left, pad_bottom, pad_top = 36, 28, 12
    inner_w, inner_h = width - pad_left - 8, height - pad_bottom - pad_top
    top = max((v for _, v in bars), default=0.0) or 1.0
    step = inner_w / max(len(bars), 1)
    bar_w = max(step * 0.7, 2.0)

    def fmt(value: float) -> str:
        return f"{value:.0%}" if percent else f"{value:,.0f}{unit}"

    description = "; ".join(f"{label}: {fmt(value)}" for label, value in bars) or "no data"
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-label="{escape(title)}: {escape(description)}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{pad_left}" y1="{pad_top + inner_h}" x2="{width - 8}" '
        f'y2="{pad_top + inner_h}" class="axis"/>',
        f'<text x="{pad_left - 4}" y="{pad_top + 4}" text-anchor="end" class="tick">'
        f"{escape(fmt(top))}</text>",
        f'<text x="{pad_left - 4}" y="{pad_top + inner_h}" text-anchor="end" class="tick">'
        f"{escape(fmt(0))}</text>",
    ]
    every = max(1, len(bars) // 7)
    for n, (label, value) in enumerate(bars):
        h = inner_h * (value / top) if top else 0
        x = pad_left + n * step + (step - bar_w) / 2
        y = pad_top + inner_h - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
            f'class="{_bar_class(label)}"><title>{escape(label)}: {escape(fmt(value))}</title>'
            "</rect>"
        )
        if (len(bars) - 1 - n) % every == 0:  # label the last bar, then every few back
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{height - 10}" text-anchor="middle" '
                f'class="tick">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated value is escaped above


CHANNELS = frozenset({"red", "yellow", "green"})


def _bar_class(label: str) -> str:
    return f"bar channel-{label}" if label in CHANNELS else "bar"


def _same(text: str) -> str:
    return text


def contribution_chart(
    bars: Sequence[tuple[str, float]],
    *,
    title: str,
    width: int = 720,
    row: int = 26,
    gettext: Callable[[str], str] = _same,
    lang: str = "en",
) -> Markup:
    """Signed contributions as horizontal bars around a zero line: to the right what raised
    the score, to the left what lowered it, each labelled in words and with its value, on a
    labelled axis. Colour is not the only cue: the side, the sign and the text say it too.
    The labels come in the reader's words; the chart's own through ``gettext``, its figures
    as ``lang`` writes them."""
    if not bars:
        return Markup(f'<p class="muted">{escape(gettext(N_("No data yet.")))}</p>')  # noqa: S704
    label_w, pad, axis_h = 280, 8, 38
    inner = width - label_w - 2 * pad
    zero = label_w + pad + inner / 2
    scale = (inner / 2 - 40) / (max(abs(v) for _, v in bars) or 1.0)
    height = row * len(bars) + axis_h

    def signed(value: float) -> str:
        return format_decimal(value, format="+#,##0.00;-#,##0.00", locale=lang)

    described = "; ".join(f"{label}: {signed(value)}" for label, value in bars)
    parts = [
        f'<svg class="chart contributions" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" style="max-width:100%;height:auto" '
        f'aria-label="{escape(title)}: {escape(described)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<line x1="{zero:.1f}" y1="0" x2="{zero:.1f}" y2="{row * len(bars)}" class="axis"/>',
    ]
    for n, (label, value) in enumerate(bars):
        y, w = n * row + 4, abs(value) * scale
        x = zero if value >= 0 else zero - w
        kind = "raises" if value > 0 else "lowers"
        text_x = zero + w + 4 if value >= 0 else zero - w - 4
        anchor = "start" if value >= 0 else "end"
        parts += [
            f'<text x="{label_w}" y="{y + row / 2:.1f}" text-anchor="end" class="label">'
            f"{escape(label)}</text>",
            f'<rect x="{x:.1f}" y="{y}" width="{max(w, 1):.1f}" height="{row - 8}" '
            f'class="bar {kind}"><title>{escape(label)}: {signed(value)}</title></rect>',
            f'<text x="{text_x:.1f}" y="{y + row / 2:.1f}" text-anchor="{anchor}" class="tick">'
            f"{signed(value)}</text>",
        ]
    base = row * len(bars) + 14
    lowered = escape(gettext(N_("◀ lowered the risk")))
    raised = escape(gettext(N_("raised the risk ▶")))
    axis = escape(gettext(N_("effect on the score against a typical declaration (log-odds)")))
    parts += [
        f'<text x="{zero - 6:.1f}" y="{base}" text-anchor="end" class="tick">{lowered}</text>',
        f'<text x="{zero + 6:.1f}" y="{base}" text-anchor="start" class="tick">{raised}</text>',
        f'<text x="{zero:.1f}" y="{base + 16}" text-anchor="middle" class="tick">{axis}</text>',
        "</svg>",
    ]
    return Markup("".join(parts))  # noqa: S704 - every interpolated text is escaped above


def duration_unit(hours: float) -> tuple[float, str]:
    """(factor, unit) to show durations up to ``hours`` in: seconds, minutes, hours or days,
    so a release seconds after arrival reads "7 s", not "0.0 h"."""
    if hours < 1 / 60:
        return 3600.0, "s"
    if hours < 1:
        return 60.0, "min"
    if hours < 48:
        return 1.0, "h"
    return 1 / 24, "days"


def duration(hours: float | None) -> str:
    """One duration in the unit that suits it ("7 s", "12 min", "3.4 h", "2.5 days")."""
    if hours is None:
        return "\u2013"  # an en dash: no value
    factor, unit = duration_unit(hours)
    value = hours * factor
    return f"{value:.0f} {unit}" if unit in ("s", "min") else f"{value:.1f} {unit}"
