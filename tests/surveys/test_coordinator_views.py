"""Coordinator pages: anonymous → login, outsider → 404, signed-in without the role → 403, owner → 200."""

import csv
import io

import pytest
from django.core import mail
from openpyxl import load_workbook
from pypdf import PdfReader

from core.models import OutboundEmail
from core.spreadsheets import spreadsheet_safe
from surveys import standard
from surveys.models import Survey
from surveys.selectors import student_pseudonym
from surveys.services import format_short_code, invitation_short_code, responses_import_csv
from tests import factories as f

from .conftest import make_week


def _urls(programme):
    pre = Survey.objects.get(programme=programme, phase="pre")
    return [
        f"/surveys/programme/{programme.pk}/",
        f"/surveys/programme/{programme.pk}/import/",
        f"/surveys/programme/{programme.pk}/report/",
        f"/surveys/programme/{programme.pk}/report.json",
        f"/surveys/{pre.pk}/qr-sheet.pdf",
    ]


@pytest.mark.parametrize("index", range(5))
def test_three_ways(client_for, week_a, coordinator, coordinator_b, mentor, index):
    url = _urls(week_a["programme"])[index]
    anonymous = client_for(None).get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert client_for(coordinator_b).get(url).status_code == 404
    if "qr-sheet" not in url:
        assert client_for(mentor).get(url).status_code == 403
    assert client_for(coordinator).get(url).status_code == 200


@pytest.mark.parametrize("url", ["/surveys/force/", "/surveys/force/export.csv", "/surveys/force/export.xlsx"])
def test_force_pages_three_ways(client_for, week_a, coordinator, mentor, url):
    assert client_for(None).get(url).status_code == 302
    assert client_for(mentor).get(url).status_code == 403
    assert client_for(coordinator).get(url).status_code == 200


def test_force_page_shows_only_own_force(client_for, week_a, week_b, coordinator):
    page = client_for(coordinator).get("/surveys/force/").content.decode()
    assert week_a["programme"].title in page
    assert week_b["programme"].title not in page


def test_setup_is_idempotent_and_post_only(client_for, programme_a, coordinator, coordinator_b):
    f.PlacementFactory(programme=programme_a)
    url = f"/surveys/programme/{programme_a.pk}/setup/"
    assert client_for(coordinator_b).post(url).status_code == 404
    client = client_for(coordinator)
    assert client.get(url).status_code == 405
    client.post(url)
    client.post(url)
    assert Survey.objects.filter(programme=programme_a).count() == 2
    codes = set(Survey.objects.get(programme=programme_a, phase="post").questions.values_list("code", flat=True))
    assert {
        "approachability",
        "trust",
        "fairness",
        "career_interest",
        "perception_change",
        "would_recommend",
        "wants_mentor",
    } <= codes
    pre_codes = set(Survey.objects.get(programme=programme_a, phase="pre").questions.values_list("code", flat=True))
    assert "wants_mentor" not in pre_codes and "approachability" in pre_codes
    assert Survey.objects.get(programme=programme_a, phase="pre").invitations.count() == 1


def test_activity_questions_follow_the_timetable(programme_a):
    surveys, _ = make_week(programme_a, activities=("dogs", "drones"))
    codes = set(surveys["post"].questions.values_list("code", flat=True))
    assert {"activity:dogs", "activity:drones"} <= codes
    assert not any(c.startswith("activity:") for c in surveys["pre"].questions.values_list("code", flat=True))


def test_qr_sheet_pdf_has_one_card_per_unanswered_student(client_for, week_a, coordinator, contact, school_a):
    survey = week_a["surveys"]["pre"]
    response = client_for(coordinator).get(f"/surveys/{survey.pk}/qr-sheet.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for invitation in survey.invitations.all():
        assert format_short_code(invitation_short_code(invitation)) in text
    # A school contact gets a sheet with only their own students.
    own = week_a["placements"][0]
    own.nomination.institution = school_a
    own.nomination.save()
    contact_pdf = client_for(contact).get(f"/surveys/{survey.pk}/qr-sheet.pdf")
    assert contact_pdf.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(contact_pdf.content)).pages)
    assert own.nomination.last_name in text
    assert week_a["placements"][1].nomination.last_name not in text


def test_contact_cannot_get_another_forces_sheet(client_for, week_b, contact):
    assert client_for(contact).get(f"/surveys/{week_b['surveys']['pre'].pk}/qr-sheet.pdf").status_code == 404


def test_send_links_emails_each_contact_once(client_for, week_a, coordinator, django_capture_on_commit_callbacks):
    placement = week_a["placements"][0]
    f.InstitutionContactFactory(institution=placement.nomination.institution, email="careers@school.invalid")
    url = f"/surveys/{week_a['surveys']['pre'].pk}/send-links/"
    client = client_for(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
        client.post(url)
    emails = OutboundEmail.objects.filter(to="careers@school.invalid")
    assert emails.count() == 1
    assert "/s/" in emails.get().body_text
    assert placement.nomination.full_name in emails.get().body_text
    assert len(mail.outbox) == 1


def test_window_form_rejects_close_before_open(client_for, week_a, coordinator):
    survey = week_a["surveys"]["pre"]
    client = client_for(coordinator)
    client.post(
        f"/surveys/{survey.pk}/window/",
        {f"s{survey.pk}-opens_at": "2027-07-10T09:00", f"s{survey.pk}-closes_at": "2027-07-01T09:00"},
    )
    survey.refresh_from_db()
    assert survey.closes_at is None
    client.post(
        f"/surveys/{survey.pk}/window/",
        {f"s{survey.pk}-opens_at": "2027-07-01T09:00", f"s{survey.pk}-closes_at": "2027-07-10T09:00"},
    )
    survey.refresh_from_db()
    assert survey.closes_at is not None


def test_programme_page_has_the_surveys_section(client_for, week_a, coordinator):
    page = client_for(coordinator).get(f"/programmes/{week_a['programme'].pk}/").content.decode()
    assert "Surveys" in page and f"/surveys/programme/{week_a['programme'].pk}/" in page


def test_surveys_page_query_count_is_constant(client_for, week_a, coordinator, django_assert_max_num_queries):
    client = client_for(coordinator)
    url = f"/surveys/programme/{week_a['programme'].pk}/"
    with django_assert_max_num_queries(30) as small:
        assert client.get(url).status_code == 200
    first = len(small)  # read now: the next request clears the connection's query log
    assert first > 0
    for _ in range(10):
        f.PlacementFactory(programme=week_a["programme"])
    client.post(f"/surveys/programme/{week_a['programme'].pk}/setup/")
    with django_assert_max_num_queries(first):
        assert client.get(url).status_code == 200


def test_report_page_flags_small_samples(client_for, week_a, coordinator):
    p = week_a["placements"][0].pk
    responses_import_csv(
        programme=week_a["programme"], data=f"placement,phase,question,answer\n{p},pre,trust,3\n{p},post,trust,4"
    )
    page = client_for(coordinator).get(f"/surveys/programme/{week_a['programme'].pk}/report/").content.decode()
    assert "Small sample" in page
    assert 'class="bar-chart' in page


def _seed_answers(week):
    p = week["placements"]
    data = "\n".join(
        [
            "placement,phase,question,answer",
            f"{p[0].pk},pre,approachability,3",
            f"{p[0].pk},post,approachability,4",
            f'{p[0].pk},post,comments,"=HYPERLINK(""http://evil"")"',
            f"{p[0].pk},post,wants_mentor,yes",
            f"{p[1].pk},post,comments,@SUM(1)",
        ]
    )
    responses_import_csv(programme=week["programme"], data=data)


def test_csv_export_is_anonymised_and_formula_safe(client_for, week_a, coordinator):
    _seed_answers(week_a)
    response = client_for(coordinator).get("/surveys/force/export.csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][0].startswith("Student (a pseudonym")
    assert not any("_" in heading for heading in rows[0])  # words, not field names
    placement = week_a["placements"][0]
    for name in (
        placement.nomination.first_name,
        placement.nomination.last_name,
        str(placement.nomination.date_of_birth),
    ):
        assert name not in body
    approachable = standard.PAIRED_LIKERT[0][1]
    ids = {row[0] for row in rows[1:] if row[3] in ("Before the week", "After the week") and row[6] == approachable}
    assert ids == {student_pseudonym(placement.pk)}  # pre and post linked by one pseudonym
    comments = next(text for code, _kind, text, *_rest in standard.POST if code == "comments")
    texts = [row[8] for row in rows[1:] if row[6] == comments]
    assert sorted(texts) == sorted(['\'=HYPERLINK("http://evil")', "'@SUM(1)"])
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    mentor = next(text for code, _kind, text, *_rest in standard.POST if code == "wants_mentor")
    assert [row[8] for row in rows[1:] if row[6] == mentor] == ["yes"]
    codes = {code for code, *_rest in (*standard.PRE, *standard.POST)}
    assert not codes & {cell for row in rows for cell in row}  # no question code in the file


def test_xlsx_export_has_no_formulas(client_for, week_a, coordinator):
    _seed_answers(week_a)
    response = client_for(coordinator).get("/surveys/force/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert all(not (isinstance(v, str) and v.startswith(("=", "+", "-", "@"))) for v in values)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert "'@SUM(1)" in values


def test_spreadsheet_safe():
    assert spreadsheet_safe("=1+1") == "'=1+1"
    assert spreadsheet_safe("-2") == "'-2"
    assert spreadsheet_safe("+x") == "'+x"
    assert spreadsheet_safe("@x") == "'@x"
    assert spreadsheet_safe("fine") == "fine"
    assert spreadsheet_safe(4) == 4


def test_pseudonym_is_stable_and_not_the_id():
    assert student_pseudonym(7) == student_pseudonym(7)
    assert student_pseudonym(7) != student_pseudonym(8)
    assert student_pseudonym(7)[1:] != "7"


def test_contact_surveys_page_three_ways(client_for, week_a, contact, mentor, school_a):
    placement = week_a["placements"][0]
    placement.nomination.institution = school_a
    placement.nomination.save()
    assert client_for(None).get("/surveys/school/").status_code == 302
    assert client_for(mentor).get("/surveys/school/").status_code == 403
    page = client_for(contact).get("/surveys/school/")
    assert page.status_code == 200
    assert f"/surveys/{week_a['surveys']['pre'].pk}/qr-sheet.pdf" in page.content.decode()


def test_send_links_shows_who_will_be_emailed_before_sending(client_for, week_a, coordinator):
    placements = week_a["placements"]
    with_contact = placements[0].nomination.institution
    f.InstitutionContactFactory(institution=with_contact, name="Pat Careers", email="careers@school.invalid")
    without_contact = [p.nomination.institution for p in placements if p.nomination.institution != with_contact]
    survey = week_a["surveys"]["pre"]
    response = client_for(coordinator).get(f"/surveys/{survey.pk}/send-links/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Pat Careers (careers@school.invalid)" in page
    assert "Send 1 email" in page
    assert without_contact, "the week's students come from more than one school"
    assert f"{len(without_contact)} schools have nobody to email" in page
    assert without_contact[0].name in page
    assert OutboundEmail.objects.filter(kind="survey_links").count() == 0


def test_send_links_is_a_named_action_and_a_second_send_says_nobody_was_emailed(
    client_for, week_a, coordinator, django_capture_on_commit_callbacks
):
    from auditlog.models import LogEntry

    institution = week_a["placements"][0].nomination.institution
    f.InstitutionContactFactory(institution=institution, email="careers@school.invalid")
    survey = week_a["surveys"]["pre"]
    client = client_for(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/surveys/{survey.pk}/send-links/")
    entry = LogEntry.objects.filter(additional_data__action="Survey links emailed to schools").get()
    assert entry.additional_data["contacts"] == 1
    assert entry.actor == coordinator
    page = client.get(f"/surveys/{survey.pk}/send-links/").content.decode()
    assert "Already emailed" in page
    assert "Send 1 email" not in page
    response = client.post(f"/surveys/{survey.pk}/send-links/", follow=True)
    assert "Nobody was emailed" in response.content.decode()
