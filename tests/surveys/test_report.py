"""The report on hand-made data: every key checked to the decimal."""

import json

import pytest
from django.core.management import call_command
from scipy import stats

from surveys.report import programme_report
from surveys.services import responses_import_csv
from tests import factories as f

from .conftest import make_week

# student: (first choice?, pre answers, post answers)
STUDENTS = [
    (
        True,
        {"approachability": 2, "trust": 5, "career_interest": 1},
        {"approachability": 4, "trust": 5, "career_interest": 2},
    ),
    (
        True,
        {"approachability": 3, "trust": 5, "career_interest": 1},
        {"approachability": 4, "trust": 5, "career_interest": 3},
    ),
    (
        True,
        {"approachability": 3, "trust": 5, "career_interest": 1},
        {"approachability": 3, "trust": 5, "career_interest": 4},
    ),
    (False, {"approachability": 4, "career_interest": 1}, {"approachability": 5, "career_interest": 5}),
    (False, {"approachability": 2}, {"approachability": 3}),
    (False, {"approachability": 1}, None),  # answered before only
    (False, None, {"approachability": 5}),  # answered after only
]
POST_EXTRA = {
    0: {
        "perception_change": "better",
        "would_recommend": "yes",
        "wants_mentor": "yes",
        "activity:dogs": "5",
        "activity:drones": "3",
    },
    1: {
        "perception_change": "better",
        "would_recommend": "yes",
        "wants_mentor": "no",
        "activity:dogs": "4",
        "activity:drones": "4",
    },
    2: {"perception_change": "same", "would_recommend": "yes", "wants_mentor": "no", "activity:drones": "5"},
    3: {"would_recommend": "no", "activity:drones": "4"},
    4: {"comments": "=SUM(A1:A2) not a formula"},
}


@pytest.fixture
def report_programme(programme_a):
    programme = programme_a
    _surveys, placements = make_week(programme, students=len(STUDENTS), activities=("dogs", "drones"))
    lines = ["placement,phase,question,answer"]
    for placement, (first, pre, post) in zip(placements, STUDENTS, strict=True):
        placement.nomination.police_first_choice = first
        placement.nomination.save()
        for code, value in (pre or {}).items():
            lines.append(f"{placement.pk},pre,{code},{value}")
        for code, value in (post or {}).items():
            lines.append(f"{placement.pk},post,{code},{value}")
    for index, extra in POST_EXTRA.items():
        for code, value in extra.items():
            lines.append(f'{placements[index].pk},post,{code},"{value}"')
    responses_import_csv(programme=programme, data="\n".join(lines).encode())
    # A student of another programme must not count.
    other = f.ProgrammeFactory(force=programme.force, title="Other week")
    make_week(other, students=1, activities=())
    return programme


def test_report_every_key_to_the_decimal(report_programme):
    report = programme_report(report_programme)
    assert report["respondents"] == {"pre": 6, "post": 6, "paired": 5}
    by_code = {q["code"]: q for q in report["questions"]}
    assert [q["code"] for q in report["questions"]] == ["approachability", "trust", "fairness", "career_interest"]

    # approachability: paired students 1-5, pre 2,3,3,4,2 (2.8), post 4,4,3,5,3 (3.8): +35.7%.
    approach = by_code["approachability"]
    assert approach["pre_mean"] == 2.8
    assert approach["post_mean"] == 3.8
    assert approach["change_pct"] == 35.7
    assert approach["paired_n"] == 5
    expected_p = stats.wilcoxon([4 - 2, 4 - 3, 3 - 3, 5 - 4, 3 - 2]).pvalue
    assert approach["p_value"] == round(expected_p, 4)

    # trust: no change at all ⇒ no test possible.
    assert by_code["trust"] == {
        "code": "trust",
        "pre_mean": 5.0,
        "post_mean": 5.0,
        "change_pct": 0.0,
        "paired_n": 3,
        "p_value": None,
    }
    # fairness: nobody answered.
    assert by_code["fairness"] == {
        "code": "fairness",
        "pre_mean": None,
        "post_mean": None,
        "change_pct": None,
        "paired_n": 0,
        "p_value": None,
    }
    # career interest: differences 1,2,3,4 all positive: exact two-sided p = 2/16.
    assert by_code["career_interest"] == {
        "code": "career_interest",
        "pre_mean": 1.0,
        "post_mean": 3.5,
        "change_pct": 250.0,
        "paired_n": 4,
        "p_value": 0.125,
    }

    assert report["perception_better_pct"] == 66.7  # 2 of 3
    assert report["perception_change_n"] == 3
    assert report["would_recommend_pct"] == 75.0  # 3 of 4
    assert report["would_recommend_n"] == 4
    assert report["wants_mentor_pct"] == 33.3  # 1 of 3
    assert report["wants_mentor_n"] == 3
    assert report["police_first_choice_pct"] == 42.9  # 3 of 7 respondents

    first = {q["code"]: q for q in report["police_first_choice_split"]["first_choice"]}
    rest = {q["code"]: q for q in report["police_first_choice_split"]["not_first_choice"]}
    assert (first["approachability"]["pre_mean"], first["approachability"]["post_mean"]) == (2.67, 3.67)
    assert first["approachability"]["change_pct"] == 37.5
    assert first["approachability"]["paired_n"] == 3
    assert (rest["approachability"]["pre_mean"], rest["approachability"]["post_mean"]) == (3.0, 4.0)
    assert rest["approachability"]["change_pct"] == 33.3
    assert rest["approachability"]["paired_n"] == 2
    assert rest["career_interest"]["paired_n"] == 1
    assert rest["career_interest"]["p_value"] == stats.wilcoxon([4]).pvalue.round(4)

    assert report["activities"] == [
        {"code": "activity:dogs", "title": "Activity dogs", "mean": 4.5, "n": 2},
        {"code": "activity:drones", "title": "Activity drones", "mean": 4.0, "n": 4},
    ]
    assert report["small_sample"] is True


def test_empty_programme_report_has_every_key_and_no_division_by_zero(programme_a):
    make_week(programme_a, students=2)
    report = programme_report(programme_a)
    assert report["respondents"] == {"pre": 0, "post": 0, "paired": 0}
    assert all(q["pre_mean"] is None and q["p_value"] is None for q in report["questions"])
    assert report["perception_better_pct"] is None
    assert report["police_first_choice_pct"] is None
    assert report["activities"] == []


def test_survey_report_command_prints_the_same_json(report_programme, capsys):
    call_command("survey_report", str(report_programme.pk), "--json")
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(json.dumps(programme_report(report_programme)))
    assert set(printed) >= {
        "respondents",
        "questions",
        "perception_better_pct",
        "would_recommend_pct",
        "wants_mentor_pct",
        "police_first_choice_pct",
        "activities",
    }


def test_report_query_count_does_not_grow_with_students(programme_a, django_assert_max_num_queries):
    _surveys, placements = make_week(programme_a, students=3)
    rows = ["placement,phase,question,answer"]
    for p in placements:
        rows += [f"{p.pk},pre,approachability,3", f"{p.pk},post,approachability,4", f"{p.pk},post,activity:dogs,5"]
    responses_import_csv(programme=programme_a, data="\n".join(rows))
    with django_assert_max_num_queries(40) as small:
        programme_report(programme_a)
    more = [f.PlacementFactory(programme=programme_a, syndicate=placements[0].syndicate) for _ in range(10)]
    rows = ["placement,phase,question,answer"]
    for p in more:
        rows += [f"{p.pk},pre,approachability,2", f"{p.pk},post,approachability,5"]
    responses_import_csv(programme=programme_a, data="\n".join(rows))
    with django_assert_max_num_queries(len(small)):
        report = programme_report(programme_a)
    assert report["respondents"]["paired"] == 13
