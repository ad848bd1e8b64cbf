"""Safe selection and offers: the confirm step, who may be told "not selected", the answer-by date,
institutions without a contact, the stale-plan check and withdrawing an offer sent by mistake."""

import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from auditlog.models import LogEntry
from django.contrib.messages import get_messages
from django.db import transaction
from django.urls import reverse
from hypothesis import given, strategies as st

from core.models import OutboundEmail
from schools import services
from schools.models import Consent, Nomination
from tests import factories as f
from tests.schools.conftest import check_and_send


def _school(programme, name, *, contact=True, **extra):
    school = f.InstitutionFactory(force=programme.force, name=name, **extra)
    f.AllocationFactory(programme=programme, institution=school, quota=4)
    if contact:
        f.InstitutionContactFactory(
            institution=school, name=f"Head of {name}", email=f"head@{name[:4].lower()}.invalid"
        )
    return school


def _student(programme, school, last_name, consent="given"):
    nomination = f.NominationFactory(programme=programme, institution=school, first_name="Sam", last_name=last_name)
    if consent == "given":
        f.ConsentFactory(nomination=nomination)
    elif consent == "refused":
        f.ConsentFactory(nomination=nomination, status=Consent.Status.REFUSED, participation=False)
    elif consent == "requested":
        f.ConsentFactory(nomination=nomination, status=Consent.Status.REQUESTED, participation=False, responded_at=None)
    return nomination


def _close_window(programme, today):
    programme.nomination_opens = today - timedelta(days=40)
    programme.nomination_closes = today - timedelta(days=1)
    programme.save()


@pytest.fixture
def mixed(open_programme):
    """Oakfield (with a contact): two consented, one refused, one awaiting consent; Ashdown (no contact): one."""
    oakfield = _school(open_programme, "Oakfield Academy")
    ashdown = _school(open_programme, "Ashdown School", contact=False)
    open_programme.capacity = 2
    open_programme.reserved_send_places = 0
    open_programme.max_per_institution = None
    open_programme.save()
    return {
        "oakfield": oakfield,
        "given": _student(open_programme, oakfield, "Given"),
        "given2": _student(open_programme, oakfield, "Waiting"),
        "refused": _student(open_programme, oakfield, "Refused", consent="refused"),
        "pending": _student(open_programme, oakfield, "Pending", consent="requested"),
        "ashdown": _student(open_programme, ashdown, "Ashdown"),
        "ashdown_school": ashdown,
    }


def _status(nomination):
    return Nomination.objects.values_list("status", flat=True).get(pk=nomination.pk)


# ---------------------------------------------------------------- who is told "not selected"


def test_nobody_is_told_not_selected_while_nominations_are_open(open_programme, mixed, coordinator, today):
    assert open_programme.nominations_open_on(today)
    plan = services.selection_plan(
        programme=open_programme, selected_ids=[mixed["given"].pk], deadline=today + timedelta(days=10)
    )
    assert plan.not_selected == ()
    under = {s.nomination_id: s.why for s in plan.under_consideration}
    assert set(under) == {mixed["refused"].pk, mixed["pending"].pk}
    assert "refused" in under[mixed["refused"].pk] and "nominations close on" in under[mixed["refused"].pk]
    services.selection_confirm(
        programme=open_programme, selected_ids=[mixed["given"].pk], deadline=plan.deadline, actor=coordinator
    )
    assert _status(mixed["refused"]) == _status(mixed["pending"]) == Nomination.Status.SUBMITTED
    assert not OutboundEmail.objects.filter(kind="not_selected").exists()


def test_after_the_window_refused_consent_is_told_but_pending_consent_never(open_programme, mixed, coordinator, today):
    _close_window(open_programme, today)
    # Fill the cohort and leave students waiting: pending consent still is not turned away.
    services.selection_confirm(
        programme=open_programme,
        selected_ids=[mixed["given"].pk, mixed["ashdown"].pk],
        actor=coordinator,
        send_anyway=True,
    )
    assert _status(mixed["refused"]) == Nomination.Status.NOT_SELECTED
    assert _status(mixed["pending"]) == Nomination.Status.SUBMITTED
    assert _status(mixed["given2"]) == Nomination.Status.WAITLISTED
    told = OutboundEmail.objects.filter(kind="not_selected")
    assert told.count() == 1 and "Refused" in told.get().subject
    assert "consent to take part was not given" in told.get().body_text
    assert not OutboundEmail.objects.filter(subject__contains="Pending").exists()


# ---------------------------------------------------------------- the answer-by date


def test_answer_by_date_defaults_from_the_programme_not_from_today():
    far = SimpleNamespace(nomination_closes=date(2027, 4, 30), start_date=date(2027, 7, 12))
    # Months before the week, during the window: a week after nominations close.
    assert services.offer_deadline_default(far, date(2026, 11, 20)) == date(2027, 5, 7)
    # After the window: a week from today.
    assert services.offer_deadline_default(far, date(2027, 6, 1)) == date(2027, 6, 8)
    # Two weeks before the week at the latest, so a declined place can go to the waiting list.
    assert services.offer_deadline_default(far, date(2027, 6, 25)) == date(2027, 7, 2)
    # The week is days away: a week from today would be too late, so the day before it starts.
    assert services.offer_deadline_default(far, date(2027, 7, 8)) == date(2027, 7, 11)


@given(
    start=st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31)),
    window=st.integers(0, 300),
    ahead=st.integers(1, 400),
)
def test_answer_by_date_default_is_never_past_and_always_before_the_week(start, window, ahead):
    programme = SimpleNamespace(nomination_closes=start - timedelta(days=window), start_date=start)
    today = start - timedelta(days=ahead)
    default = services.offer_deadline_default(programme, today)
    assert today <= default < start
    services.offer_deadline_check(programme, default, today)  # the default always passes the check


def test_answer_by_date_on_or_after_the_start_is_refused_on_the_field(open_programme, mixed, coordinator):
    with pytest.raises(services.SchoolsError, match="before the week starts") as refused:
        services.selection_confirm(
            programme=open_programme,
            selected_ids=[mixed["given"].pk],
            deadline=open_programme.start_date,
            actor=coordinator,
        )
    assert refused.value.field == "deadline"
    assert _status(mixed["given"]) == Nomination.Status.SUBMITTED


def test_selection_page_suggests_the_default_date(client_for, coordinator, open_programme, mixed, today):
    page = client_for(coordinator).get(reverse("schools:selection", args=[open_programme.pk])).content.decode()
    default = services.offer_deadline_default(open_programme, today)
    for part, value in (("day", default.day), ("month", default.month), ("year", default.year)):
        assert f'name="deadline_{part}" value="{value}"' in page
    assert "Nominations are open until" in page


# ---------------------------------------------------------------- the confirm step


def test_confirm_page_lists_everything_that_will_happen(client_for, coordinator, open_programme, mixed, today):
    _close_window(open_programme, today)
    url = reverse("schools:selection_confirm", args=[open_programme.pk])
    deadline = open_programme.start_date - timedelta(days=14)
    page = client_for(coordinator).get(url, {"selected": [mixed["given"].pk], "deadline": deadline})
    assert page.status_code == 200
    html = page.content.decode()
    sections = re.split(r'<h2 class="h5" id="h-', html)
    offers, waiting, not_selected, under, emails = (s for s in sections[1:6])
    assert "Sam Given" in offers and "Sam Waiting" not in offers
    # The waiting list in order: the assistant's own unticked pick first, then the rest, ranked as the send will.
    assert waiting.index("Sam Ashdown") < waiting.index("Sam Waiting") and "Sam Given" not in waiting
    assert "Proposed by the assistant but not ticked" in waiting
    plan = services.selection_plan(programme=open_programme, selected_ids=[mixed["given"].pk], deadline=deadline)
    assert [(s.name, s.rank) for s in plan.waiting] == [("Sam Ashdown", 1), ("Sam Waiting", 2)]
    assert "Sam Refused" in not_selected
    assert "Sam Pending" in under and "Consent not answered yet" in under
    # Emails grouped per institution with their recipient, and who cannot receive theirs.
    assert "Oakfield Academy" in emails and "head@oakf.invalid" in emails
    assert "Offer of a place: Sam Given" in emails and "Not selected: Sam Refused" in emails
    assert "Ashdown School" in emails and "Nobody will receive these" in emails
    assert 'name="send_anyway"' not in html  # no offer goes to Ashdown
    assert "Send 1 offer" in html
    assert Nomination.objects.filter(status=Nomination.Status.OFFERED).count() == 0  # a GET sends nothing
    assert not OutboundEmail.objects.filter(kind__in=["offer", "waitlisted", "not_selected"]).exists()


def test_sending_is_blocked_while_an_offer_has_nobody_to_receive_it(
    client_for, coordinator, open_programme, mixed, today
):
    client = client_for(coordinator)
    deadline = open_programme.start_date - timedelta(days=14)
    chosen = [mixed["given"].pk, mixed["ashdown"].pk]
    page, refused = check_and_send(client, open_programme, chosen, deadline)
    html = page.content.decode()
    assert "1 offer cannot be emailed" in html and "Nobody at Ashdown School can receive them" in html
    assert "Send anyway: these offers can only lapse unless you reach the school another way" in html
    invite = reverse("schools:contact_invite", args=[open_programme.pk]) + f"?institution={mixed['ashdown_school'].pk}"
    assert invite in html
    assert refused.status_code == 400
    assert "invite a contact first" in refused.content.decode()
    assert not Nomination.objects.filter(status=Nomination.Status.OFFERED).exists()
    assert not OutboundEmail.objects.filter(kind="offer").exists()

    _, sent = check_and_send(client, open_programme, chosen, deadline, send_anyway="on")
    assert sent.status_code == 302
    assert _status(mixed["given"]) == _status(mixed["ashdown"]) == Nomination.Status.OFFERED
    message = list(get_messages(sent.wsgi_request))[-1]
    assert message.level_tag == "warning"  # not a green "done" when offers can only lapse
    message = str(message)
    assert message.startswith("1 offer sent to 1 school. 1 offer could not be emailed because Ashdown School has")
    assert "invite one from Schools and quotas" in message
    assert OutboundEmail.objects.filter(kind="offer").count() == 1


def test_the_service_refuses_offers_without_a_contact_unless_told(open_programme, mixed, coordinator):
    with pytest.raises(services.SchoolsError, match="Nobody at Ashdown School") as refused:
        services.selection_confirm(programme=open_programme, selected_ids=[mixed["ashdown"].pk], actor=coordinator)
    assert refused.value.field == "send_anyway"
    assert _status(mixed["ashdown"]) == Nomination.Status.SUBMITTED


def test_a_stale_plan_is_refused_with_409_and_the_new_one_shown(client_for, coordinator, open_programme, mixed, today):
    client = client_for(coordinator)
    url = reverse("schools:selection_confirm", args=[open_programme.pk])
    query = {"selected": [mixed["given"].pk], "deadline": open_programme.start_date - timedelta(days=14)}
    page = client.get(url, query).content.decode()
    old = re.search(r'name="digest" value="([0-9a-f]{64})"', page).group(1)
    # Meanwhile the pending guardian says yes: the waiting list the coordinator saw is not the one now.
    Consent.objects.filter(nomination=mixed["pending"]).update(
        status=Consent.Status.GIVEN, participation=True, responded_at=mixed["pending"].created_at
    )
    response = client.post(url, {**query, "digest": old})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Something changed since you checked" in html and "Nothing was sent" in html
    new = re.search(r'name="digest" value="([0-9a-f]{64})"', html).group(1)
    assert new != old
    assert not Nomination.objects.filter(status__in=["offered", "waitlisted"]).exists()
    assert not OutboundEmail.objects.filter(kind__in=["offer", "waitlisted"]).exists()
    assert client.post(url, {**query, "digest": new}).status_code == 302
    assert _status(mixed["pending"]) == Nomination.Status.WAITLISTED


def test_the_service_checks_the_digest_inside_its_transaction(open_programme, mixed, coordinator, today):
    deadline = open_programme.start_date - timedelta(days=14)
    plan = services.selection_plan(programme=open_programme, selected_ids=[mixed["given"].pk], deadline=deadline)
    with pytest.raises(services.SchoolsError) as refused:
        services.selection_confirm(
            programme=open_programme,
            selected_ids=[mixed["given"].pk],
            deadline=deadline,
            digest="0" * 64,
            actor=coordinator,
        )
    assert refused.value.status == 409
    done = services.selection_confirm(
        programme=open_programme,
        selected_ids=[mixed["given"].pk],
        deadline=deadline,
        digest=plan.digest,
        actor=coordinator,
    )
    assert done == plan


def test_a_tampered_or_missing_digest_sends_nothing(client_for, coordinator, open_programme, mixed):
    url = reverse("schools:selection_confirm", args=[open_programme.pk])
    query = {"selected": [mixed["given"].pk], "deadline": open_programme.start_date - timedelta(days=14)}
    client = client_for(coordinator)
    assert client.post(url, query).status_code == 400
    assert client.post(url, {**query, "digest": "<script>"}).status_code == 400
    assert client.post(url, {**query, "digest": "f" * 64}).status_code == 409
    assert not Nomination.objects.filter(status=Nomination.Status.OFFERED).exists()


def test_a_student_offered_meanwhile_makes_the_confirm_page_409(client_for, coordinator, open_programme, mixed):
    services.selection_confirm(programme=open_programme, selected_ids=[mixed["given"].pk], actor=coordinator)
    url = reverse("schools:selection_confirm", args=[open_programme.pk])
    response = client_for(coordinator).get(
        url, {"selected": [mixed["given"].pk], "deadline": open_programme.start_date - timedelta(days=14)}
    )
    assert response.status_code == 409
    assert "no longer waiting for a decision" in response.content.decode()
    assert _status(mixed["given"]) == Nomination.Status.OFFERED


def test_confirming_is_audited_with_counts(open_programme, mixed, coordinator, today):
    _close_window(open_programme, today)
    services.selection_confirm(
        programme=open_programme,
        selected_ids=[mixed["given"].pk, mixed["ashdown"].pk],
        actor=coordinator,
        send_anyway=True,
    )
    entries = {e.additional_data["action"]: e.additional_data for e in LogEntry.objects.get_for_object(open_programme)}
    confirmed, sent = entries["Selection confirmed"], entries["Offers sent"]
    assert (confirmed["offers"], confirmed["waiting_list"], confirmed["not_selected"]) == (2, 1, 1)
    assert confirmed["under_consideration"] == 1
    assert (sent["offers"], sent["emailed"], sent["institutions"], sent["without_contact"]) == (2, 1, 1, 1)


# ---------------------------------------------------------------- withdrawing an offer


@pytest.fixture
def offered(open_programme, mixed, coordinator):
    """Sam Given offered, Sam Waiting first on the waiting list."""
    services.selection_confirm(programme=open_programme, selected_ids=[mixed["given"].pk], actor=coordinator)
    assert _status(mixed["given2"]) == Nomination.Status.WAITLISTED
    return Nomination.objects.get(pk=mixed["given"].pk)


def test_withdraw_page_shows_the_apology_and_who_gets_it(client_for, coordinator, offered):
    client = client_for(coordinator)
    detail = client.get(reverse("schools:nomination_detail", args=[offered.pk])).content.decode()
    url = reverse("schools:offer_withdraw", args=[offered.pk])
    assert url in detail and "Withdraw offer" in detail
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "head@oakf.invalid" in html
    assert f"Offer withdrawn: Sam Given, {offered.programme.title}" in html
    assert "not</strong> offered to the next student automatically" in html
    assert _status(offered) == Nomination.Status.OFFERED  # looking changes nothing
    assert not OutboundEmail.objects.filter(kind="offer_withdrawn").exists()


def test_withdrawing_before_acceptance_apologises_and_frees_the_place(
    client_for, coordinator, offered, open_programme, mixed
):
    _, free_before = services.selection_propose(programme=open_programme)
    response = client_for(coordinator).post(
        reverse("schools:offer_withdraw", args=[offered.pk]), {"reason": "We mixed up two lists."}
    )
    assert response.status_code == 302
    offered.refresh_from_db()
    assert offered.status == Nomination.Status.SHORTLISTED and offered.offer_deadline is None
    apology = OutboundEmail.objects.get(kind="offer_withdrawn")
    assert apology.to == "head@oakf.invalid"
    assert "Sam Given" in apology.subject and open_programme.title in apology.subject
    assert "We mixed up two lists." in apology.body_text and open_programme.title in apology.body_text
    proposal, free_after = services.selection_propose(programme=open_programme)
    assert free_after == free_before + 1
    assert offered.pk in [n.pk for n, _ in proposal]  # back in the pool, under consideration
    # The place is not offered on by itself: the coordinator decides, through the confirm step.
    assert _status(mixed["given2"]) == Nomination.Status.WAITLISTED
    assert OutboundEmail.objects.filter(kind="offer").count() == 1
    entry = LogEntry.objects.get_for_object(offered).filter(additional_data__action="Offer withdrawn").get()
    assert entry.additional_data["emailed"] == 1 and entry.actor == coordinator
    assert "mixed up" not in str(entry.additional_data)


def test_withdrawing_after_acceptance_is_refused(client_for, coordinator, contact, offered):
    services.offer_respond(nomination=offered, accept=True, actor=contact)
    url = reverse("schools:offer_withdraw", args=[offered.pk])
    client = client_for(coordinator)
    for response in (client.get(url), client.post(url, {"reason": ""})):
        assert response.status_code == 409
        assert "has accepted the place" in response.content.decode()
    assert _status(offered) == Nomination.Status.ACCEPTED
    assert not OutboundEmail.objects.filter(kind="offer_withdrawn").exists()
    with pytest.raises(services.SchoolsError) as refused:
        services.offer_withdraw(nomination=offered, actor=coordinator, reason="")
    assert refused.value.status == 409


def test_withdrawing_a_declined_offer_is_refused(coordinator, contact, offered):
    services.offer_respond(nomination=offered, accept=False, actor=contact)
    with pytest.raises(services.SchoolsError, match="no open offer") as refused:
        services.offer_withdraw(nomination=offered, actor=coordinator, reason="")
    assert refused.value.status == 409


def test_a_school_contact_cannot_withdraw_an_offer(client_for, offered, mixed):
    contact_user = f.UserFactory(username="head-oakfield")
    f.InstitutionContactFactory(institution=mixed["oakfield"], user=contact_user, email="other@oakf.invalid")
    url = reverse("schools:offer_withdraw", args=[offered.pk])
    client = client_for(contact_user)
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "x"}).status_code == 403
    assert _status(offered) == Nomination.Status.OFFERED
    detail = client.get(reverse("schools:nomination_detail", args=[offered.pk])).content.decode()
    assert url not in detail


# ---------------------------------------------------------------- scope


def test_another_forces_coordinator_gets_404_on_every_new_url(client_for, coordinator_b, offered, open_programme):
    client = client_for(coordinator_b)
    query = {"selected": [offered.pk], "deadline": open_programme.start_date - timedelta(days=14)}
    confirm = reverse("schools:selection_confirm", args=[open_programme.pk])
    withdraw = reverse("schools:offer_withdraw", args=[offered.pk])
    assert client.get(confirm, query).status_code == 404
    assert client.post(confirm, {**query, "digest": "0" * 64, "send_anyway": "on"}).status_code == 404
    assert client.get(withdraw).status_code == 404
    assert client.post(withdraw, {"reason": "x"}).status_code == 404
    assert _status(offered) == Nomination.Status.OFFERED


def test_anonymous_visitors_are_sent_to_sign_in(client_for, offered, open_programme):
    client = client_for(None)
    for url in (
        reverse("schools:selection_confirm", args=[open_programme.pk]),
        reverse("schools:offer_withdraw", args=[offered.pk]),
    ):
        for response in (client.get(url), client.post(url, {})):
            assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


# ---------------------------------------------------------------- the quotas page


def test_quotas_page_shows_who_receives_offers_and_invites_the_rest(client_for, coordinator, open_programme, mixed):
    from tests.schools.factories import ContactInvitationFactory

    ContactInvitationFactory(institution=mixed["ashdown_school"], email="new.head@ashdown.invalid")
    page = client_for(coordinator).get(reverse("schools:allocations", args=[open_programme.pk])).content.decode()
    names = ("Oakfield Academy", "Ashdown School")
    rows = {name: page[page.index(f'role="rowheader">{name}') :].split("</tr>")[0] for name in names}
    assert "Head of Oakfield Academy" in rows["Oakfield Academy"] and "No contact yet" not in rows["Oakfield Academy"]
    assert "No contact yet" in rows["Ashdown School"]
    invite = reverse("schools:contact_invite", args=[open_programme.pk]) + f"?institution={mixed['ashdown_school'].pk}"
    assert invite in rows["Ashdown School"]
    assert "new.head@ashdown.invalid" in rows["Ashdown School"]


def test_invite_link_preselects_the_institution(client_for, coordinator, open_programme, mixed):
    school = mixed["ashdown_school"]
    url = reverse("schools:contact_invite", args=[open_programme.pk])
    page = client_for(coordinator).get(url, {"institution": school.pk}).content.decode()
    assert f'<option value="{school.pk}" selected>' in page
    assert client_for(coordinator).get(url, {"institution": "x" * 40}).status_code == 200


def test_quotas_page_keeps_a_constant_query_count(
    client_for, coordinator, open_programme, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.schools.factories import ContactInvitationFactory

    client = client_for(coordinator)
    url = reverse("schools:allocations", args=[open_programme.pk])
    _school(open_programme, "First School")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    few = len(few)  # now: the next request empties the log it is read from
    for i in range(12):
        school = _school(open_programme, f"Extra {i:02d}", contact=i % 2 == 0)
        f.InstitutionContactFactory(institution=school)
        ContactInvitationFactory(institution=school)
    client.get(url)  # warm: the growth above changed roles, so the user's cached scope is worked out once more
    with django_assert_max_num_queries(few):
        assert client.get(url).status_code == 200
    print(f"quotas page: {few} queries for 1 or 13 institutions")


def test_confirm_page_keeps_a_constant_query_count(
    client_for, coordinator, open_programme, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(coordinator)
    url = reverse("schools:selection_confirm", args=[open_programme.pk])
    query = {"selected": [], "deadline": open_programme.start_date - timedelta(days=14)}
    school = _school(open_programme, "First School")
    _student(open_programme, school, "One")
    client.get(url, query)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, query).status_code == 200
    few = len(few)  # now: the next request empties the log it is read from
    for i in range(10):
        school = _school(open_programme, f"Extra {i:02d}", contact=i % 2 == 0)
        for consent in ("given", "refused", "requested"):
            _student(open_programme, school, f"{consent}{i}", consent=consent)
    client.get(url, query)  # warm: the growth above changed roles, so the user's cached scope is worked out once more
    with django_assert_max_num_queries(few):
        assert client.get(url, query).status_code == 200
    print(f"confirm page: {few} queries for 1 or 31 students")


# ---------------------------------------------------------------- the waiting list near the week


@pytest.mark.parametrize("days_before, promoted", [(10, True), (3, True), (1, True), (0, False)])
def test_a_place_offered_from_the_waiting_list_must_be_answered_before_the_week(
    open_programme, mixed, coordinator, days_before, promoted
):
    waiting = mixed["given2"]
    Nomination.objects.filter(pk=waiting.pk).update(status=Nomination.Status.WAITLISTED, waitlist_rank=1)
    today = open_programme.start_date - timedelta(days=days_before)
    with transaction.atomic():
        offered = services.waitlist_promote(programme=open_programme, actor=coordinator, today=today)
    waiting.refresh_from_db()
    if not promoted:
        assert offered == [] and waiting.status == Nomination.Status.WAITLISTED
        return
    assert [n.pk for n in offered] == [waiting.pk]
    assert waiting.status == Nomination.Status.OFFERED
    assert today <= waiting.offer_deadline < open_programme.start_date
    assert waiting.offer_deadline == min(today + timedelta(days=7), open_programme.start_date - timedelta(days=1))
