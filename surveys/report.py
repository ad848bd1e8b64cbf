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
from .report_cache import cached_reports, report_keys, store_reports
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


def _questions(programme_ids):
    """Every question of these programmes' surveys, as plain tuples (one query, no joins later)."""
    return list(
        Question.objects.filter(survey__programme_id__in=programme_ids)
        .order_by("order", "id")
        .values_list("pk", "code", "kind", "survey__phase", "survey__programme_id", named=True)
    )


def _paired_likert_codes(questions):
    """{programme id: the likert codes asked in both phases, in the post survey's order}."""
    pre = {
        (q.survey__programme_id, q.code)
        for q in questions
        if q.kind == Question.Kind.LIKERT and q.survey__phase == "pre"
    }
    codes = defaultdict(list)
    for q in questions:  # already in the surveys' order
        if q.kind == Question.Kind.LIKERT and q.survey__phase == "post" and (q.survey__programme_id, q.code) in pre:
            codes[q.survey__programme_id].append(q.code)
    return codes


def _paired_distribution(questions, codes):
    """{(programme id, code, police_first_choice): [(difference, n, pre_sum, post_sum)]} over students who
    answered both.

    One query: the inner part (built by the ORM) puts each student's pre and post answer to a code on one
    row; the outer part counts and sums those rows per programme and code, flag and difference.
    """
    pairs = [(programme_id, code) for programme_id, programme_codes in codes.items() for code in programme_codes]
    if not pairs:
        return {}
    pair_numbers = {pair: number for number, pair in enumerate(pairs)}
    # Question ids up front, so the big query reads answers by their indexed question id, with no joins
    # to the question and survey tables.
    paired = [q for q in questions if (q.survey__programme_id, q.code) in pair_numbers]
    pre_ids = [q.pk for q in paired if q.survey__phase == "pre"]
    post_ids = [q.pk for q in paired if q.survey__phase == "post"]
    pair_of = Case(
        *(When(question_id=q.pk, then=Value(pair_numbers[(q.survey__programme_id, q.code)])) for q in paired),
        output_field=IntegerField(),
    )
    per_student = (
        Answer.objects.filter(question_id__in=pre_ids + post_ids, value_int__isnull=False)
        .values(student=F("response__invitation__placement_id"), code=pair_of)
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
            programme_id, code = pairs[number]
            distribution[(programme_id, code, bool(first_choice))].append(
                (int(diff), int(n), int(pre_sum), int(post_sum))
            )
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


SHARES = {  # the report's key: (the post question's code, the answer that counts)
    "perception_better": ("perception_change", Q(value_text="better")),
    "would_recommend": ("would_recommend", Q(value_int=1)),
    "wants_mentor": ("wants_mentor", Q(value_int=1)),
}


def _shares(questions):
    """{(programme id, share key): (percent, answers)} for the post survey's questions that SHARES names."""
    codes = {code for code, _hit in SHARES.values()}
    asked = {q.pk: q for q in questions if q.survey__phase == "post" and q.code in codes}
    rows = (
        Answer.objects.filter(question_id__in=list(asked))
        .values("question_id")
        .annotate(total=Count("id"), **{key: Count("id", filter=hit) for key, (_code, hit) in SHARES.items()})
        .order_by()
    )
    shares = {}
    for row in rows:
        question = asked[row["question_id"]]
        for key, (code, _hit) in SHARES.items():
            if question.code == code:
                shares[(question.survey__programme_id, key)] = (_pct(row[key], row["total"]), row["total"])
    return shares


def _respondents(programme_ids):
    """{programme id: counts of students who answered anything: before, after, both, police first choice}.

    The inner part (the ORM's) is one row per student; the outer part counts them per programme.
    """

    def flag(condition):
        return Max(Case(When(condition, then=1), default=0, output_field=IntegerField()))

    per_student = (
        Response.objects.filter(invitation__survey__programme_id__in=programme_ids)
        .values(student=F("invitation__placement_id"), programme=F("invitation__survey__programme_id"))
        .annotate(has_pre=flag(Q(invitation__survey__phase="pre")), has_post=flag(Q(invitation__survey__phase="post")))
        .order_by()
    )
    inner, params = per_student.query.sql_with_params()
    # As in _paired_distribution: the police-first-choice flag is joined once per student, after the grouping.
    placement, nomination = Placement._meta.db_table, Nomination._meta.db_table
    sql = (
        'SELECT per."programme", COUNT(*), SUM(per."has_pre"), SUM(per."has_post"), '  # noqa: S608
        'SUM(per."has_pre" * per."has_post"), '
        'SUM(CASE WHEN nomination."police_first_choice" THEN 1 ELSE 0 END) '
        f'FROM ({inner}) per JOIN "{placement}" placement ON placement."id" = per."student" '
        f'JOIN "{nomination}" nomination ON nomination."id" = placement."nomination_id" '
        'GROUP BY per."programme"'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            programme_id: {"total": total, "pre": pre, "post": post, "paired": paired, "first": first}
            for programme_id, total, pre, post, paired, first in cursor.fetchall()
        }


def _activities(programmes, questions):
    """{programme id: [activity ratings]}, best first; an activity's title from its force's catalogue."""
    programme_of = {
        q.pk: q.survey__programme_id
        for q in questions
        if q.survey__phase == "post" and q.kind == Question.Kind.LIKERT and q.code.startswith(standard.ACTIVITY_PREFIX)
    }
    code_of = {q.pk: q.code for q in questions if q.pk in programme_of}
    rows = list(
        Answer.objects.filter(question_id__in=list(programme_of), value_int__isnull=False)
        .values("question_id")
        .annotate(n=Count("id"), total=Sum("value_int"))
        .order_by()
    )
    force_of = {programme.pk: programme.force_id for programme in programmes}
    slugs = {code_of[row["question_id"]][len(standard.ACTIVITY_PREFIX) :] for row in rows}
    titles = {
        (force_id, slug): title
        for force_id, slug, title in Activity.objects.filter(
            force_id__in=set(force_of.values()), slug__in=slugs
        ).values_list("force_id", "slug", "title")
    }
    activities = defaultdict(list)
    for row in rows:
        programme_id, code = programme_of[row["question_id"]], code_of[row["question_id"]]
        activities[programme_id].append(
            {
                "code": code,
                "title": titles.get((force_of[programme_id], code[len(standard.ACTIVITY_PREFIX) :]), code),
                "mean": round(row["total"] / row["n"], 2),
                "n": row["n"],
            }
        )
    for items in activities.values():
        items.sort(key=lambda item: (-item["mean"], -item["n"], item["code"]))
    return activities


def _outcome_sentence(n, well, mean):
    """An outcome's ratings in words: how many can do it well, and the average on the 1–5 scale."""
    students = f"{n} student{'s' * (n != 1)}"
    if n < 5:
        return f"Only {students} answered: too few to say how well the week taught it."
    return (
        f"{well} of the {students} who answered said they can now do this well or very well "
        f"(on average {mean:.1f} out of 5, where 5 is “very well”)."
    )


def _outcomes(programme_ids):
    """{programme id: [{activity, outcomes: [{text, n, well, mean, sentence}]}]} in the post survey's order."""
    questions = list(
        Question.objects.filter(
            survey__programme_id__in=programme_ids,
            survey__phase="post",
            kind=Question.Kind.LIKERT,
            code__startswith=standard.OUTCOME_PREFIX,
        )
        .order_by("order", "id")
        .values_list(
            "pk",
            "code",
            "text",
            "survey__programme_id",
            "learning_outcome__text",
            "learning_outcome__activity__title",
            named=True,
        )
    )
    if not questions:
        return {}
    counts = {
        row["question_id"]: row
        for row in Answer.objects.filter(question_id__in=[q.pk for q in questions], value_int__isnull=False)
        .values("question_id")
        .annotate(n=Count("id"), total=Sum("value_int"), well=Count("id", filter=Q(value_int__gte=4)))
        .order_by()
    }
    grouped = defaultdict(dict)
    for q in questions:
        row = counts.get(q.pk)
        if row is None:
            continue
        activity = q.learning_outcome__activity__title or standard.outcome_activity_slug(q.code)
        mean = row["total"] / row["n"]
        grouped[q.survey__programme_id].setdefault(activity, []).append(
            {
                "text": q.learning_outcome__text or q.text,
                "n": row["n"],
                "well": row["well"],
                "mean": round(mean, 2),
                "sentence": _outcome_sentence(row["n"], row["well"], mean),
            }
        )
    return {
        programme_id: [{"activity": title, "outcomes": items} for title, items in by_activity.items()]
        for programme_id, by_activity in grouped.items()
    }


def programme_reports(programmes):
    """{programme id: its report} for many programmes: from the cache where the answers have not changed since
    it was worked out (report_cache.py), the rest in the same few queries however many there are."""
    programmes = list(programmes)
    keys = report_keys(programme.pk for programme in programmes)
    reports = cached_reports(keys)
    missing = [programme for programme in programmes if programme.pk not in reports]
    if missing:
        worked_out = _work_out(missing)
        store_reports(keys, worked_out)
        reports.update(worked_out)
    for programme in programmes:  # its title and date as they are now, not as when the report was stored
        reports[programme.pk] = {
            **reports[programme.pk],
            "programme": {"id": programme.pk, "title": programme.title, "start_date": programme.start_date.isoformat()},
        }
    return reports


def _work_out(programmes):
    ids = [programme.pk for programme in programmes]
    questions = _questions(ids)
    codes = _paired_likert_codes(questions)
    students = _respondents(ids)
    distribution = _paired_distribution(questions, codes)
    shares = _shares(questions)
    activities = _activities(programmes, questions)
    outcomes = _outcomes(ids)
    reports = {}
    for programme in programmes:
        pk = programme.pk
        counts = students.get(pk, {})
        paired = counts.get("paired") or 0
        programme_codes = codes.get(pk, [])

        def results(flags, pk=pk, programme_codes=programme_codes):
            return [
                _question_result(code, [row for flag in flags for row in distribution.get((pk, code, flag), [])])
                for code in programme_codes
            ]

        perception_pct, perception_n = shares.get((pk, "perception_better"), (None, 0))
        recommend_pct, recommend_n = shares.get((pk, "would_recommend"), (None, 0))
        mentor_pct, mentor_n = shares.get((pk, "wants_mentor"), (None, 0))
        reports[pk] = {
            "programme": {"id": pk, "title": programme.title, "start_date": programme.start_date.isoformat()},
            "respondents": {"pre": counts.get("pre") or 0, "post": counts.get("post") or 0, "paired": paired},
            "questions": results((True, False)),
            "perception_better_pct": perception_pct,
            "perception_change_n": perception_n,
            "would_recommend_pct": recommend_pct,
            "would_recommend_n": recommend_n,
            "wants_mentor_pct": mentor_pct,
            "wants_mentor_n": mentor_n,
            "police_first_choice_pct": _pct(counts.get("first") or 0, counts.get("total") or 0),
            "police_first_choice_split": {"first_choice": results((True,)), "not_first_choice": results((False,))},
            "activities": activities.get(pk, []),
            "outcomes": outcomes.get(pk, []),
            "small_sample": paired < SMALL_SAMPLE,
        }
    return reports


def programme_report(programme):
    """The report as a dict of plain values (the JSON of `survey_report --json`)."""
    return programme_reports([programme])[programme.pk]
