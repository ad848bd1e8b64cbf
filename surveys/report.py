"""The impact report of a programme's surveys. Counts, sums and the distribution of paired differences are
computed by the database; Python only divides, rounds, and hands the difference counts to SciPy.
"""

import math

import numpy as np
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Sum
from scipy import stats

from placements.models import Activity

from . import standard
from .models import Answer, Question, Response

SMALL_SAMPLE = 10


def _pct(part, whole):
    return round(part * 100 / whole, 1) if whole else None


def _round(value, places):
    return None if value is None else round(value, places)


def _wilcoxon(diff_counts):
    """Two-sided Wilcoxon signed-rank p-value from {difference: count}, or None when it cannot be computed."""
    diffs = np.repeat(
        np.array(list(diff_counts.keys()), dtype=float), np.array(list(diff_counts.values()), dtype=int)
    )
    if diffs.size == 0 or not np.any(diffs):
        return None
    try:
        result = stats.wilcoxon(diffs)
    except ValueError:
        return None
    p_value = float(result.pvalue)
    return None if math.isnan(p_value) else round(p_value, 4)


def _paired_rows(programme, code, placement_filter=None):
    """[(difference, n, pre_sum, post_sum)] for one Likert code over students who answered it before and after."""
    pre_value = Answer.objects.filter(
        question__survey__programme=programme,
        question__survey__phase="pre",
        question__code=code,
        value_int__isnull=False,
        response__invitation__placement_id=OuterRef("response__invitation__placement_id"),
    ).values("value_int")[:1]
    queryset = Answer.objects.filter(
        question__survey__programme=programme,
        question__survey__phase="post",
        question__code=code,
        value_int__isnull=False,
    )
    if placement_filter is not None:
        queryset = queryset.filter(**placement_filter)
    return list(
        queryset.annotate(pre=Subquery(pre_value, output_field=IntegerField()))
        .filter(pre__isnull=False)
        .values(diff=F("value_int") - F("pre"))
        .annotate(n=Count("id"), pre_sum=Sum("pre"), post_sum=Sum("value_int"))
        .order_by()
        .values_list("diff", "n", "pre_sum", "post_sum")
    )


def _question_result(programme, code, placement_filter=None):
    rows = _paired_rows(programme, code, placement_filter)
    n = sum(row[1] for row in rows)
    pre_sum = sum(row[2] for row in rows)
    post_sum = sum(row[3] for row in rows)
    pre_mean = pre_sum / n if n else None
    post_mean = post_sum / n if n else None
    change = (post_mean - pre_mean) / pre_mean * 100 if n and pre_mean else None
    return {
        "code": code,
        "pre_mean": _round(pre_mean, 2),
        "post_mean": _round(post_mean, 2),
        "change_pct": _round(change, 1),
        "paired_n": n,
        "p_value": _wilcoxon({row[0]: row[1] for row in rows}) if n else None,
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


def programme_report(programme):
    """The report as a dict of plain values (the JSON of `survey_report --json`)."""
    responses = Response.objects.filter(invitation__survey__programme=programme)
    by_phase = dict(
        responses.values("invitation__survey__phase").annotate(n=Count("id")).values_list("invitation__survey__phase", "n")
    )
    pre_placements = responses.filter(invitation__survey__phase="pre").values("invitation__placement_id")
    paired = responses.filter(invitation__survey__phase="post", invitation__placement_id__in=pre_placements).count()

    codes = paired_likert_codes(programme)
    questions = [_question_result(programme, code) for code in codes]

    perception_pct, perception_n = _yes_share(programme, "perception_change", value_text="better")
    recommend_pct, recommend_n = _yes_share(programme, "would_recommend", value_int=1)
    mentor_pct, mentor_n = _yes_share(programme, "wants_mentor", value_int=1)

    respondents = (
        responses.values("invitation__placement_id")
        .distinct()
        .aggregate(
            total=Count("invitation__placement_id", distinct=True),
            first=Count(
                "invitation__placement_id",
                distinct=True,
                filter=Q(invitation__placement__nomination__police_first_choice=True),
            ),
        )
    )
    split = {}
    for key, flag in (("first_choice", True), ("not_first_choice", False)):
        flt = {"response__invitation__placement__nomination__police_first_choice": flag}
        split[key] = [_question_result(programme, code, flt) for code in codes]

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
        "respondents": {"pre": by_phase.get("pre", 0), "post": by_phase.get("post", 0), "paired": paired},
        "questions": questions,
        "perception_better_pct": perception_pct,
        "perception_change_n": perception_n,
        "would_recommend_pct": recommend_pct,
        "would_recommend_n": recommend_n,
        "wants_mentor_pct": mentor_pct,
        "wants_mentor_n": mentor_n,
        "police_first_choice_pct": _pct(respondents["first"], respondents["total"]),
        "police_first_choice_split": split,
        "activities": activities,
        "small_sample": paired < SMALL_SAMPLE,
    }
