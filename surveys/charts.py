"""Geometry for the report's bar charts, drawn in HTML and CSS so they reflow from a phone to a desktop.

Positions are percentages of the plot's width; the template only draws what this computes. Labels are
the questions' own words (long, so they wrap: above the bars on a phone, beside them on a desktop), the
legend is a list under the chart, and every chart's page gives the same numbers in a table.
"""

SERIES_CLASSES = ["bar-a", "bar-b", "bar-c", "bar-d", "bar-e", "bar-f", "bar-g", "bar-h"]


def hbar_chart(groups, *, series, low, high, unit="", name_values=False, legend=True):
    """groups: [(label, [value or None per series])]; a horizontal grouped bar chart from `low` to `high`.

    `name_values` writes the series name before each value ("Before 4.2"), for charts whose series
    are short words; the legend under the chart names them too.
    """
    span = (high - low) or 1

    def x(value):
        return (min(max(value, low), high) - low) / span * 100

    zero = x(max(low, min(0, high)))
    drawn = []
    for label, values in groups:
        bars = []
        for index, value in enumerate(values):
            cls = SERIES_CLASSES[index % len(SERIES_CLASSES)]
            if value is None:
                bars.append({"cls": cls, "series": series[index], "value": None, "text": "no answers"})
                continue
            left, right = sorted((zero, x(value)))
            text = f"{'+' if unit == '%' and value > 0 else ''}{value:g}{unit}"
            bars.append(
                {
                    "cls": cls,
                    "series": series[index],
                    "value": value,
                    "text": f"{series[index]} {text}" if name_values else text,
                    "left": round(left, 2),
                    "width": round(max(right - left, 0.4), 2),
                    # A value below zero is written to the left of its bar, the others to the right.
                    "negative": value < 0,
                    "text_at": round(100 - left if value < 0 else right, 2),
                }
            )
        drawn.append({"label": label, "bars": bars})
    ticks = []
    step = _tick_step(span)
    tick = low
    while tick <= high + 1e-9:
        ticks.append({"at": round(x(tick), 2), "label": f"{tick:g}{unit}", "zero": tick == 0 and low < 0})
        tick += step
    return {
        "groups": drawn,
        "ticks": ticks,
        "has_negative": low < 0,
        "legend": [{"label": name, "cls": SERIES_CLASSES[i % len(SERIES_CLASSES)]} for i, name in enumerate(series)]
        if len(series) > 1
        else [],
    }


def _tick_step(span):
    for step in (1, 2, 5, 10, 20, 25, 50, 100):
        if span / step <= 8:
            return step
    return span / 5


def report_charts(report, wordings):
    """The report page's two charts; `wordings` gives each question's words by its code."""
    likert = hbar_chart(
        [(wordings.get(item["code"], ""), [item["pre_mean"], item["post_mean"]]) for item in report["questions"]],
        series=["Before", "After"],
        low=0,
        high=5,
        name_values=True,
    )
    activities = hbar_chart(
        [(item["title"], [item["mean"]]) for item in report["activities"]],
        series=["Average rating"],
        low=0,
        high=5,
        legend=False,
    )
    return {"likert": likert, "activities": activities}


def years_chart(comparison, wordings):
    names = [f"{programme.title} ({programme.start_date:%b %Y})" for programme in comparison["programmes"]]
    groups = [
        (wordings.get(row["code"], ""), [cell["change_pct"] if cell else None for cell in row["cells"]])
        for row in comparison["rows"]
    ]
    values = [v for _label, vals in groups for v in vals if v is not None]
    low = min([0, *values])
    high = max([0, *values])
    low = -10 * ((-low + 9.999) // 10) if low < 0 else 0
    high = 10 * ((high + 9.999) // 10) if high > 0 else 10
    return hbar_chart(groups, series=names, low=low, high=high, unit="%")
