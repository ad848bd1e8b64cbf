"""The trends pages' sections (a chart, a sentence saying what it shows, a table of its numbers) and the
export, from the published rows of reports.trends. Words only: no ids, no codes."""

from __future__ import annotations

from typing import Any

from . import charts
from .trends import PIPELINE, REACH


def _count(cell: dict[str, Any], with_share: bool = True) -> str:
    if cell["count"] is None:
        return cell["text"]
    return f"{cell['text']} ({cell['pct_text']})" if with_share and cell["pct_text"] else cell["text"]


def _table_rows(figures: dict[str, Any], *, by_programme: bool) -> list[dict[str, Any]]:
    """Each year's programmes, then the year's total when it had more than one, then every year together."""
    rows = []
    for year in figures["years"]:
        programmes = [p for p in figures.get("programmes", []) if p["year"] == year["year"]] if by_programme else []
        for row in programmes:
            when = f"{row['start_date']:%B %Y}"
            name = row["label"] if str(row["year"]) in row["label"] else f"{row['label']} ({when})"
            rows.append({**row, "name": name, "total": False})
        if len(programmes) != 1:
            name = f"{year['label']}, all programmes" if programmes else year["label"]
            rows.append({**year, "name": name, "total": bool(programmes)})
    if figures.get("all"):
        rows.append({**figures["all"], "name": figures["all"]["label"], "total": True})
    return rows


def _summary_range(values: list[tuple[str, Any]], what: str, fmt) -> str:
    known = [(label, v) for label, v in values if v is not None]
    if not known:
        return (
            f"{what[0].upper()}{what[1:]} cannot be shown yet: too few students to count safely, or nothing recorded."
        )
    if len(known) == 1:
        return f"{what[0].upper()}{what[1:]}: {fmt(known[0][1])} in {known[0][0]}."
    (first_label, first), (last_label, last) = known[0], known[-1]
    trend = "up from" if last > first else "down from" if last < first else "the same as"
    return f"{what[0].upper()}{what[1:]}: {fmt(last)} in {last_label}, {trend} {fmt(first)} in {first_label}."


def sections(figures: dict[str, Any], *, by_programme: bool, national: bool = False) -> list[dict[str, Any]]:
    rows = _table_rows(figures, by_programme=by_programme)
    years = figures["years"]
    labels = [y["label"] for y in years]
    first_cols = [("Forces", lambda r: str(r["forces"]))] if national else []
    first_cols += [("Programmes", lambda r: str(r["programmes"]))] if national or not by_programme else []
    out = []

    reach_cols = [*first_cols, ("Places", lambda r: str(r["places"])), ("Students", lambda r: str(r["students"]))]
    for key, words, _other in REACH:
        reach_cols.append((words, lambda r, key=key: _count(r["cells"][key])))
    out.append(
        {
            "id": "places",
            "title": "Places and who was reached",
            "svg": charts.bar_chart(
                "Places offered and students who took part, by year",
                labels,
                [("Places offered", [y["places"] for y in years]), ("Students", [y["students"] for y in years])],
            ),
            "caption": "Places offered and students who took part, by year",
            "summary": _summary_range([(y["label"], y["students"]) for y in years], "students who took part", str)
            + " "
            + _summary_range(
                [(y["label"], y["cells"]["send"]["pct"]) for y in years],
                "the share from special (SEND or LDD) schools",
                lambda v: f"{v}%",
            ),
            "columns": [c for c, _f in reach_cols],
            "rows": [_cells(r, reach_cols) for r in rows],
        }
    )

    survey_cols = [
        *first_cols,
        ("Students who answered both surveys", lambda r: str(r["survey_n"]) if r["survey_n"] else "too few to show"),
        ("Change in how approachable they find the police", lambda r: r["survey_change_text"] or "not shown"),
    ]
    out.append(
        {
            "id": "survey",
            "title": "How students' views of the police changed",
            "svg": charts.bar_chart(
                "Change in the average approachability score from before to after the week, by year, in percent",
                labels,
                [("Approachability", [y["survey_change"] for y in years])],
                unit="%",
            ),
            "caption": "Change in the average approachability score from before to after the week, by year (%)",
            "summary": _summary_range(
                [(y["label"], y["survey_change"]) for y in years],
                "the change in approachability",
                lambda v: f"{'+' if v > 0 else ''}{v:.1f}%",
            )
            + " Counted only for programmes where at least "
            f"{figures['threshold']} students answered both surveys; there is no comparison group, so a change "
            "cannot be put down to the week alone.",
            "columns": [c for c, _f in survey_cols],
            "rows": [_cells(r, survey_cols) for r in rows],
        }
    )

    cost_cols = [
        *first_cols,
        ("Students", lambda r: str(r["students"])),
        ("Spent", lambda r: r["spent_text"]),
        ("Cost per student", lambda r: r["cost_per_student_text"] or "no spend recorded"),
    ]
    out.append(
        {
            "id": "cost",
            "title": "Cost per student",
            "svg": charts.bar_chart(
                "Cost per student in pounds, by year",
                labels,
                [
                    (
                        "Cost per student (£)",
                        [float(y["cost_per_student"]) if y["cost_per_student"] else None for y in years],
                    )
                ],
            ),
            "caption": "Cost per student in pounds, by year (spend recorded in the budget; staff time not included)",
            "summary": _summary_range(
                [(y["label"], y["cost_per_student"]) for y in years], "the cost per student", lambda v: f"£{v:,.0f}"
            ),
            "columns": [c for c, _f in cost_cols],
            "rows": [_cells(r, cost_cols) for r in rows],
        }
    )

    pipe_cols = list(first_cols)
    if not national:
        pipe_cols.append(("Mentor contacts made", lambda r: str(r["contacts"])))
    for key, words in PIPELINE:
        pipe_cols.append((words, lambda r, key=key: _count(r["cells"][key])))
    out.append(
        {
            "id": "pipeline",
            "title": "After the week: mentoring and applications to the police",
            "svg": charts.bar_chart(
                "Students given a mentor, who applied, joined cadets or the specials, or were recruited, by year",
                labels,
                [(words, [y["cells"][key]["count"] for y in years]) for key, words in PIPELINE],
            ),
            "caption": "Students given a mentor, who applied, joined cadets or the specials, or were recruited",
            "summary": _summary_range(
                [(y["label"], y["cells"]["mentored"]["count"]) for y in years],
                "students given a career mentor",
                str,
            )
            + " Milestones are counted as mentors record them, so recent years are still filling in.",
            "columns": [c for c, _f in pipe_cols],
            "rows": [_cells(r, pipe_cols) for r in rows],
        }
    )
    if len(years) < 2:
        # A chart of one bar per series compares nothing: say so, and let the table carry the numbers.
        for section in out:
            section["svg"] = None
            section["one_year"] = True
    return out


def _cells(row: dict[str, Any], cols) -> dict[str, Any]:
    return {"name": row["name"], "total": row["total"], "cells": [(col, fn(row)) for col, fn in cols]}


def trends_context(figures: dict[str, Any]) -> dict[str, Any]:
    return {"f": figures, "sections": sections(figures, by_programme=True) if figures["years"] else []}


def national_context(figures: dict[str, Any]) -> dict[str, Any]:
    return {"sections": sections(figures, by_programme=False, national=True) if figures["years"] else []}


def _share(key):
    """A share of the students, or why it is not shown ("fewer than 5 students", "not shown")."""

    def text(row):
        cell = row["cells"][key]
        if cell["count"] is not None:
            return cell["pct_text"]
        return f"{cell['text']} students" if cell["text"].startswith("fewer") else cell["text"]

    return text


COMPARED = [
    ("From a special (SEND or LDD) school", _share("send")),
    ("From the most deprived 30% of areas", _share("deprived")),
    ("Had chosen the police first", _share("first")),
    ("Change in approachability", lambda r: r["survey_change_text"]),
    ("Cost per student", lambda r: r["cost_per_student_text"]),
    ("Given a career mentor", _share("mentored")),
    ("Applied to the police or were recruited", _share("applied")),
]


def comparison_rows(figures: dict[str, Any], national: dict[str, Any]) -> list[dict[str, Any]]:
    """Per year the force and the nation both have: the force's shares beside the national ones."""
    own = {y["year"]: y for y in figures["years"]}
    years = []
    for year in national["years"]:
        mine = own.get(year["year"])
        if mine is None:
            continue
        rows = [
            {"what": words, "force": fn(mine) or "not shown", "national": fn(year) or "not shown"}
            for words, fn in COMPARED
        ]
        years.append({"year": year["label"], "forces": year["forces"], "rows": rows})
    return years


EXPORT_HEADER = [
    "Year",
    "Programme (or the year's total)",
    "Places offered",
    "Students",
    *[words for _key, words, _other in REACH],
    "Students who answered both surveys",
    "Change in approachability (%)",
    "Spent (£)",
    "Cost per student (£)",
    "Mentor contacts made",
    *[words for _key, words in PIPELINE],
]


def export_rows(figures: dict[str, Any]):
    """The trends as published on the page (hidden cells read as on the page), one row per programme and year."""
    for row in _table_rows(figures, by_programme=True):
        yield [
            row["year"] or "",
            row["name"],
            row["places"],
            row["students"],
            *[
                row["cells"][key]["count"] if row["cells"][key]["count"] is not None else row["cells"][key]["text"]
                for key, _w, _o in REACH
            ],
            row["survey_n"] or "",
            row["survey_change"] if row["survey_change"] is not None else "",
            float(row["spent"]),
            float(row["cost_per_student"]) if row["cost_per_student"] is not None else "",
            row["contacts"],
            *[
                row["cells"][key]["count"] if row["cells"][key]["count"] is not None else row["cells"][key]["text"]
                for key, _w in PIPELINE
            ],
        ]
