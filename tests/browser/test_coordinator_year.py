"""Issue 14's journey: a coordinator runs next year from a fresh demo in the app, never in the Django admin.

Starting from `seed_demo`, the coordinator copies last year's programme, invites a school contact, watches
the task list move as nominations and consents arrive, runs selection, reads the confirm page, sends the
offers, and revokes and reissues a certificate of the finished week. Every request the browser makes is
recorded; one to `/admin/` fails the test. The screenshots are kept under test-artifacts/screenshots/.

Between the browser's visits the schools and guardians act through the services (as the other journeys
do): Django refuses ORM calls while Playwright's event loop runs, so the data is made with the browser shut.
"""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone

from certificates import selectors as certificate_selectors, services as certificate_services
from certificates.models import Certificate
from core.models import OutboundEmail
from placements.models import Programme
from schools import services as school_services
from schools.models import Allocation, Consent, ContactInvitation, Institution, Nomination

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mode():
    """This journey is long: by mouse only (the keyboard journeys of issue 8 cover the same controls)."""
    return "mouse"


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Programme.objects.get(status=Programme.Status.COMPLETED, kind=Programme.Kind.SCHOOL_WEEK)


class AdminWatch:
    """Records every request the page makes to the Django admin."""

    def __init__(self, journey):
        self.hits = []
        journey.page.on("request", self._seen)

    def _seen(self, request):
        if urlsplit(request.url).path.startswith("/admin"):
            self.hits.append(request.url)


def _next_monday(day):
    return day + timedelta(days=(7 - day.weekday()) % 7 or 7)


def _student(n, programme):
    born = programme.start_date.replace(year=programme.start_date.year - 15)
    return {
        "first_name": f"Robin{n}",
        "last_name": "Journey",
        "date_of_birth": born,
        "year_group": "Year 10",
        "emergency_contact_name": f"Pat Journey{n}",
        "emergency_contact_phone": "07700 900001",
        "guardian_name": f"Pat Journey{n}",
        "guardian_email": f"guardian{n}@family.invalid",
        "reason": "Keen on a policing career",
    }


def test_a_coordinator_runs_next_year_in_the_app_without_the_admin(browser, demo):
    today = timezone.localdate()
    start = _next_monday(today + timedelta(days=56))
    completed = demo
    admin_hits = []

    # ---- 1. copy last year's programme, then invite a contact at one of its schools
    with browser("year-1-copy") as j:
        watch = AdminWatch(j)
        j.login("coordinator")
        j.go("/programmes/")
        j.press("a:has-text('Copy a previous programme')")
        j.page_done("choose")
        j.press(f"a[href='/programmes/{completed.pk}/copy/']")
        j.page_done("copy-form")
        assert "What the copy brings" in j.page.inner_text("main")
        j.type_into("#id_title", "Work-experience week, next year")
        j.date_into("#id_start_date", start)
        j.date_into("#id_end_date", start + timedelta(days=4))
        j.date_into("#id_nomination_opens", today)
        j.date_into("#id_nomination_closes", today + timedelta(days=21))
        j.press("button:has-text('Create the copy')")
        j.page_done("copied")
        main = j.page.inner_text("main")
        assert "Work-experience week, next year" in main and "What to do next" in main
        new_path = urlsplit(j.page.url).path
        j.press("a.app-task-list__link:has-text('Schools and quotas')")
        j.page_done("quotas")
        j.press("a:has-text('Invite a contact at one of these institutions')")
        j.page_done("invite")
        j.page.select_option("#id_institution", label="Oakfield Academy")
        j.type_into("#id_name", "Dana Careers")
        j.type_into("#id_email", "dana.careers@oakfield.invalid")
        j.press("main form [type=submit]")
        j.page_done("invited")
        assert "Invitation sent to dana.careers@oakfield.invalid" in j.page.inner_text("main")
        admin_hits += watch.hits

    programme = Programme.objects.get(title="Work-experience week, next year")
    assert new_path == f"/programmes/{programme.pk}/"
    assert programme.force_id == completed.force_id and programme.start_date == start
    assert (
        Allocation.objects.filter(programme=programme).count() == Allocation.objects.filter(programme=completed).count()
    )
    assert ContactInvitation.objects.filter(email="dana.careers@oakfield.invalid").exists()
    assert OutboundEmail.objects.filter(kind="contact_invitation", to="dana.careers@oakfield.invalid").exists()

    # ---- 2. a school nominates two students; one guardian consents, the other has not answered yet
    oakfield = Institution.objects.get(force=programme.force, name="Oakfield Academy")
    allocation = Allocation.objects.get(programme=programme, institution=oakfield)
    contact = oakfield.contacts.filter(user__isnull=False).first().user
    first, second = (
        school_services.nomination_submit(allocation=allocation, data=_student(n, programme), actor=contact)
        for n in (1, 2)
    )
    school_services.consent_respond(
        consent=first.consent,
        respondent_name="Pat Journey1",
        participation=True,
        photos_media=False,
        data_processing=True,
        mentoring_contact=False,
    )

    with browser("year-2-task-list") as j:
        watch = AdminWatch(j)
        j.login("coordinator")
        j.go(f"/programmes/{programme.pk}/")
        tasks = j.page.inner_text(".task-list-section")
        assert "Nominations" in tasks and "Consent" in tasks
        consent_row = j.page.locator(".app-task-list__item", has_text="Consent").first.inner_text()
        assert "1 guardian has not answered" in consent_row, consent_row
        admin_hits += watch.hits

    # ---- 3. the nomination window closes; the coordinator runs selection and reads the confirm page
    Programme.objects.filter(pk=programme.pk).update(
        nomination_opens=today - timedelta(days=14), nomination_closes=today - timedelta(days=1)
    )
    with browser("year-3-selection") as j:
        watch = AdminWatch(j)
        j.login("coordinator")
        j.go(f"/programmes/{programme.pk}/")
        # A pending consent needs attention first; selection can start now that nominations have closed.
        assert "1 guardian has not answered" in j.page.inner_text(".next-step")
        j.press("a.app-task-list__link:has-text('Selection')")
        j.page_done("selection")
        j.press("button:has-text('Check and confirm')")
        j.page_done("confirm")
        main = j.page.inner_text("main")
        assert "Nothing has been sent yet" in main
        assert "Robin1 Journey" in main and "Robin2 Journey" in main
        assert "under consideration" in main.lower()  # consent still pending: never told "not selected"
        j.press("button:has-text('Send 1 offer')")
        j.page_done("sent")
        assert "1 offer sent" in j.page.inner_text("main")
        admin_hits += watch.hits

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Nomination.Status.OFFERED
    assert second.status != Nomination.Status.NOT_SELECTED
    assert second.consent.status == Consent.Status.REQUESTED
    assert OutboundEmail.objects.filter(kind="offer", students=first).exists()
    assert not OutboundEmail.objects.filter(kind="not_selected", students=second).exists()

    # ---- 4. last year's week: revoke a certificate to correct the name, and reissue it in the same step
    to_issue = certificate_selectors.placements_to_issue(programme=completed)
    if to_issue:
        certificate_services.certificate_issue_batch(programme=completed, rows=to_issue)
    certificate = Certificate.objects.filter(placement__programme=completed, status="valid").order_by("serial")[0]
    with browser("year-4-certificate") as j:
        watch = AdminWatch(j)
        j.login("coordinator")
        j.go(f"/certificates/programmes/{completed.pk}/")
        j.press(f"a:has-text('Revoke certificate {certificate.serial:06d}')")
        j.page_done("revoke")
        j.type_into("#id_reason", "Surname misspelt")
        j.type_into("#id_printed_name", "Corrected Name")
        j.press("button:has-text('Revoke and issue a corrected certificate')")
        j.page_done("reissued")
        assert "Corrected Name" in j.page.inner_text("main")
        admin_hits += watch.hits

    assert Certificate.objects.get(pk=certificate.pk).status == "revoked"
    assert Certificate.objects.filter(
        placement=certificate.placement, status="valid", printed_name="Corrected Name"
    ).exists()
    assert admin_hits == [], admin_hits
