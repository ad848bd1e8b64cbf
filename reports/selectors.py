"""The practice report's figures, gathered from every app's own public reads. Plain values only, so the
PDF, the DOCX and the preview page render the same thing (and later parts can reuse the figures).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Count, Q

from mentoring.models import MentorAssignment, MentorContact, Outcome
from placements.models import Attendance, Placement, Programme, Session
from placements.selectors import budget_summary, staff_hours
from placements.tasklist import shared_facts
from schools.models import Institution, Nomination
from surveys.explain import change_verdict, format_p
from surveys.models import Answer, Question
from surveys.report import programme_report
from surveys.selectors import question_wordings

from . import reach
from .models import PracticeReport

# Short names for the standard before-and-after questions; others use the question's words.
QUESTION_NAMES = {
    "approachability": "Approachability",
    "trust": "Trust",
    "fairness": "Fairness",
    "career_interest": "Interest in a police career",
}
SIMPLE_FRACTIONS = {
    Fraction(1, 4): "a quarter",
    Fraction(1, 3): "a third",
    Fraction(1, 2): "half",
    Fraction(2, 3): "two-thirds",
    Fraction(3, 4): "three-quarters",
    Fraction(1, 1): "all",
}


def report_for(programme: Programme) -> PracticeReport:
    """The programme's report row, unsaved and empty if the coordinator has written nothing yet."""
    return PracticeReport.objects.filter(programme=programme).first() or PracticeReport(programme=programme)


def share_in_words(part: int, whole: int) -> str:
    """'two-thirds' when the share is exactly a simple fraction, else a whole percentage ('63%')."""
    if not whole:
        return ""
    fraction = Fraction(part, whole)
    if fraction in SIMPLE_FRACTIONS:
        return SIMPLE_FRACTIONS[fraction]
    return f"{_whole_pct(part * 100 / whole)}%"


def _whole_pct(value) -> int:
    return int(Decimal(str(value)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def _pounds(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"£{value:,.2f}".removesuffix(".00")


def _lines(text: str) -> list[str]:
    return [line.strip(" -•\t") for line in text.splitlines() if line.strip(" -•\t")]


# --- reach ------------------------------------------------------------------------------------


def _students(programme: Programme) -> list[dict[str, Any]]:
    """One row per confirmed placement: only the characteristics counted, never a name."""
    return list(
        Placement.objects.for_programme(programme)
        .active()
        .values(
            "pk",
            "nomination__gender",
            "nomination__institution__is_send",
            "nomination__institution__idaci_decile",
            "nomination__institution__fsm_pct",
        )
        .order_by("pk")
    )


def _band(rows, key, bands):
    cells = defaultdict(set)
    for row in rows:
        cells[key(row)].add(row["pk"])
    return [(label, cells.get(label, set())) for label in bands]


def _deprivation(row):
    decile = row["nomination__institution__idaci_decile"]
    if decile is None:
        return "Not known"
    if decile <= 3:
        return "Most deprived 30% of areas (deciles 1 to 3)"
    if decile <= 7:
        return "Middle 40% (deciles 4 to 7)"
    return "Least deprived 30% (deciles 8 to 10)"


def _free_meals(row):
    pct = row["nomination__institution__fsm_pct"]
    if pct is None:
        return "Not known"
    return "A quarter or more of pupils" if pct >= 25 else "Fewer than a quarter of pupils"


GENDER_LABELS = {
    Nomination.Gender.FEMALE: "Female",
    Nomination.Gender.MALE: "Male",
    Nomination.Gender.NON_BINARY: "Non-binary or another gender",
    Nomination.Gender.OTHER: "Non-binary or another gender",
}


def reach_tables(programme: Programme, *, threshold: int = reach.THRESHOLD) -> dict[str, Any]:
    """Who was reached, with every cell under the threshold (or recoverable from others) hidden."""
    rows = _students(programme)
    population = {row["pk"] for row in rows}
    total = len(rows)
    milestones = defaultdict(set)
    for placement_id, milestone in Outcome.objects.filter(placement__in=population).values_list(
        "placement_id", "milestone"
    ):
        milestones[milestone].add(placement_id)
    mentored = set(
        MentorAssignment.objects.filter(placement__in=population).values_list("placement_id", flat=True).distinct()
    )
    tables = [
        reach.table(
            "gender",
            "Gender",
            _band(
                rows,
                lambda r: GENDER_LABELS.get(r["nomination__gender"], "Not given"),
                ["Female", "Male", "Non-binary or another gender", "Not given"],
            ),
            total=total,
        ),
        reach.table(
            "send",
            "Special educational needs and disabilities (SEND)",
            _band(
                rows,
                lambda r: (
                    "From a SEND or LDD school" if r["nomination__institution__is_send"] else "From another school"
                ),
                ["From a SEND or LDD school", "From another school"],
            ),
            total=total,
        ),
        reach.table(
            "deprivation",
            "Deprivation of the school's area (IDACI decile)",
            _band(
                rows,
                _deprivation,
                [
                    "Most deprived 30% of areas (deciles 1 to 3)",
                    "Middle 40% (deciles 4 to 7)",
                    "Least deprived 30% (deciles 8 to 10)",
                    "Not known",
                ],
            ),
            total=total,
        ),
        reach.table(
            "free_meals",
            "Free school meals at the student's school",
            _band(rows, _free_meals, ["A quarter or more of pupils", "Fewer than a quarter of pupils", "Not known"]),
            total=total,
        ),
        reach.table(
            "pipeline",
            "After the week: mentoring and milestones",
            [("Given a career mentor", mentored)]
            + [(label, milestones.get(value, set())) for value, label in Outcome.Milestone.choices],
            total=total,
            partition=False,
        ),
    ]
    published = reach.publish(tables, population, threshold)
    return {
        "total": total,
        "threshold": threshold,
        "tables": [
            {
                "key": t.key,
                "title": t.title,
                "rows": t.shown_rows(threshold),
                "total": t.total,
                "partition": t.partition,
            }
            for t in published
        ],
        "any_hidden": any(not cell.shown for t in published for cell in t.cells),
        "_published": published,
        "_population": population,
    }


def selection_facts(programme: Programme) -> dict[str, Any]:
    """Schools and areas taking part, and how many were nominated for how many places."""
    schools = list(
        Institution.objects.filter(allocations__programme=programme)
        .annotate(placed=Count("nominations__placement", filter=Q(nominations__placement__programme=programme)))
        .order_by("name")
        .values("name", "is_send", "area", "local_authority", "placed")
    )
    nominated = Nomination.objects.filter(programme=programme).count()
    return {
        "schools": [school["name"] for school in schools],
        "school_count": len(schools),
        "schools_with_places": sum(1 for school in schools if school["placed"]),
        "send_school_count": sum(1 for school in schools if school["is_send"]),
        "areas": sorted({school["area"] for school in schools if school["area"]}),
        "local_authorities": sorted({school["local_authority"] for school in schools if school["local_authority"]}),
        "nominated": nominated,
        "capacity": programme.capacity,
        "reserved_send_places": programme.reserved_send_places,
    }


# --- delivery ---------------------------------------------------------------------------------


def delivery_facts(programme: Programme) -> dict[str, Any]:
    sessions = list(
        Session.objects.filter(programme=programme)
        .select_related("activity__department", "replaces__activity")
        .order_by("starts_at")
    )
    planned = [s for s in sessions if s.status == Session.Status.PLANNED]
    by_activity: dict[int, dict[str, Any]] = {}
    for session in planned:
        activity = session.activity
        row = by_activity.setdefault(
            activity.pk,
            {
                "title": activity.title,
                "kind": activity.get_kind_display(),
                "delivered_by": activity.department.name if activity.department else activity.community_partner,
                "sessions": 0,
                "staff": activity.staff_needed,
            },
        )
        row["sessions"] += 1
    activities = sorted(by_activity.values(), key=lambda r: (r["kind"], r["title"]))
    swaps = [
        f"{s.replaces.activity.title} was replaced by {s.activity.title}"
        for s in planned
        if s.replaces_id and s.replaces.activity_id != s.activity_id
    ]
    hours = staff_hours(programme=programme)
    attendance = Attendance.objects.filter(placement__programme=programme, placement__status="confirmed").aggregate(
        marks=Count("pk"),
        present=Count("pk", filter=Q(status=Attendance.Status.PRESENT)),
        late=Count("pk", filter=Q(status=Attendance.Status.LATE)),
        absent=Count("pk", filter=Q(status=Attendance.Status.ABSENT)),
    )
    attended = attendance["present"] + attendance["late"]
    leads = programme.syndicates.exclude(lead=None).values("lead").distinct().count()
    return {
        "activities": activities,
        "scenario_count": sum(1 for a in activities if a["kind"] == "Scenario"),
        "demonstration_count": sum(1 for a in activities if a["kind"] == "Demonstration"),
        "swaps": swaps,
        "departments": sorted({a["delivered_by"] for a in activities if a["delivered_by"]}),
        "hours": [
            {
                "department": row["department"].name,
                "delivery": row["delivery"],
                "planning": row["planning"],
                "total": row["total"],
            }
            for row in hours
        ],
        "hours_total": sum((row["total"] for row in hours), Decimal("0")),
        "syndicates": programme.syndicates.count(),
        "syndicate_leads": leads,
        "days": len(programme.days),
        "attendance_marks": attendance["marks"],
        "attendance_pct": _whole_pct(attended * 100 / attendance["marks"]) if attendance["marks"] else None,
        "late": attendance["late"],
        "absent": attendance["absent"],
    }


# --- money ------------------------------------------------------------------------------------


def money_facts(programme: Programme, report: PracticeReport) -> dict[str, Any]:
    budget = budget_summary(programme=programme)
    lines = [
        {
            "category": line.get_category_display(),
            "description": line.description,
            "planned": _pounds(line.planned),
            "actual": _pounds(line.actual),
        }
        for line in budget["lines"]
    ]
    comparable = None
    if report.comparable_cost is not None and budget["actual"]:
        label = report.comparable_cost_label or "a comparable police response"
        cost = report.comparable_cost
        relation = "more than" if cost >= budget["actual"] else "less than"
        comparable = (
            f"For comparison, {label} costs about {_pounds(cost)}: {relation} the whole week's spend "
            f"of {_pounds(budget['actual'])}."
        )
    allocated = None
    if programme.budget_allocated is not None:
        allocated = f"The budget allocated was {_pounds(programme.budget_allocated)}"
        if programme.sponsor:
            allocated += f", provided by {programme.sponsor}"
        if programme.funding_source:
            allocated += f" from {programme.funding_source}"
        difference = budget["planned"] - programme.budget_allocated
        if difference > 0:
            allocated += f"; the lines below plan {_pounds(difference)} more than that"
        elif difference < 0:
            allocated += f"; the lines below plan {_pounds(-difference)} less than that"
        allocated += "."
    return {
        "allocated": allocated,
        "lines": lines,
        "planned": _pounds(budget["planned"]),
        "actual": _pounds(budget["actual"]),
        "students": budget["students"],
        "cost_per_student": _pounds(budget["cost_per_student"]),
        "planned_per_student": _pounds(budget["planned_per_student"]),
        "value": budget["value"]["sentences"] if budget["actual"] else [],
        "comparable": comparable,
    }


# --- outcomes ---------------------------------------------------------------------------------


def _question_sentence(item: dict[str, Any], name: str) -> dict[str, str]:
    verdict = change_verdict(item)
    n = item["paired_n"]
    if not n or item["change_pct"] is None:
        return {"name": name, "text": verdict["detail"], "statistic": ""}
    change = item["change_pct"]
    direction = "rose" if change > 0 else "fell" if change < 0 else "stayed"
    sign = "+" if change > 0 else ""
    text = (
        f"The average score {direction} from {item['pre_mean']:.1f} to {item['post_mean']:.1f} out of 5 "
        f"({sign}{change:.1f} %) among the {n} students who answered both surveys. {verdict['detail']}"
    )
    statistic = ""
    if item["p_value"] is not None:
        statistic = f"Wilcoxon signed-rank test, {format_p(item['p_value'])}, {n} pairs."
    return {"name": name, "text": text, "statistic": statistic, "change": f"{sign}{change:.1f} %"}


def outcome_facts(programme: Programme, report: PracticeReport, threshold: int) -> dict[str, Any]:
    survey = programme_report(programme)
    wordings = question_wordings([programme])
    questions = [
        _question_sentence(item, QUESTION_NAMES.get(item["code"], wordings.get(item["code"], "A question")))
        for item in survey["questions"]
    ]
    paired = survey["respondents"]["paired"]
    split = survey["police_first_choice_split"]
    first_n = split["first_choice"][0]["paired_n"] if split["first_choice"] else 0
    other_n = split["not_first_choice"][0]["paired_n"] if split["not_first_choice"] else 0
    headlines = []
    for key, n_key, words in (
        ("perception_better_pct", "perception_change_n", "said their view of the police had changed for the better"),
        ("would_recommend_pct", "would_recommend_n", "would recommend the week to their friends and family"),
        ("wants_mentor_pct", "wants_mentor_n", "asked to be given a career mentor"),
    ):
        if survey[key] is not None:
            headlines.append({"pct": f"{_whole_pct(survey[key])}%", "n": survey[n_key], "text": words})
    bias = ""
    if first_n + other_n:
        share = share_in_words(first_n, first_n + other_n)
        bias = (
            f"{share[0].upper()}{share[1:]} of the students who answered both surveys had chosen the police as "
            "their first choice of work experience, so their view was likely to be positive to begin with; "
            "the change measured may be smaller than it would be for students who did not choose the police."
        )
    by_group = []
    if paired:
        for key, label in (("first_choice", "Chose the police first"), ("not_first_choice", "Did not")):
            group = split[key]
            n = group[0]["paired_n"] if group else 0
            if n >= threshold:
                by_group.append({"label": label, "questions": [_question_sentence(item, "") for item in group]})
    group_note = ""
    if paired and len(by_group) < 2:
        group_note = (
            f"One of the two groups has fewer than {threshold} students, so their changes are not shown separately."
        )
    quotes = list(
        report.quotes.filter(question__survey__programme=programme, question__kind=Question.Kind.TEXT).values_list(
            "value_text", flat=True
        )
        if report.pk
        else []
    )
    caveats = [bias] if bias else []
    caveats.append(
        "The students were chosen because they would benefit, not at random, and there is no comparison group: "
        "the change cannot be put down to the week alone."
    )
    caveats.append("The answers are the students' own views, given straight after a week they enjoyed.")
    if survey["small_sample"]:
        caveats.append("Fewer than ten students answered both surveys, so every figure here could easily be chance.")
    if group_note:
        caveats.append(group_note)
    contacts = MentorContact.objects.filter(assignment__placement__programme=programme).count()
    return {
        "respondents": survey["respondents"],
        "questions": questions,
        "headlines": headlines,
        "approachability": next((q for q in questions if q["name"] == "Approachability"), None),
        "first_choice_bias": bias,
        "by_group": by_group,
        "group_note": group_note,
        "caveats": caveats,
        "small_sample": survey["small_sample"],
        "activities": [{"title": a["title"], "mean": f"{a['mean']:.1f}", "n": a["n"]} for a in survey["activities"]],
        "quotes": [quote for quote in quotes if quote.strip()],
        "mentor_contacts": contacts,
    }


def quote_choices(programme: Programme):
    """Free-text answers of the programme's surveys that a coordinator may quote (never who wrote them)."""
    return (
        Answer.objects.filter(question__survey__programme=programme, question__kind=Question.Kind.TEXT)
        .exclude(value_text="")
        .select_related("question__survey")
        .order_by("question__survey__phase", "question__order", "pk")
    )


# --- the whole report -------------------------------------------------------------------------


def practice_report_figures(programme: Programme, *, threshold: int = reach.THRESHOLD) -> dict[str, Any]:
    """Everything the practice report prints, as plain values."""
    report = report_for(programme)
    reached = reach_tables(programme, threshold=threshold)
    return {
        "programme": {
            "title": programme.title,
            "force": programme.force.name,
            "kind": programme.get_kind_display(),
            "start_date": programme.start_date,
            "end_date": programme.end_date,
        },
        "written": {
            "aims": _lines(report.aims),
            "selection": report.selection.strip(),
            "lessons_learned": _lines(report.lessons_learned),
            "next_steps": _lines(report.next_steps),
        },
        "selection": selection_facts(programme),
        "reach": reached,
        "delivery": delivery_facts(programme),
        "money": money_facts(programme, report),
        "outcomes": outcome_facts(programme, report, threshold),
        "threshold": threshold,
    }


def section_context(programme: Programme) -> dict[str, Any]:
    """The programme page's Practice report section and its task: one query, shared by both."""

    def compute():
        report = (
            PracticeReport.objects.filter(programme=programme).only("aims", "lessons_learned", "next_steps").first()
        )
        return {"report_written": bool(report and report.is_written), "report_started": report is not None}

    return shared_facts(programme, "practice-report", compute)
