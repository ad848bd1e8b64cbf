"""The impact report of a programme's surveys. Counts, sums and the distribution of paired differences are
computed by the database; Python only divides, rounds, and tests the counted differences (signed_rank.py).
"""

from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Case, Count, F, IntegerField, Max, Q, Sum, Value, When

from placements.models import Activity, Placement
from schools.models import Nomination

from . import standard
from .models import Answer, Question, Response
from .signed_rank import signed_rank_p_value

SMALL_SAMPLE = 10


def _pct(part, whole):
    return round(part * 100 / whole, 1) if whole else None


def _round(value, places):
    return None if value is None else round(value, places)


def _wilcoxon(diff_counts):
    """Two-sided Wilcoxon signed-rank p-value from {difference: count}, or None when it cannot be computed."""
    p_value = signed_rank_p_value(diff_counts)
    return None if p_value is None else round(p_value, 4)


def _paired_distribution(programme, codes):
    """{(code, police_first_choice): [(difference, n, pre_sum, post_sum)]} over students who answered both.

    One query: the inner part (built by the ORM) puts each student's pre and post answer to a code on one
    row; the outer part counts and sums those rows per code, flag and difference.
    """
    if not codes:
        return {}
    # Question ids up front, so the big query reads answers by their indexed question id, with no joins
    # to the question and survey tables.
    questions = Question.objects.filter(
        survey__programme=programme, kind=Question.Kind.LIKERT, code__in=codes
    ).values_list("pk", "code", "survey__phase")
    pre_ids = [pk for pk, _code, phase in questions if phase == "pre"]
    post_ids = [pk for pk, _code, phase in questions if phase == "post"]
    code_numbers = {code: number for number, code in enumerate(codes)}
    code_of = Case(
        *(When(question_id=pk, then=Value(code_numbers[code])) for pk, code, _phase in questions),
        output_field=IntegerField(),
    )
    per_student = (
        Answer.objects.filter(question_id__in=pre_ids + post_ids, value_int__isnull=False)
        .values(student=F("response__invitation__placement_id"), code=code_of)
        .annotate(
            pre=Max(Case(When(question_id__in=pre_ids, then="value_int"))),
            post=Max(Case(When(question_id__in=post_ids, then="value_int"))),
        )
        .order_by()
    )
    inner, params = per_student.query.sql_with_params()
    # The inner SQL is the ORM's own and every value in it is a parameter, so nothing user-typed is pasted in.
    # The police-first-choice flag is joined after the grouping: one row per student and code, not per answer.
    placement, nomination = Placement._meta.db_table, Nomination._meta.db_table
    sql = (
        'SELECT paired."code", nomination."police_first_choice", paired."post" - paired."pre", COUNT(*), '  # noqa: S608
        'SUM(paired."pre"), SUM(paired."post") '
        f'FROM ({inner}) paired JOIN "{placement}" placement ON placement."id" = paired."student" '
        f'JOIN "{nomination}" nomination ON nomination."id" = placement."nomination_id" '
        'WHERE paired."pre" IS NOT NULL AND paired."post" IS NOT NULL '
        'GROUP BY paired."code", nomination."police_first_choice", paired."post" - paired."pre"'
    )
    distribution = defaultdict(list)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Enough memory for the per-student grouping to stay off disk (20,000 students need ~10 MB).
            cursor.execute("SET LOCAL work_mem = '32MB'")
        cursor.execute(sql, params)
        for number, first_choice, diff, n, pre_sum, post_sum in cursor.fetchall():
            distribution[(codes[number], bool(first_choice))].append((int(diff), int(n), int(pre_sum), int(post_sum)))
    return distribution


def _question_result(code, rows):
    merged = defaultdict(lambda: [0, 0, 0])
    for diff, n, pre_sum, post_sum in rows:
        merged[diff][0] += n
        merged[diff][1] += pre_sum
        merged[diff][2] += post_sum
    n = sum(v[0] for v in merged.values())
    pre_mean = sum(v[1] for v in merged.values()) / n if n else None
    post_mean = sum(v[2] for v in merged.values()) / n if n else None
    change = (post_mean - pre_mean) / pre_mean * 100 if n and pre_mean else None
    return {
        "code": code,
        "pre_mean": _round(pre_mean, 2),
        "post_mean": _round(post_mean, 2),
        "change_pct": _round(change, 1),
        "paired_n": n,
        "p_value": _wilcoxon({diff: v[0] for diff, v in merged.items()}) if n else None,
    }


def paired_likert_codes(programme):
    """Likert codes asked in both phases, in the post survey's order."""
    likert = Question.objects.filter(survey__programme=programme, kind=Question.Kind.LIKERT)
    pre = set(likert.filter(survey__phase="pre").values_list("code", flat=True))
    return [
        code
        for code in likert.filter(survey__phase="post").order_by("order", "id").values_list("code", flat=True)
        if code in pre
    ]


def _yes_share(programme, code, *, value_int=None, value_text=None):
    condition = Q(value_int=value_int) if value_int is not None else Q(value_text=value_text)
    counts = Answer.objects.filter(
        question__survey__programme=programme, question__survey__phase="post", question__code=code
    ).aggregate(total=Count("id"), hits=Count("id", filter=condition))
    return _pct(counts["hits"], counts["total"]), counts["total"]


def _respondents(programme):
    """One row per student who answered anything, then counted: before, after, both, police first choice."""

    def flag(condition):
        return Max(Case(When(condition, then=1), default=0, output_field=IntegerField()))

    per_student = (
        Response.objects.filter(invitation__survey__programme=programme)
        .values(student=F("invitation__placement_id"))
        .annotate(
            has_pre=flag(Q(invitation__survey__phase="pre")),
            has_post=flag(Q(invitation__survey__phase="post")),
            is_first=flag(Q(invitation__placement__nomination__police_first_choice=True)),
        )
        .order_by()
    )
    return per_student.aggregate(
        total=Count("student"),
        pre=Sum("has_pre"),
        post=Sum("has_post"),
        paired=Sum(F("has_pre") * F("has_post")),
        first=Sum("is_first"),
    )


def programme_report(programme):
    """The report as a dict of plain values (the JSON of `survey_report --json`)."""
    students = _respondents(programme)
    paired = students["paired"] or 0

    codes = paired_likert_codes(programme)
    distribution = _paired_distribution(programme, codes)
    questions = [
        _question_result(code, distribution.get((code, True), []) + distribution.get((code, False), []))
        for code in codes
    ]

    perception_pct, perception_n = _yes_share(programme, "perception_change", value_text="better")
    recommend_pct, recommend_n = _yes_share(programme, "would_recommend", value_int=1)
    mentor_pct, mentor_n = _yes_share(programme, "wants_mentor", value_int=1)

    split = {}
    for key, flag in (("first_choice", True), ("not_first_choice", False)):
        split[key] = [_question_result(code, distribution.get((code, flag), [])) for code in codes]

    activity_rows = (
        Answer.objects.filter(
            question__survey__programme=programme,
            question__survey__phase="post",
            question__kind=Question.Kind.LIKERT,
            question__code__startswith=standard.ACTIVITY_PREFIX,
            value_int__isnull=False,
        )
        .values("question__code")
        .annotate(n=Count("id"), total=Sum("value_int"))
        .order_by()
    )
    slugs = [row["question__code"][len(standard.ACTIVITY_PREFIX) :] for row in activity_rows]
    titles = dict(Activity.objects.filter(force=programme.force_id, slug__in=slugs).values_list("slug", "title"))
    activities = sorted(
        (
            {
                "code": row["question__code"],
                "title": titles.get(row["question__code"][len(standard.ACTIVITY_PREFIX) :], row["question__code"]),
                "mean": round(row["total"] / row["n"], 2),
                "n": row["n"],
            }
            for row in activity_rows
        ),
        key=lambda item: (-item["mean"], -item["n"], item["code"]),
    )
    return {
        "programme": {"id": programme.pk, "title": programme.title, "start_date": programme.start_date.isoformat()},
        "respondents": {"pre": students["pre"] or 0, "post": students["post"] or 0, "paired": paired},
        "questions": questions,
        "perception_better_pct": perception_pct,
        "perception_change_n": perception_n,
        "would_recommend_pct": recommend_pct,
        "would_recommend_n": recommend_n,
        "wants_mentor_pct": mentor_pct,
        "wants_mentor_n": mentor_n,
        "police_first_choice_pct": _pct(students["first"] or 0, students["total"]),
        "police_first_choice_split": split,
        "activities": activities,
        "small_sample": paired < SMALL_SAMPLE,
    }
