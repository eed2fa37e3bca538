"""Small server-side SVG charts for the trends page (no JavaScript, no plotting library).

Labels are escaped: persona names and area ids come from data."""

from __future__ import annotations

from xml.sax.saxutils import escape

COLOURS = ("#1f5f8b", "#d9822b", "#3c8d40", "#9c3d8f", "#b23b3b", "#5c5c5c")


def line_chart_svg(xs: list[str], series: dict[str, list[float]], *, title: str = "", width: int = 640,
                   height: int = 260) -> str:
    """One line per series over the x labels, with a legend."""
    left, right, top, bottom = 40, 150, 20, 40
    w, h = width - left - right, height - top - bottom
    peak = max([max(v) for v in series.values() if v] + [1.0])
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{escape(title)}" font-family="sans-serif" font-size="11">',
           f'<line x1="{left}" y1="{top + h}" x2="{left + w}" y2="{top + h}" stroke="#999"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + h}" stroke="#999"/>',
           f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{peak:g}</text>',
           f'<text x="{left - 4}" y="{top + h}" text-anchor="end">0</text>']
    n = max(1, len(xs) - 1)
    for k, x in enumerate(xs):
        if len(xs) <= 8 or k % max(1, len(xs) // 6) == 0:
            out.append(f'<text x="{left + w * k / n:.1f}" y="{top + h + 16}" text-anchor="middle">{escape(x[5:])}</text>')
    for c, (name, values) in enumerate(series.items()):
        colour = COLOURS[c % len(COLOURS)]
        pts = " ".join(f"{left + w * k / n:.1f},{top + h - h * v / peak:.1f}" for k, v in enumerate(values))
        if values:
            out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{pts}"/>')
            out.extend(f'<circle cx="{left + w * k / n:.1f}" cy="{top + h - h * v / peak:.1f}" r="3" fill="{colour}"/>'
                       for k, v in enumerate(values) if v)
        out.append(f'<rect x="{left + w + 12}" y="{top + 16 * c}" width="10" height="10" fill="{colour}"/>'
                   f'<text x="{left + w + 26}" y="{top + 16 * c + 9}">{escape(name)}</text>')
    out.append("</svg>")
    return "".join(out)


def bar_chart_svg(values: dict[str, float], *, width: int = 640, bar: int = 22) -> str:
    """Horizontal bars, one per label, largest first."""
    rows = sorted(values.items(), key=lambda kv: -kv[1])[:20]
    peak = max([v for _, v in rows] + [1.0])
    height = 20 + bar * max(1, len(rows))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="engagement per segment" font-family="sans-serif" font-size="11">']
    for k, (label, v) in enumerate(rows):
        y = 10 + k * bar
        out.append(f'<text x="150" y="{y + 14}" text-anchor="end">{escape(label)}</text>'
                   f'<rect x="156" y="{y + 3}" width="{(width - 220) * v / peak:.1f}" height="{bar - 6}" '
                   f'fill="{COLOURS[0]}"/><text x="{160 + (width - 220) * v / peak:.1f}" y="{y + 14}">{v:g}</text>')
    out.append("</svg>")
    return "".join(out)


def topic_chart_svg(rows: list[tuple[str, float, float, str]], *, now_label: str, before_label: str,
                    width: int = 640, bar: int = 26) -> str:
    """One row per topic: a bar for the current period over a thin bar for the previous one, the
    label on the left and a mark (``"↑ rising"``, ``"↓ falling"`` or ``""``) after the bars."""
    peak = max([max(now, before) for _, now, before, _ in rows] + [1.0])
    left, span = 230, width - 330
    height = 34 + bar * max(1, len(rows))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{escape(now_label)} / {escape(before_label)}" font-family="sans-serif" font-size="11">',
           f'<rect x="{left}" y="4" width="10" height="10" fill="{COLOURS[0]}"/>'
           f'<text x="{left + 14}" y="13">{escape(now_label)}</text>'
           f'<rect x="{left + 90}" y="8" width="10" height="4" fill="{COLOURS[5]}"/>'
           f'<text x="{left + 104}" y="13">{escape(before_label)}</text>']
    for k, (label, now, before, mark) in enumerate(rows):
        y = 24 + k * bar
        colour = COLOURS[2] if mark.startswith("↑") else COLOURS[4] if mark.startswith("↓") else COLOURS[0]
        short = label if len(label) <= 38 else label[:37] + "…"
        out.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">{escape(short)}</text>'
                   f'<rect x="{left}" y="{y + 3}" width="{span * now / peak:.1f}" height="{bar - 12}" fill="{colour}"/>'
                   f'<rect x="{left}" y="{y + bar - 8}" width="{span * before / peak:.1f}" height="3" '
                   f'fill="{COLOURS[5]}"/>'
                   f'<text x="{left + span * max(now, before) / peak + 6:.1f}" y="{y + 13}">{now:g}/{before:g} '
                   f'{escape(mark)}</text>')
    out.append("</svg>")
    return "".join(out)
