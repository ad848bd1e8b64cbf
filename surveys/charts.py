"""Geometry for the report's server-rendered SVG bar charts (the template only draws what this computes)."""

LABEL_WIDTH = 170
CHART_WIDTH = 560
BAR_HEIGHT = 18
BAR_GAP = 4
GROUP_GAP = 16
TOP = 24
SERIES_CLASSES = ["bar-a", "bar-b", "bar-c", "bar-d", "bar-e", "bar-f"]


def hbar_chart(groups, *, series, low, high, unit="", label_width=LABEL_WIDTH, width=CHART_WIDTH):
    """groups: [(label, [value or None per series])]; a horizontal grouped bar chart from `low` to `high`."""
    plot = width - label_width - 50
    span = (high - low) or 1

    def x(value):
        return label_width + (value - low) / span * plot

    zero = x(max(low, min(0, high)))
    y = TOP
    drawn = []
    for label, values in groups:
        bars = []
        group_top = y
        for index, value in enumerate(values):
            if value is not None:
                left, right = sorted((zero, x(value)))
                bars.append(
                    {
                        "x": round(left, 1),
                        "y": y,
                        "width": round(max(right - left, 1), 1),
                        "height": BAR_HEIGHT,
                        "cls": SERIES_CLASSES[index % len(SERIES_CLASSES)],
                        "value": value,
                        "text_x": round(max(right, zero) + 4, 1),
                        "text_y": y + BAR_HEIGHT - 5,
                        "series": series[index],
                    }
                )
            y += BAR_HEIGHT + BAR_GAP
        drawn.append({"label": label, "label_y": (group_top + y - BAR_GAP) / 2 + 5, "bars": bars})
        y += GROUP_GAP
    ticks = []
    step = _tick_step(span)
    tick = low
    while tick <= high + 1e-9:
        ticks.append({"x": round(x(tick), 1), "label": f"{tick:g}{unit}"})
        tick += step
    legend = [
        {"label": name, "cls": SERIES_CLASSES[i % len(SERIES_CLASSES)], "x": label_width + i * 150}
        for i, name in enumerate(series)
    ]
    return {
        "width": width,
        "height": y + 24,
        "groups": drawn,
        "ticks": ticks,
        "axis_y": y,
        "zero_x": round(zero, 1),
        "top": TOP,
        "legend": legend,
        "label_x": label_width - 8,
    }


def _tick_step(span):
    for step in (1, 2, 5, 10, 20, 25, 50, 100):
        if span / step <= 8:
            return step
    return span / 5


def report_charts(report):
    likert = hbar_chart(
        [(item["code"].replace("_", " "), [item["pre_mean"], item["post_mean"]]) for item in report["questions"]],
        series=["Before", "After"],
        low=0,
        high=5,
    )
    activities = hbar_chart(
        [(_short(item["title"], 44), [item["mean"]]) for item in report["activities"]],
        series=["Mean rating"],
        low=0,
        high=5,
        label_width=300,
        width=700,
    )
    return {"likert": likert, "activities": activities}


def years_chart(comparison):
    names = [_short(programme.title, 24) for programme in comparison["programmes"]]
    groups = [
        (row["code"].replace("_", " "), [cell["change_pct"] if cell else None for cell in row["cells"]])
        for row in comparison["rows"]
    ]
    values = [v for _label, vals in groups for v in vals if v is not None]
    low = min([0, *values])
    high = max([0, *values])
    low = -10 * ((-low + 9.999) // 10) if low < 0 else 0
    high = 10 * ((high + 9.999) // 10) if high > 0 else 10
    return hbar_chart(groups, series=names, low=low, high=high, unit="%")


def _short(text, length):
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
