"""The paper answer sheet: downloaded with the students in, filled in, uploaded, checked, saved (all or nothing)."""

import csv
import html
import io
import re

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from surveys import standard
from surveys.models import Answer, Invitation, Response
from surveys.paper import NOT_ASKED, REFERENCE_HEADER, sheet_reference
from tests import factories as f

from .conftest import make_week

TEXT = {code: text for code, _kind, text, *_rest in (*standard.PRE, *standard.POST)}
CODES = {code for code, *_rest in (*standard.PRE, *standard.POST)}


def download(client, survey, fmt):
    response = client.get(f"/surveys/{survey.pk}/paper-sheet.{fmt}")
    assert response.status_code == 200
    if fmt == "csv":
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        return list(csv.reader(io.StringIO(body)))
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [["" if value is None else str(value) for value in row] for row in sheet.iter_rows(values_only=True)]


def fill(rows, answers):
    """answers: {student name: {question code: typed answer}}; the column is found by the question's words."""
    header = rows[0]
    for row in rows[1:]:
        for code, value in answers.get(row[1], {}).items():
            column = next(i for i, heading in enumerate(header) if TEXT[code] in heading)
            row[column] = value
    return rows


def as_file(rows, fmt):
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        return io.BytesIO(out.getvalue().encode("utf-8")), "answers.csv"
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer, "answers.xlsx"


def upload(client, programme, rows, fmt="csv"):
    data, name = as_file(rows, fmt)
    data.name = name
    return client.post(f"/surveys/programme/{programme.pk}/import/", {"file": data})


def confirm(client, programme, checked):
    value = re.search(r'name="sheet" value="([^"]*)"', checked.content.decode()).group(1)
    return client.post(f"/surveys/programme/{programme.pk}/import/", {"sheet": html.unescape(value)})


def answer(placement, code, phase="post"):
    return Answer.objects.get(
        response__invitation__placement=placement, response__invitation__survey__phase=phase, question__code=code
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_sheet_round_trip_saves_answers_for_the_right_students(client_for, week_a, coordinator, fmt):
    client = client_for(coordinator)
    programme, placements = week_a["programme"], week_a["placements"]
    rows = download(client, week_a["surveys"]["post"], fmt)
    header = rows[0]
    assert header[:3] == [REFERENCE_HEADER, "Student", "School"]
    assert any(TEXT["approachability"] in heading and "1 = strongly disagree" in heading for heading in header)
    assert not CODES & set(header)  # words, not codes
    names = [row[1] for row in rows[1:]]
    assert sorted(names) == sorted(p.nomination.full_name for p in placements)
    first, second, third = placements[0].nomination.full_name, placements[1], placements[2].nomination.full_name
    fill(
        rows,
        {
            first: {
                "approachability": "4",
                "wants_mentor": "Yes",
                "perception_change": "Better than before",
                "comments": "The dogs, please",
            },
            third: {"trust": "2", "would_recommend": "no"},
        },
    )
    checked = upload(client, programme, rows, fmt)
    assert checked.status_code == 200
    page = checked.content.decode()
    assert "Check before saving" in page and first in page and third in page
    assert second.nomination.full_name in page  # named as skipped: no answers typed in
    assert not Response.objects.exists()  # nothing saved before the check is confirmed

    saved = confirm(client, programme, checked)
    assert saved.status_code == 302
    assert answer(placements[0], "approachability").value_int == 4
    assert answer(placements[0], "wants_mentor").value_int == 1
    assert answer(placements[0], "perception_change").value_text == "better"
    assert answer(placements[0], "comments").value_text == "The dogs, please"
    assert answer(placements[2], "trust").value_int == 2
    assert answer(placements[2], "would_recommend").value_int == 0
    assert set(Response.objects.values_list("source", flat=True)) == {"paper"}
    assert Response.objects.count() == 2
    assert not Response.objects.filter(invitation__placement=placements[1]).exists()
    assert Invitation.objects.get(placement=placements[0], survey__phase="post").answered_at is not None
    # Answered students are not on a fresh sheet.
    assert first not in [row[1] for row in download(client, week_a["surveys"]["post"], fmt)[1:]]


def test_saving_is_a_named_action_and_the_message_names_students(client_for, week_a, coordinator):
    from auditlog.models import LogEntry

    client = client_for(coordinator)
    placement = week_a["placements"][0]
    rows = fill(download(client, week_a["surveys"]["pre"], "csv"), {placement.nomination.full_name: {"trust": "5"}})
    response = confirm(client, week_a["programme"], upload(client, week_a["programme"], rows))
    follow = client.get(response["Location"]).content.decode()
    assert f"Paper answers saved for 1 student: {placement.nomination.full_name}" in follow
    entry = LogEntry.objects.get(additional_data__action="Paper survey answers typed in")
    assert entry.additional_data["students"] == 1 and entry.actor == coordinator


def test_a_row_of_another_forces_student_is_refused_and_nothing_is_written(
    client_for, week_a, week_b, coordinator, coordinator_b
):
    theirs = download(client_for(coordinator_b), week_b["surveys"]["pre"], "csv")
    ours = download(client_for(coordinator), week_a["surveys"]["pre"], "csv")
    fill(ours, {ours[1][1]: {"trust": "4"}})
    fill(theirs, {theirs[1][1]: {"trust": "4"}})
    ours.append(theirs[1])  # their student's row, reference and all, pasted into our sheet
    client = client_for(coordinator)
    response = upload(client, week_a["programme"], ours)
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "is not one of the students of Force A week" in page
    assert theirs[1][1] in page  # the row is named by what it says
    assert not Response.objects.exists() and not Answer.objects.exists()
    # Sending the rows straight to the save step (skipping the check) is refused the same way.
    import json

    saved = client.post(f"/surveys/programme/{week_a['programme'].pk}/import/", {"sheet": json.dumps(ours)})
    assert saved.status_code == 400
    assert not Response.objects.exists() and not Answer.objects.exists()


def test_errors_name_the_row_the_student_and_what_is_wrong(client_for, week_a, coordinator):
    client = client_for(coordinator)
    rows = download(client, week_a["surveys"]["post"], "csv")
    name, school = rows[1][1], rows[1][2]
    other = rows[2][1]
    fill(rows, {name: {"approachability": "7", "wants_mentor": "maybe"}, other: {"trust": "3"}})
    rows.append(list(rows[2]))  # the same student twice
    response = upload(client, week_a["programme"], rows)
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert f"{name} ({school}): “{TEXT['approachability']}” must be a whole number from 1 to 5, not “7”." in page
    assert f"“{TEXT['wants_mentor']}” must be yes or no, not “maybe”" in page
    assert "is on row 3 too: keep one row per student" in page
    assert "Nothing was saved" in page
    assert not Response.objects.exists()


def test_a_typo_in_a_name_does_not_matter_but_a_changed_reference_does(client_for, week_a, coordinator):
    client = client_for(coordinator)
    rows = download(client, week_a["surveys"]["pre"], "csv")
    placement = next(p for p in week_a["placements"] if p.nomination.full_name == rows[1][1])
    fill(rows, {rows[1][1]: {"trust": "4"}})
    rows[1][1] = "Amira Kahn"  # mistyped name: the reference still says whose row it is
    saved = confirm(client, week_a["programme"], upload(client, week_a["programme"], rows))
    assert saved.status_code == 302
    assert answer(placement, "trust", phase="pre").value_int == 4

    rows = download(client, week_a["surveys"]["pre"], "csv")
    fill(rows, {rows[1][1]: {"trust": "4"}})
    rows[1][0] = "ABCD-EFGH"
    response = upload(client, week_a["programme"], rows)
    assert response.status_code == 400
    assert "“ABCD-EFGH”" in html.unescape(response.content.decode())


def test_already_answered_and_not_asked_are_row_errors(client_for, programme_a, coordinator):
    _surveys, placements = make_week(programme_a, students=2, activities=("dogs",))
    client = client_for(coordinator)
    post = programme_a.surveys.get(phase="post")
    rows = download(client, post, "csv")
    dogs = next(i for i, heading in enumerate(rows[0]) if "Activity dogs" in heading)
    # A student moved to a syndicate that did not see the dogs: the sheet says so, and typing a rating is refused.
    moved = placements[1]
    moved.syndicate = f.SyndicateFactory(programme=programme_a, name="Syndicate 2")
    moved.save()
    rows = download(client, post, "csv")
    row = next(r for r in rows[1:] if r[1] == moved.nomination.full_name)
    assert row[dogs] == NOT_ASKED
    row[dogs] = "5"
    response = upload(client, programme_a, rows)
    assert response.status_code == 400
    assert "was not asked of this student" in html.unescape(response.content.decode())
    # Answered online after the sheet was downloaded: the row is refused, nothing else saved.
    rows = download(client, post, "csv")
    fill(rows, {r[1]: {"trust": "3"} for r in rows[1:]})
    Invitation.objects.filter(survey=post, placement=placements[0]).update(answered_at=timezone.now())
    response = upload(client, programme_a, rows)
    assert response.status_code == 400
    assert "has already answered the survey after the week" in html.unescape(response.content.decode())
    assert not Response.objects.exists()


def test_sheet_and_reference_show_no_database_number(client_for, week_a, coordinator):
    rows = download(client_for(coordinator), week_a["surveys"]["pre"], "csv")
    invitations = {sheet_reference(i): i for i in Invitation.objects.filter(survey=week_a["surveys"]["pre"])}
    for row in rows[1:]:
        invitation = invitations[row[0]]
        assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", row[0])
        # The reference comes from the invitation's random salt alone: another number, the same reference.
        # (A digit of the number may still appear in it by chance, so the test does not look for one.)
        for pk, placement_id in ((invitation.pk + 7919, invitation.placement_id + 104729), (1, 1)):
            lookalike = Invitation(pk=pk, placement_id=placement_id, token_salt=invitation.token_salt)
            assert sheet_reference(lookalike) == row[0]
        assert str(invitation.pk) not in row[1:] and str(invitation.placement_id) not in row[1:]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"placement,phase,question,answer\n1,pre,trust,3\n", "Sheet reference (do not change)"),
        (b"", "The submitted file is empty"),
        (b"\n\n", "The file is empty"),
        (b"PK\x03\x04not really a workbook", "could not be read as an Excel workbook"),
    ],
)
def test_a_file_that_is_not_the_sheet_is_refused_in_words(client_for, week_a, coordinator, body, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    name = "answers.xlsx" if body.startswith(b"PK") else "answers.csv"
    response = client_for(coordinator).post(
        f"/surveys/programme/{week_a['programme'].pk}/import/", {"file": SimpleUploadedFile(name, body)}
    )
    assert response.status_code == 400
    assert message in html.unescape(response.content.decode())
    assert not Response.objects.exists()


def test_sheet_download_is_the_coordinators_own(client_for, week_a, coordinator_b, contact, mentor):
    url = f"/surveys/{week_a['surveys']['pre'].pk}/paper-sheet.csv"
    assert client_for(None).get(url).status_code == 302
    assert client_for(coordinator_b).get(url).status_code == 404
    assert client_for(contact).get(url).status_code == 403
    assert client_for(mentor).get(url).status_code == 403
    assert client_for(coordinator_b).get(url.replace(".csv", ".pdf")).status_code == 404


def test_sheet_download_and_check_take_the_same_queries_for_more_students(
    client_for, week_a, coordinator, django_assert_max_num_queries
):
    from surveys.services import survey_setup_programme

    client = client_for(coordinator)
    programme, post = week_a["programme"], week_a["surveys"]["post"]

    def run():
        rows = download(client, post, "csv")
        fill(rows, {row[1]: {"trust": "4", "wants_mentor": "yes"} for row in rows[1:]})
        data, name = as_file(rows, "csv")
        data.name = name
        checked = client.post(f"/surveys/programme/{programme.pk}/import/", {"file": data})
        assert checked.status_code == 200
        return len(rows) - 1

    with django_assert_max_num_queries(40) as small:
        assert run() == 4
    first = len(small)
    for _ in range(20):
        f.PlacementFactory(programme=programme, syndicate=week_a["placements"][0].syndicate)
    survey_setup_programme(programme=programme)
    with django_assert_max_num_queries(first):
        assert run() == 24
