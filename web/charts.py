"""Small server-side SVG bar charts (no script, no CDN): the geometry is computed here, the template draws it."""
from __future__ import annotations

from collections.abc import Sequence

WIDTH, LABEL_W, BAR_H, GAP = 640, 210, 18, 12
PLOT_W = WIDTH - LABEL_W - 60


def bars(rows: Sequence[tuple[str, Sequence[float | None]]], series: Sequence[str]) -> dict:
    """Grouped horizontal bars: one group per row (its label), one bar per series, scaled to the largest value."""
    top = max((v for _label, values in rows for v in values if v is not None), default=0) or 1
    groups, y = [], 8
    for label, values in rows:
        items = []
        for i, value in enumerate(values):
            width = 0.0 if value is None else round(PLOT_W * value / top, 1)
            items.append({"y": y + i * BAR_H, "width": width, "value": value, "series": i,
                          "text_x": LABEL_W + width + 4, "text_y": y + i * BAR_H + BAR_H - 3})
        group_h = BAR_H * len(series)
        groups.append({"label": label, "label_y": y + group_h / 2 + 4, "bars": items})
        y += group_h + GAP
    legend_y = y + 6
    return {"width": WIDTH, "height": legend_y + 20, "label_w": LABEL_W, "bar_h": BAR_H - 2, "groups": groups,
            "legend": [{"name": name, "series": i, "x": 10 + i * 210, "y": legend_y} for i, name in enumerate(series)]}
