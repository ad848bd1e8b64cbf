"""Server-drawn SVG charts (pygal) for the trends pages: no script, each beside a table of its numbers.

pygal adds a small script for hover tooltips; it is taken out (the page's Content Security Policy would
refuse it anyway), so the chart is a plain picture whose numbers are printed on it and in the table.
A hidden figure (suppressed, or not measured) is a gap in the chart, never a zero.
"""

from __future__ import annotations

import pygal
from lxml import etree
from pygal.style import Style

STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#212529",
    foreground_strong="#212529",
    foreground_subtle="#6c757d",
    # Bootstrap's primary, a dark teal, an orange and a grey: told apart without colour by their order and labels.
    colors=("#0d6efd", "#146c43", "#b35c00", "#6c757d"),
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    label_font_size=15,
    major_label_font_size=15,
    value_font_size=16,
    legend_font_size=15,
    title_font_size=16,
)


def _render(chart, title: str) -> str:
    tree = chart.render_tree()
    for script in [el for el in tree.iter() if str(el.tag).rsplit("}", 1)[-1] == "script"]:
        script.getparent().remove(script)
    tree.set("role", "img")
    tree.set("aria-label", title)
    tree.set("focusable", "false")
    return etree.tostring(tree, encoding="unicode")


def bar_chart(
    title: str, labels: list[str], series: list[tuple[str, list[float | None]]], *, unit: str = ""
) -> str | None:
    """A bar chart as SVG text, or None when there is nothing to draw."""
    if not labels or not any(v is not None for _name, values in series for v in values):
        return None
    chart = pygal.Bar(
        js=[],
        style=STYLE,
        disable_xml_declaration=True,
        explicit_size=False,
        width=600,
        height=340,
        print_values=True,
        print_zeroes=True,
        legend_at_bottom=True,
        legend_at_bottom_columns=1,
        show_legend=len(series) > 1,
        truncate_legend=-1,
        truncate_label=-1,
        x_label_rotation=0 if len(labels) <= 6 else 30,
        value_formatter=lambda v: f"{v:g}{unit}",
        margin_bottom=10,
    )
    chart.x_labels = labels
    for name, values in series:
        chart.add(name, values)
    return _render(chart, title)
