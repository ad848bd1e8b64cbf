"""Nomination rules: window, quota, age band, duplicates, edits, withdrawal, CSV upload."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import OutboundEmail
from schools import services
from schools.forms import CSV_COLUMNS, csv_template
from schools.models import Consent, ConsentLink, Nomination
from tests import factories as f
from tests.schools.conftest import post_data, student


def test_nominating_a_student_saves_it_and_emails_for_consent(
    client_for, contact, allocation_a, django_capture_on_commit_callbacks
):
    client = client_for(contact)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("schools:nominate", args=[allocation_a.pk]), post_data(student(allocation_a.programme))
        )
    nomination = Nomination.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("schools:nomination_detail", args=[nomination.pk])
    assert nomination.institution == allocation_a.institution
    assert nomination.submitted_by == contact
    assert nomination.consent.status == Consent.Status.REQUESTED
    assert nomination.consent.relationship == Consent.Relationship.GUARDIAN
    assert ConsentLink.objects.filter(consent=nomination.consent, sent_to="pat@family.invalid").count() == 1
    kinds = sorted(OutboundEmail.objects.values_list("kind", "to"))
    assert kinds == [("consent_request", "pat@family.invalid"), ("nomination_received", contact.email)]
    assert {m.to[0] for m in mail.outbox} == {"pat@family.invalid", contact.email}


def test_form_page_loads_for_contact(client_for, contact, allocation_a):
    response = client_for(contact).get(reverse("schools:nominate", args=[allocation_a.pk]))
    assert response.status_code == 200
    assert b"ages 14 to 17" in response.content


def test_window_closed_is_refused_with_a_message(client_for, contact, allocation_a, today):
    programme = allocation_a.programme
    programme.nomination_opens = today - timedelta(days=20)
    programme.nomination_closes = today - timedelta(days=1)
    programme.save()
    response = client_for(contact).post(
        reverse("schools:nominate", args=[allocation_a.pk]), post_data(student(programme))
    )
    assert response.status_code == 409
    assert b"closed on" in response.content
    assert not Nomination.objects.exists()


def test_quota_exceeded_is_refused(client_for, contact, allocation_a):
    programme = allocation_a.programme
    for i in range(allocation_a.quota):
        services.nomination_submit(allocation=allocation_a, data=student(programme, last_name=f"S{i}"), actor=contact)
    response = client_for(contact).post(
        reverse("schools:nominate", args=[allocation_a.pk]), post_data(student(programme))
    )
    assert response.status_code == 409
    assert b"used all 3 of its places" in response.content
    assert Nomination.objects.count() == 3


def test_withdrawn_nomination_frees_its_quota_place(contact, allocation_a):
    programme = allocation_a.programme
    made = [
        services.nomination_submit(allocation=allocation_a, data=student(programme, last_name=f"S{i}"), actor=contact)
        for i in range(3)
    ]
    services.nomination_withdraw(nomination=made[0], actor=contact)
    services.nomination_submit(allocation=allocation_a, data=student(programme, last_name="Fourth"), actor=contact)
    assert programme.nominations.live().count() == 3


def test_same_student_twice_is_a_friendly_form_error(client_for, contact, allocation_a):
    programme = allocation_a.programme
    services.nomination_submit(allocation=allocation_a, data=student(programme), actor=contact)
    data = post_data(student(programme, first_name="JAMIE"))
    response = client_for(contact).post(reverse("schools:nominate", args=[allocation_a.pk]), data)
    assert response.status_code == 400
    assert b"already been nominated to this programme" in response.content
    assert Nomination.objects.count() == 1


@pytest.mark.parametrize("age", [13, 18])
def test_date_of_birth_outside_the_age_band_is_refused(client_for, contact, allocation_a, age):
    programme = allocation_a.programme
    dob = programme.start_date.replace(year=programme.start_date.year - age) - timedelta(days=1)
    response = client_for(contact).post(
        reverse("schools:nominate", args=[allocation_a.pk]), post_data(student(programme, date_of_birth=dob))
    )
    assert response.status_code == 400
    assert f"will be {age}".encode() in response.content
    assert b"ages 14 to 17" in response.content
    assert not Nomination.objects.exists()


def test_age_band_edges_are_accepted(contact, allocation_a):
    programme = allocation_a.programme
    start = programme.start_date
    youngest = start.replace(year=start.year - 14)  # 14th birthday on the first day
    oldest = start.replace(year=start.year - 18) + timedelta(days=1)  # 18 the day after
    services.nomination_submit(allocation=allocation_a, data=student(programme, date_of_birth=youngest), actor=contact)
    services.nomination_submit(
        allocation=allocation_a, data=student(programme, date_of_birth=oldest, last_name="Older"), actor=contact
    )
    assert Nomination.objects.count() == 2


def test_adult_students_confirm_their_own_consent(contact, school_a, open_programme):
    open_programme.min_age, open_programme.max_age = 18, None
    open_programme.save()
    allocation = f.AllocationFactory(programme=open_programme, institution=school_a)
    dob = open_programme.start_date.replace(year=open_programme.start_date.year - 20)
    with pytest.raises(services.SchoolsError) as error:
        services.nomination_submit(
            allocation=allocation, data=student(open_programme, date_of_birth=dob, guardian_email=""), actor=contact
        )
    assert error.value.field == "student_email"
    nomination = services.nomination_submit(
        allocation=allocation,
        data=student(
            open_programme, date_of_birth=dob, guardian_email="", guardian_name="", student_email="me@uni.invalid"
        ),
        actor=contact,
    )
    assert nomination.consent.relationship == Consent.Relationship.SELF
    assert OutboundEmail.objects.filter(kind="consent_request", to="me@uni.invalid").exists()


def test_edit_while_window_open_and_not_after(client_for, contact, allocation_a, today):
    programme = allocation_a.programme
    nomination = services.nomination_submit(allocation=allocation_a, data=student(programme), actor=contact)
    client = client_for(contact)
    data = post_data(student(programme, year_group="Year 11"))
    response = client.post(reverse("schools:nomination_edit", args=[nomination.pk]), data)
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.year_group == "Year 11"
    programme.nomination_opens = today - timedelta(days=20)
    programme.nomination_closes = today - timedelta(days=1)
    programme.save()
    response = client.post(reverse("schools:nomination_edit", args=[nomination.pk]), post_data(student(programme)))
    assert response.status_code == 409
    nomination.refresh_from_db()
    assert nomination.year_group == "Year 11"


def test_changing_the_guardian_email_sends_a_new_link_and_kills_the_old(contact, allocation_a):
    programme = allocation_a.programme
    nomination = services.nomination_submit(allocation=allocation_a, data=student(programme), actor=contact)
    old_hash = nomination.consent.links.get().token_hash
    services.nomination_update(
        nomination=nomination, data=student(programme, guardian_email="new@family.invalid"), actor=contact
    )
    link = nomination.consent.links.get()
    assert link.token_hash != old_hash
    assert link.sent_to == "new@family.invalid"


def test_withdraw_through_the_page(client_for, contact, allocation_a):
    nomination = services.nomination_submit(
        allocation=allocation_a, data=student(allocation_a.programme), actor=contact
    )
    response = client_for(contact).post(reverse("schools:nomination_withdraw", args=[nomination.pk]))
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.WITHDRAWN


def test_medical_notes_are_shown_to_coordinators_only(client_for, contact, coordinator, allocation_a):
    nomination = services.nomination_submit(
        allocation=allocation_a, data=student(allocation_a.programme, medical_notes="Carries an EpiPen"), actor=contact
    )
    url = reverse("schools:nomination_detail", args=[nomination.pk])
    assert b"EpiPen" not in client_for(contact).get(url).content
    assert b"EpiPen" in client_for(coordinator).get(url).content


# ---------------------------------------------------------------- CSV upload


def _csv(rows, header=None):
    out = io.StringIO()
    out.write(",".join(header or CSV_COLUMNS) + "\n")
    for row in rows:
        out.write(",".join(str(row.get(c, "")) for c in CSV_COLUMNS) + "\n")
    return out.getvalue()


def _row(programme, **overrides):
    data = student(programme, **overrides)
    data["date_of_birth"] = (
        data["date_of_birth"].isoformat() if hasattr(data["date_of_birth"], "isoformat") else data["date_of_birth"]
    )
    data["police_first_choice"] = "yes" if data["police_first_choice"] is True else data["police_first_choice"] or "no"
    return data


def _upload(client, allocation, content, name="students.csv"):
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        reverse("schools:nomination_upload", args=[allocation.pk]),
        {"file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


def test_template_downloads_with_the_expected_header(client_for, contact):
    response = client_for(contact).get(reverse("schools:csv_template"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response.content.decode().splitlines()[0] == ",".join(CSV_COLUMNS)


def test_the_template_itself_uploads_cleanly(client_for, contact, allocation_a):
    programme = allocation_a.programme
    row = csv_template().splitlines()[1].split(",")
    row[CSV_COLUMNS.index("date_of_birth")] = student(programme)["date_of_birth"].isoformat()
    content = csv_template().splitlines()[0] + "\n" + ",".join(row) + "\n"
    response = _upload(client_for(contact), allocation_a, content)
    assert response.status_code == 302
    assert Nomination.objects.get().last_name == "Example"


def test_valid_csv_saves_every_row(client_for, contact, allocation_a):
    programme = allocation_a.programme
    content = _csv([_row(programme, last_name="One"), _row(programme, last_name="Two", police_first_choice=True)])
    response = _upload(client_for(contact), allocation_a, content)
    assert response.status_code == 302
    assert sorted(Nomination.objects.values_list("last_name", "police_first_choice")) == [("One", False), ("Two", True)]
    assert ConsentLink.objects.count() == 2


def test_one_bad_row_saves_nothing_and_names_row_and_column(client_for, contact, allocation_a):
    programme = allocation_a.programme
    content = _csv(
        [
            _row(programme, last_name="Good"),
            _row(programme, last_name="Bad", date_of_birth="31/02/2011"),
            _row(programme, last_name="Also", emergency_contact_name=""),
        ]
    )
    response = _upload(client_for(contact), allocation_a, content)
    assert response.status_code == 400
    text = response.content.decode()
    assert "Nothing was saved: 2 problems" in text
    assert "<td>3</td><td><code>date_of_birth</code></td>" in text
    assert "<td>4</td><td><code>emergency_contact_name</code></td>" in text
    assert not Nomination.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_rule_broken_on_a_later_row_rolls_back_earlier_rows(client_for, contact, allocation_a):
    programme = allocation_a.programme
    rows = [_row(programme, last_name=f"S{i}") for i in range(4)]  # quota is 3
    response = _upload(client_for(contact), allocation_a, _csv(rows))
    assert response.status_code == 400
    assert "used all 3 of its places" in response.content.decode()
    assert not Nomination.objects.exists()
    assert not ConsentLink.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_duplicate_rows_in_one_file_are_reported(client_for, contact, allocation_a):
    programme = allocation_a.programme
    response = _upload(client_for(contact), allocation_a, _csv([_row(programme), _row(programme)]))
    assert response.status_code == 400
    assert "already been nominated" in response.content.decode()
    assert not Nomination.objects.exists()


def test_wrong_headers_are_refused(client_for, contact, allocation_a):
    header = [c for c in CSV_COLUMNS if c != "guardian_email"] + ["parent_email"]
    response = _upload(client_for(contact), allocation_a, _csv([], header=header) + "x\n")
    assert response.status_code == 400
    text = response.content.decode()
    assert "missing columns: guardian_email" in text and "unknown columns: parent_email" in text


def test_non_utf8_file_is_refused(client_for, contact, allocation_a):
    content = _csv([_row(allocation_a.programme, first_name="Zoë")]).encode("latin-1")
    response = _upload(client_for(contact), allocation_a, content)
    assert response.status_code == 400
    assert "not UTF-8" in response.content.decode()
    assert not Nomination.objects.exists()


def test_utf8_with_bom_from_excel_is_fine(client_for, contact, allocation_a):
    content = "\ufeff" + _csv([_row(allocation_a.programme, first_name="Zoë")])
    response = _upload(client_for(contact), allocation_a, content.encode("utf-8"))
    assert response.status_code == 302
    assert Nomination.objects.get().first_name == "Zoë"


def test_ten_megabyte_file_is_refused(client_for, contact, allocation_a):
    content = _csv([]).encode() + b"x" * (10 * 1024 * 1024)
    response = _upload(client_for(contact), allocation_a, content)
    assert response.status_code == 400
    assert "the limit is 1 MB" in response.content.decode()
    assert not Nomination.objects.exists()


def test_yes_no_column_must_be_yes_or_no(client_for, contact, allocation_a):
    response = _upload(
        client_for(contact), allocation_a, _csv([_row(allocation_a.programme, police_first_choice="maybe")])
    )
    assert response.status_code == 400
    assert "<code>police_first_choice</code>" in response.content.decode()


def test_header_only_file_is_refused(client_for, contact, allocation_a):
    response = _upload(client_for(contact), allocation_a, _csv([]))
    assert response.status_code == 400
    assert "no students" in response.content.decode()


def test_cancelled_programme_takes_no_nominations(contact, allocation_a):
    programme = allocation_a.programme
    programme.status = "cancelled"
    programme.save()
    with pytest.raises(services.SchoolsError, match="cancelled"):
        services.nomination_submit(allocation=allocation_a, data=student(programme), actor=contact)
