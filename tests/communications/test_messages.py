"""Messages to a chosen audience: who each audience reaches (and who it cannot), placeholders that cannot run
code or carry links, the send (one request, then batches, each recipient once), the limits, the sent list."""

from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from communications import messages
from communications.audiences import AUDIENCES, audience_reach
from communications.models import AudienceMessage, MessageRecipient, MessageTemplate
from communications.services import CommunicationsError
from core.links import link_marker
from core.models import OutboundEmail
from mentoring.models import MentorAssignment
from placements.models import Placement
from schools.models import Nomination
from tests import factories as f


def place(programme, institution, **student):
    nomination = f.NominationFactory(
        programme=programme, institution=institution, status=Nomination.Status.ACCEPTED, **student
    )
    return Placement.objects.create(programme=programme, nomination=nomination)


@pytest.fixture
def people(programme_a, school_a, school_b):
    """Force A's programme: two schools with places (B has no contact), three students, two syndicates."""
    f.InstitutionContactFactory(institution=school_a, name="Tess Teacher", email="tess@school-a.invalid")
    f.AllocationFactory(programme=programme_a, institution=school_a, quota=3)
    f.AllocationFactory(programme=programme_a, institution=school_b, quota=2)
    minor = place(
        programme_a,
        school_a,
        first_name="Pupil",
        last_name="Minor",
        guardian_name="Gina Guardian",
        guardian_email="gina@family.invalid",
    )
    adult = place(
        programme_a,
        school_b,
        first_name="Ada",
        last_name="Adult",
        date_of_birth=date(2009, 7, 1),
        student_email="ada@student.invalid",
        guardian_email="",
    )
    no_email = place(programme_a, school_a, first_name="Nell", last_name="Noemail", guardian_email="")
    lead = f.ForcePersonFactory(force=programme_a.force, name="Lee Lead", email="lee@police.invalid")
    f.SyndicateFactory(programme=programme_a, name="Red", lead=lead)
    f.SyndicateFactory(programme=programme_a, name="Blue", lead=lead)
    return {"minor": minor, "adult": adult, "no_email": no_email, "lead": lead}


def reach(key, force, programme=None, today=None):
    return audience_reach(audience=AUDIENCES[key], force=force, programme=programme, today=today)


# --- who each audience reaches ---------------------------------------------------------------------------


def test_families_are_the_guardian_or_the_adult_student_and_those_without_an_email_are_named(people, programme_a):
    found = reach("families", programme_a.force, programme_a)
    assert [(p.kind, p.name, p.address) for p in found.people] == [
        ("adult_student", "Ada", "ada@student.invalid"),
        ("guardian", "Gina Guardian", "gina@family.invalid"),
    ]
    assert found.not_reached == ["Nell Noemail (School A): no parent's or guardian's email"]


def test_school_contacts_and_schools_without_one(people, programme_a, school_b):
    contacts = reach("school_contacts", programme_a.force, programme_a)
    assert [(p.name, p.values["school_name"]) for p in contacts.people] == [("Tess Teacher", "School A")]
    assert contacts.not_reached == ["School B"]
    without = reach("schools_without_contact", programme_a.force, programme_a)
    assert without.people == [] and without.not_reached == ["School B"]
    assert not AUDIENCES["schools_without_contact"].can_send


def test_a_lead_of_two_syndicates_is_emailed_once_naming_both(people, programme_a):
    found = reach("leads", programme_a.force, programme_a)
    assert [(p.name, p.values["syndicate_name"]) for p in found.people] == [("Lee Lead", "Blue and Red")]


def test_survey_audience_is_only_students_who_have_not_answered_each_with_their_own_link(people, programme_a):
    survey = f.SurveyFactory(programme=programme_a, phase="post", title="After the week")
    waiting = f.InvitationFactory(survey=survey, placement=people["minor"])
    f.InvitationFactory(survey=survey, placement=people["adult"], answered_at="2027-07-20T10:00:00Z")
    f.InvitationFactory(survey=survey, placement=people["no_email"])
    found = reach("survey_post_unanswered", programme_a.force, programme_a)
    assert [p.address for p in found.people] == ["gina@family.invalid"]
    assert found.people[0].values["survey_link"] == link_marker("survey", waiting.pk)
    assert found.not_reached == ["Nell Noemail (School A): no parent's or guardian's email"]
    assert reach("survey_pre_unanswered", programme_a.force, programme_a).people == []


def test_mentors_overdue_are_only_this_forces_mentors_with_a_contact_overdue(programme_a, programme_b):
    today = date(2027, 9, 1)
    late = f.MentorAssignmentFactory(placement__programme=programme_a, next_due_on=today - timedelta(days=3))
    f.MentorAssignmentFactory(
        placement__programme=programme_a, mentor=late.mentor, next_due_on=today - timedelta(days=1)
    )
    f.MentorAssignmentFactory(placement__programme=programme_a, next_due_on=today + timedelta(days=3))  # not due
    f.MentorAssignmentFactory(
        placement__programme=programme_a,
        next_due_on=today - timedelta(days=9),
        status=MentorAssignment.Status.ENDED,
        ended_at="2027-08-01T10:00:00Z",
        ended_reason=MentorAssignment.EndReason.COORDINATOR,
    )
    f.MentorAssignmentFactory(placement__programme=programme_b, next_due_on=today - timedelta(days=9))  # other force
    found = reach("mentors_overdue", programme_a.force, today=today)
    assert [(p.name, p.values["overdue_count"]) for p in found.people] == [(late.mentor.name, "2")]


# --- placeholders: a fixed list, one pass, escaped, no links smuggled in -------------------------------------


def test_a_placeholder_that_does_not_exist_or_does_not_fit_the_audience_is_refused():
    families = AUDIENCES["families"]
    assert "{surname} is not a placeholder" in messages.placeholders_check("Hi {surname}", families)
    assert "cannot be filled in for parents" in messages.placeholders_check("{survey_link}", families)
    assert messages.placeholders_check("Dear {recipient_name}, about {programme_title}", families) is None


def test_filling_in_is_one_pass_and_template_code_stays_words():
    values = {"recipient_name": "{programme_title}", "programme_title": "Week"}
    text = "Dear {recipient_name} {{ settings.SECRET_KEY }} {% debug %} {programme_title}"
    assert messages.fill(text, values) == "Dear {programme_title} {{ settings.SECRET_KEY }} {% debug %} Week"


def test_a_link_marker_typed_in_the_message_or_a_name_never_becomes_a_link():
    # Markers are signed (core.links), so a typed one is not a marker; even a real one is taken out.
    filled = messages.fill(
        f"Open {link_marker('consent', 1)} {{recipient_name}}", {"recipient_name": link_marker("survey", 2)}
    )
    assert "[[link:" not in filled


def _send(
    coordinator, key, programme, subject="Hello {recipient_name}", body="Dear {recipient_name},\n\nNews.", run=True
):
    """Send as the view does; `run=False` leaves the batches unstarted (the task is never sent)."""
    with TestCase.captureOnCommitCallbacks(execute=run):
        return messages.audience_message_send(
            force=programme.force,
            audience=AUDIENCES[key],
            programme=programme,
            subject=subject,
            body=body,
            actor=coordinator,
        )


def test_html_is_escaped_and_the_survey_link_works_when_sent(people, programme_a, coordinator):
    survey = f.SurveyFactory(programme=programme_a, phase="post", title="After the week")
    invitation = f.InvitationFactory(survey=survey, placement=people["minor"])
    people["minor"].nomination.guardian_name = "<b>Gina</b>"
    people["minor"].nomination.save()
    _send(
        coordinator,
        "survey_post_unanswered",
        programme_a,
        body="Dear {recipient_name} <script>x</script>\n\n{survey_link}",
    )
    email = OutboundEmail.objects.get(kind="audience_message")
    assert "<script>" not in email.body_html and "&lt;script&gt;" in email.body_html
    assert "<b>Gina</b>" not in email.body_html and "&lt;b&gt;Gina&lt;/b&gt;" in email.body_html
    assert link_marker("survey", invitation.pk) in email.body_text  # a marker at rest, never the link
    sent = mail.outbox[-1]
    from surveys.services import invitation_path

    assert invitation_path(invitation.pk) in sent.body and "[[link:" not in sent.body


# --- sending: one request, batches, each recipient once -----------------------------------------------------


def test_send_is_one_request_that_queues_everyone_once_and_is_audited(people, programme_a, coordinator, client_for):
    client = client_for(coordinator)
    data = {
        "audience": "families",
        "programme": programme_a.pk,
        "subject": "News for {student_first_name}",
        "body": "Dear {recipient_name},\n\n{student_first_name} starts on {programme_dates}.",
        "confirm": "on",
        "action": "send",
    }
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("audience:new"), data)
    message = AudienceMessage.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("audience:detail", args=[message.pk])
    emails = OutboundEmail.objects.filter(kind="audience_message").order_by("to")
    assert [(e.to, e.subject) for e in emails] == [
        ("ada@student.invalid", "News for Ada"),
        ("gina@family.invalid", "News for Pupil"),
    ]
    assert "Pupil starts on Monday 12 July to Friday 16 July 2027." in emails[1].body_text
    assert list(emails[1].students.all()) == [people["minor"].nomination] and emails[1].to_student
    assert message.status == AudienceMessage.Status.DONE and message.recipient_count == 2
    entry = LogEntry.objects.get(additional_data__action="Message sent to an audience")
    assert entry.actor == coordinator and entry.additional_data["recipients"] == 2
    assert entry.additional_data["not_reached"] == 1
    page = client.get(reverse("audience:detail", args=[message.pk]))
    assert page.status_code == 200 and page.context["counts"] == {"sent": 2, "failed": 0, "waiting": 0}
    assert b"gina@family.invalid" not in page.content  # names and states only, no addresses


def test_a_batch_run_again_or_resumed_queues_nobody_twice(
    people, programme_a, coordinator, settings, django_capture_on_commit_callbacks
):
    settings.AUDIENCE_MESSAGE_BATCH_SIZE = 1
    message = _send(coordinator, "families", programme_a, run=False)
    first = MessageRecipient.objects.filter(message=message).order_by("pk").first()
    # A worker died after queueing the first email but before marking it (as if): the outbox key holds it.
    OutboundEmail.objects.create(
        kind="audience_message", to=first.address, subject="x", body_text="x", dedupe_key=first.dedupe_key
    )
    assert messages.audience_message_batch(message_id=message.pk) == 1
    assert messages.audience_message_batch(message_id=message.pk) == 0
    assert messages.audience_message_batch(message_id=message.pk) == 0
    keys = list(OutboundEmail.objects.filter(kind="audience_message").values_list("dedupe_key", flat=True))
    assert sorted(keys) == sorted(r.dedupe_key for r in message.recipients.all())
    first.refresh_from_db()
    assert first.email.dedupe_key == first.dedupe_key


def test_stalled_messages_are_found_for_the_sweep(people, programme_a, coordinator):
    from django.utils import timezone

    message = _send(coordinator, "families", programme_a, run=False)
    assert messages.audience_messages_stalled() == []
    assert messages.audience_messages_stalled(now=timezone.now() + timedelta(minutes=6)) == [message.pk]
    messages.audience_message_batch(message_id=message.pk)
    assert messages.audience_messages_stalled(now=timezone.now() + timedelta(minutes=6)) == []


# --- limits and refusals ----------------------------------------------------------------------------------


def _post(client, programme, **extra):
    data = {
        "audience": "families",
        "programme": programme.pk if programme else "",
        "subject": "Hello",
        "body": "Dear {recipient_name}",
        "confirm": "on",
        "action": "send",
        **extra,
    }
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("audience:new"), data)


def test_a_message_to_more_people_than_allowed_is_refused_and_writes_nothing(
    people, programme_a, coordinator, client_for, settings
):
    settings.AUDIENCE_MESSAGE_MAX_RECIPIENTS = 1
    response = _post(client_for(coordinator), programme_a)
    assert response.status_code == 400
    assert "at most 1" in response.content.decode()
    assert not AudienceMessage.objects.exists() and not OutboundEmail.objects.exists()


def test_the_hourly_limit_per_coordinator_answers_429(people, programme_a, coordinator, client_for, settings):
    settings.AUDIENCE_MESSAGE_HOURLY_LIMIT = 3
    client = client_for(coordinator)
    assert _post(client, programme_a).status_code == 302
    response = _post(client, programme_a)
    assert response.status_code == 429
    assert "You have sent 2 emails in the last hour, and the limit is 3 an hour" in response.content.decode()
    assert AudienceMessage.objects.count() == 1 and OutboundEmail.objects.count() == 2


def test_bad_input_is_a_clear_400(people, programme_a, coordinator, client_for):
    client = client_for(coordinator)
    assert "Tick the box" in _post(client, programme_a, confirm="").content.decode()
    assert _post(client, programme_a, confirm="").status_code == 400
    response = _post(client, programme_a, body="Hi {password}")
    assert response.status_code == 400 and "{password} is not a placeholder" in response.content.decode()
    assert _post(client, programme_a, audience="everyone").status_code == 400
    assert _post(client, None).status_code == 400
    assert _post(client, programme_a, subject="x" * 151).status_code == 400
    assert not AudienceMessage.objects.exists()


def test_another_forces_programme_cannot_be_chosen(people, programme_a, programme_b, coordinator, client_for):
    place(programme_b, f.InstitutionFactory(force=programme_b.force), guardian_email="b@family.invalid")
    response = _post(client_for(coordinator), programme_b)
    assert response.status_code == 400 and not AudienceMessage.objects.exists()
    with pytest.raises(CommunicationsError):
        messages.audience_message_send(
            force=programme_a.force,
            audience=AUDIENCES["families"],
            programme=programme_b,
            subject="x",
            body="y",
            actor=coordinator,
        )


def test_schools_without_a_contact_are_listed_and_cannot_be_sent_to(people, programme_a, coordinator, client_for):
    client = client_for(coordinator)
    response = _post(client, programme_a, audience="schools_without_contact", subject="", body="", action="preview")
    assert response.status_code == 200
    assert "School B" in response.content.decode() and b'value="send"' not in response.content
    response = _post(client, programme_a, audience="schools_without_contact")
    assert not AudienceMessage.objects.exists() and not OutboundEmail.objects.exists()


# --- preview ----------------------------------------------------------------------------------------------


def test_preview_shows_one_email_per_kind_and_sends_nothing(people, programme_a, coordinator, client_for, settings):
    survey = f.SurveyFactory(programme=programme_a, phase="post", title="After the week")
    f.InvitationFactory(survey=survey, placement=people["minor"])
    f.InvitationFactory(survey=survey, placement=people["adult"])
    template = messages.built_in("survey-reminder")
    response = _post(
        client_for(coordinator),
        programme_a,
        audience=template.audience,
        subject=template.subject,
        body=template.body,
        action="preview",
    )
    assert response.status_code == 200
    previews = response.context["previews"]
    assert [(p["title"], p["count"]) for p in previews] == [("Student aged 18 or over", 1), ("Parent or guardian", 1)]
    assert previews[1]["subject"] == f"Pupil's survey about {programme_a.title}"
    assert "[[link:" not in previews[1]["text"] and f"own link: {settings.SITE_URL}/s/…" in previews[1]["text"]
    assert not AudienceMessage.objects.exists() and not OutboundEmail.objects.exists()


# --- templates --------------------------------------------------------------------------------------------


def test_templates_saved_per_force_used_and_deleted(programme_a, coordinator, coordinator_b, client_for):
    client = client_for(coordinator)
    response = _post(
        client, programme_a, action="save", template_name="Term news", subject="News", body="Dear {recipient_name}"
    )
    assert response.status_code == 200
    template = MessageTemplate.objects.get()
    assert (template.force, template.name) == (programme_a.force, "Term news")
    page = client.get(reverse("audience:new") + f"?template=saved-{template.pk}")
    assert page.context["form"].initial["body"] == "Dear {recipient_name}"
    assert "Term news" in client.get(reverse("audience:templates")).content.decode()
    other = client_for(coordinator_b)
    assert "Term news" not in other.get(reverse("audience:templates")).content.decode()
    assert "Dear" not in str(
        other.get(reverse("audience:new") + f"?template=saved-{template.pk}").context["form"].initial
    )
    assert other.post(reverse("audience:template_delete", args=[template.pk])).status_code == 404
    client = client_for(coordinator)
    assert client.get(reverse("audience:template_delete", args=[template.pk])).status_code == 405
    assert client.post(reverse("audience:template_delete", args=[template.pk])).status_code == 302
    assert not MessageTemplate.objects.exists()


def test_built_in_templates_fit_their_audience():
    for template in messages.BUILT_IN:
        audience = AUDIENCES[template.audience]
        assert messages.placeholders_check(template.subject, audience) is None, template.key
        assert messages.placeholders_check(template.body, audience) is None, template.key


# --- pages: scope and query counts -----------------------------------------------------------------------


def test_pages_three_ways(
    people, programme_a, coordinator, coordinator_b, lead, client_for, django_capture_on_commit_callbacks
):
    message = _send(coordinator, "families", programme_a)
    detail = reverse("audience:detail", args=[message.pk])
    assert client_for(None).get(detail).status_code == 302
    assert client_for(coordinator_b).get(detail).status_code == 404
    assert client_for(lead).get(detail).status_code == 403
    assert client_for(coordinator).get(detail).status_code == 200
    listing = client_for(coordinator_b).get(reverse("audience:list"))
    assert listing.status_code == 200 and message.subject not in listing.content.decode()


def _count(client, url, django_assert_num_queries=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_sent_list_and_detail_keep_a_constant_query_count(people, programme_a, coordinator, client_for):
    client = client_for(coordinator)
    _send(coordinator, "families", programme_a)
    client.get(reverse("audience:list"))  # warm: the user's scope is worked out once, then kept
    one_list = _count(client, reverse("audience:list"))
    message = AudienceMessage.objects.get()
    one_detail = _count(client, reverse("audience:detail", args=[message.pk]))
    for n in range(4):
        place(programme_a, people["minor"].nomination.institution, guardian_email=f"more{n}@family.invalid")
        _send(coordinator, "families", programme_a)
        _send(coordinator, "school_contacts", programme_a)
    last = AudienceMessage.objects.order_by("-pk").filter(audience="families").first()
    OutboundEmail.objects.filter(pk=last.recipients.first().email_id).update(sent_at=None, failed_attempts=5)
    client.get(
        reverse("audience:list")
    )  # warm: the growth above changed roles, so the user's cached scope is worked out once more
    assert _count(client, reverse("audience:list")) == one_list
    assert _count(client, reverse("audience:detail", args=[last.pk])) == one_detail
    assert last.recipient_count == 6


def test_privacy_erasure_blanks_who_a_message_went_to(people, programme_a, coordinator):
    from core.personal_data import ERASED
    from privacy.services import student_erase

    message = _send(coordinator, "families", programme_a)
    nomination = people["minor"].nomination
    student_erase(nomination=nomination, actor=coordinator, reason="request")
    recipient = MessageRecipient.objects.get(message=message, nomination=nomination)
    assert (recipient.person_name, recipient.address, recipient.values) == (ERASED, "", {})
    assert "gina" not in recipient.key


def test_a_ready_made_templates_note_in_brackets_must_be_replaced_before_sending(
    people, programme_a, coordinator, client_for
):
    template = messages.built_in("week-change")
    client = client_for(coordinator)
    response = _post(client, programme_a, subject=template.subject, body=template.body)
    assert response.status_code == 400
    assert "Replace the words in square brackets" in response.content.decode()
    body = template.body.replace(
        "[Say what has changed, what it means for {student_first_name}, and whether anything needs doing.]",
        "The week now starts at 10:00 on Monday.",
    )
    assert _post(client, programme_a, subject=template.subject, body=body).status_code == 302


def test_the_sent_list_shows_the_subject_with_the_programme_filled_in(people, programme_a, coordinator, client_for):
    _send(coordinator, "families", programme_a, subject="{programme_title}: news for {student_first_name}")
    page = client_for(coordinator).get(reverse("audience:list")).content.decode()
    assert f"{programme_a.title}: news for {{student_first_name}}" in page


def test_a_survey_that_is_closed_has_nobody_to_remind(people, programme_a):
    from django.utils import timezone

    survey = f.SurveyFactory(programme=programme_a, phase="post", closes_at=timezone.now() - timedelta(days=1))
    f.InvitationFactory(survey=survey, placement=people["minor"])
    found = reach("survey_post_unanswered", programme_a.force, programme_a)
    assert found.people == [] and "is not open for answers" in found.note


@pytest.mark.parametrize("key", ["families", "school_contacts", "leads"])
def test_the_stored_count_and_state_match_the_recipients_at_every_step(people, programme_a, coordinator, settings, key):
    """The sent list reads `recipient_count` and `status` from the message (constant queries) rather than
    counting recipients and emails: they must never drift from the rows they stand for."""
    settings.AUDIENCE_MESSAGE_BATCH_SIZE = 1

    def matches(message):
        message.refresh_from_db()
        recipients = message.recipients.all()
        waiting = recipients.filter(email__isnull=True).count()
        assert message.recipient_count == recipients.count() > 0
        assert (message.status == AudienceMessage.Status.DONE) == (waiting == 0)
        return waiting

    message = _send(coordinator, key, programme_a, run=False)
    matches(message)
    while messages.audience_message_batch(message_id=message.pk):
        assert matches(message) > 0
    assert matches(message) == 0
    assert OutboundEmail.objects.filter(kind="audience_message").count() == message.recipient_count
