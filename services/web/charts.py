"""Charts drawn on the server as SVG: no script, printable, and the same in the PDF.

Each chart sits beside an HTML table of the same figures, which is what assistive technology
reads; the drawing is named (``role="img"`` and a title) and says where its figures are.
Colours are attributes, not stylesheet classes, because the PDF renderer draws SVG on its own;
every pair used meets 3:1 against its background (WCAG 1.4.11).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from services.web.i18n import number


@dataclass(frozen=True)
class Palette:
    ink: str
    muted: str
    bar: str
    second: str
    warn: str
    grid: str


LIGHT = Palette(ink="#1b1f24", muted="#4d5561", bar="#1858b8", second="#1a7f37", warn="#b42318", grid="#8c959f")
DARK = Palette(ink="#f2f4f7", muted="#c4cad3", bar="#6cb6ff", second="#56d364", warn="#ff7b72", grid="#6e7681")


def _fmt(value: float) -> str:
    return number(value)


def hbars(rows: list[tuple[str, float | None]], *, title: str, unit: str = "", max_value: float | None = None,
          norm: float | None = None, norm_label: str = "", palette: Palette = LIGHT, width: int = 560) -> Markup:
    """Horizontal bars, one a row, value written at its end; an optional norm line across."""
    label_w, row_h, pad = min(260, width // 3), 26, 8
    chars = label_w // 8   # about what fits at 13 px
    top = max_value if max_value is not None else max([v for _, v in rows if v is not None] or [1]) or 1
    plot_w = width - label_w - 70
    height = pad * 2 + row_h * max(len(rows), 1) + (18 if norm is not None else 0)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
           f'width="100%" preserveAspectRatio="xMinYMin meet" class="chart"><title>{escape(title)}</title>']
    for i, (label, value) in enumerate(rows):
        y = pad + i * row_h
        short = label if len(label) <= chars else label[:chars - 1] + "…"
        out.append(f'<text x="{label_w - 6}" y="{y + 17}" text-anchor="end" font-size="13" fill="{palette.ink}">'
                   f'{escape(short)}</text>')
        if value is None:
            out.append(f'<text x="{label_w + 4}" y="{y + 17}" font-size="13" fill="{palette.muted}">–</text>')
            continue
        w = max(1.0, plot_w * min(value, top) / top)
        colour = palette.warn if norm is not None and value < norm else palette.bar
        out.append(f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" fill="{colour}"/>')
        out.append(f'<text x="{label_w + w + 5:.1f}" y="{y + 17}" font-size="13" fill="{palette.ink}">'
                   f'{_fmt(value)}{escape(unit)}</text>')
    if norm is not None:
        x = label_w + plot_w * min(norm, top) / top
        bottom = pad + row_h * max(len(rows), 1)
        out.append(f'<line x1="{x:.1f}" y1="{pad}" x2="{x:.1f}" y2="{bottom}" stroke="{palette.ink}" '
                   f'stroke-width="2" stroke-dasharray="5 3"/>')
        out.append(f'<text x="{x:.1f}" y="{bottom + 14}" text-anchor="middle" font-size="12" fill="{palette.ink}">'
                   f'{escape(norm_label)} {_fmt(norm)}{escape(unit)}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def series(points: list[tuple[str, list[float]]], *, title: str, names: list[str], palette: Palette = LIGHT,
           width: int = 640, height: int = 200) -> Markup:
    """Lines over time (a day or a month a point), the first and last label under the axis."""
    left, right, top, bottom = 44, 12, 12, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([v for _, values in points for v in values] or [1]) or 1
    step = plot_w / max(len(points) - 1, 1)
    colours = [palette.bar, palette.second, palette.warn]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" width="100%" '
           f'preserveAspectRatio="xMinYMin meet" class="chart"><title>{escape(title)}</title>']
    for frac in (0, 0.5, 1):
        y = top + plot_h * (1 - frac)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{palette.grid}" stroke-width="1"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" fill="{palette.muted}">'
                   f'{_fmt(round(peak * frac))}</text>')
    for s, name in enumerate(names):
        coords = " ".join(f"{left + i * step:.1f},{top + plot_h * (1 - values[s] / peak):.1f}"
                          for i, (_, values) in enumerate(points))
        dash = ' stroke-dasharray="6 3"' if s else ""
        out.append(f'<polyline points="{coords}" fill="none" stroke="{colours[s % 3]}" stroke-width="3"{dash}/>')
        out.append(f'<rect x="{left + s * 150}" y="{height - 14}" width="14" height="4" fill="{colours[s % 3]}"/>'
                   f'<text x="{left + s * 150 + 20}" y="{height - 8}" font-size="12" fill="{palette.ink}">{escape(name)}</text>')
    if points:
        out.append(f'<text x="{left}" y="{height - 24}" font-size="12" fill="{palette.muted}">{escape(points[0][0])}</text>')
        out.append(f'<text x="{width - right}" y="{height - 24}" text-anchor="end" font-size="12" '
                   f'fill="{palette.muted}">{escape(points[-1][0])}</text>')
    out.append("</svg>")
    return Markup("".join(out))
