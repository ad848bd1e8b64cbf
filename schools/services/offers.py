"""Selection and offers: the assistant's proposal, confirming it, answers, the waiting list."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone, translation

from core.audit import audit_action
from core.languages import language_for
from core.services import email_render
from placements.models import Placement, Programme
from placements.services import programme_status_refresh

from .. import selection
from ..models import (
    Consent,
    InstitutionContact,
    Nomination,
)
from ._common import (
    HOLDING_PLACE,
    OFFER_DAYS,
    POOL_STATUSES,
    RELEASED_BECAUSE,
    SchoolsError,
    _contact_emails,
    _coordinator_emails,
    _send,
    _set_status,
)
from .weeks import RoundWeek, round_home, round_weeks

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger(__name__)


def _candidate(nomination):
    consent = getattr(nomination, "consent", None)
    institution = nomination.institution
    return selection.Candidate(
        id=nomination.pk,
        institution_id=institution.pk,
        institution_name=institution.name,
        area=institution.area,
        is_send=institution.is_send,
        idaci_decile=institution.idaci_decile,
        fsm_pct=institution.fsm_pct,
        police_first_choice=nomination.police_first_choice,
        has_consent=bool(consent and consent.status == Consent.Status.GIVEN and consent.participation),
        weeks=tuple(choice for choice in nomination.week_choices or () if isinstance(choice, int)),
    )


@dataclass(frozen=True)
class RoundWeekFill:
    """One week of a round on the selection page: its places, those held, and the assistant's picks."""

    week: RoundWeek
    capacity: int
    holding: int
    free: int
    proposed: int


def _round_state(weeks: list[RoundWeek]) -> tuple[list[selection.Week], dict[int, int]]:
    """Each week's free places and SEND places still reserved (one query), and how many are held in each."""
    held = {
        row["programme"]: row
        for row in Nomination.objects.filter(programme__in=[w.pk for w in weeks], status__in=HOLDING_PLACE)
        .values("programme")
        .annotate(n=Count("pk"), send=Count("pk", filter=Q(institution__is_send=True)))
    }
    state = []
    for week in weeks:
        row = held.get(week.pk, {"n": 0, "send": 0})
        programme = week.programme
        state.append(
            selection.Week(
                id=week.pk,
                capacity=max(programme.capacity - row["n"], 0),
                reserved_send=max(programme.reserved_send_places - row["send"], 0),
                label=week.label,
            )
        )
    return state, {week.pk: held.get(week.pk, {"n": 0})["n"] for week in weeks}


def selection_round(*, programme, proposal) -> list[RoundWeekFill]:
    """The linked weeks of the programme's round as the selection page shows them; [] for a single week."""
    weeks = round_weeks(programme)
    if not weeks:
        return []
    state, holding = _round_state(weeks)
    proposed = {}
    for _nomination, pick in proposal:
        if pick.selected:
            proposed[pick.week_id] = proposed.get(pick.week_id, 0) + 1
    return [
        RoundWeekFill(
            week=week,
            capacity=week.programme.capacity,
            holding=holding[week.pk],
            free=free.capacity,
            proposed=proposed.get(week.pk, 0),
        )
        for week, free in zip(weeks, state, strict=True)
    ]


def _pool(programme):
    return list(
        programme.nominations.filter(status__in=POOL_STATUSES).select_related("institution", "consent").order_by("pk")
    )


def selection_propose(*, programme):
    """The assistant's proposal for the places still free, with the pool it chose from.

    For linked weeks the pool is the round's (nominations and the waiting list stay with the home
    week) and each selected pick carries the week it goes to.
    """
    weeks = round_weeks(programme)
    if weeks:
        home = round_home(programme)
        pool = _pool(home)
        state, _holding = _round_state(weeks)
        picks = selection.propose_weeks(
            [_candidate(n) for n in pool], state, cap_per_institution=home.max_per_institution
        )
        by_id = {n.pk: n for n in pool}
        return [(by_id[p.candidate.id], p) for p in picks], sum(week.capacity for week in state)
    pool = list(
        programme.nominations.filter(status__in=POOL_STATUSES).select_related("institution", "consent").order_by("pk")
    )
    holders = programme.nominations.filter(status__in=HOLDING_PLACE)
    free = max(programme.capacity - holders.count(), 0)
    send_holding = holders.filter(institution__is_send=True).count()
    picks = selection.propose_cohort(
        [_candidate(n) for n in pool],
        capacity=free,
        reserved_send=max(programme.reserved_send_places - send_holding, 0),
        cap_per_institution=programme.max_per_institution,
    )
    by_id = {n.pk: n for n in pool}
    return [(by_id[p.candidate.id], p) for p in picks], free


# An offer's answer-by date leaves at least this long before the week for a declined place to go
# to the waiting list (the next offer gets OFFER_DAYS to answer).
WAITLIST_ROOM_DAYS = 14

KIND_LABELS = {
    "offer": "Offer of a place",
    "waitlisted": "On the waiting list",
    "not_selected": "Not selected",
}


def _first_week(programme: Programme) -> Programme:
    """The week whose dates bound an offer's answer-by date: the earliest of a round, or the programme."""
    weeks = round_weeks(programme)
    return weeks[0].programme if weeks else programme


def offer_deadline_default(programme: Programme, today: date) -> date:
    """The answer-by date the selection page suggests.

    A week after the later of today and the close of nominations (schools are busiest while the
    window is open, and there is no hurry months before the week), but no later than two weeks
    before the week starts, so a declined place can still go to the waiting list. When the week is
    nearer than that: a week from today, or the day before the week if that comes first. For linked
    weeks, "the week" is the earliest of the round.
    """
    programme = _first_week(programme)
    wanted = max(today, programme.nomination_closes) + timedelta(days=OFFER_DAYS)
    roomy = min(wanted, programme.start_date - timedelta(days=WAITLIST_ROOM_DAYS))
    return max(roomy, min(today + timedelta(days=OFFER_DAYS), programme.start_date - timedelta(days=1)))


def offer_deadline_check(programme: Programme, deadline: date, today: date) -> None:
    """An answer-by date must be today or later, and before the week (the round's earliest) starts."""
    programme = _first_week(programme)
    if deadline < today:
        raise SchoolsError("The answer-by date cannot be in the past.", field="deadline")
    if deadline >= programme.start_date:
        raise SchoolsError(
            f"The answer-by date must be before the week starts on {programme.start_date:%-d %B %Y}.",
            field="deadline",
        )


@dataclass(frozen=True)
class PlanStudent:
    """One student in a selection plan, with the words the confirm page and the nomination show."""

    nomination_id: int
    name: str
    institution_id: int
    institution: str
    status: str
    why: str
    flags: tuple[str, ...] = ()
    rank: int | None = None
    week_id: int | None = None  # linked weeks: the week an offer is for
    week: str = ""


@dataclass(frozen=True)
class PlanEmail:
    kind: str
    label: str
    student: str


@dataclass(frozen=True)
class InstitutionMail:
    """The emails one institution will get, and the active contacts they go to (none: nobody reads them)."""

    institution_id: int
    institution: str
    recipients: tuple[str, ...]
    emails: tuple[PlanEmail, ...]

    @property
    def offers(self) -> int:
        return sum(email.kind == "offer" for email in self.emails)


@dataclass(frozen=True)
class SelectionPlan:
    """Everything confirming a selection will do: who is offered, waits, is told no, or stays; who is emailed."""

    programme_id: int
    deadline: date
    free: int
    window_open: bool
    offers: tuple[PlanStudent, ...]
    waiting: tuple[PlanStudent, ...]
    not_selected: tuple[PlanStudent, ...]
    under_consideration: tuple[PlanStudent, ...]
    mail: tuple[InstitutionMail, ...]

    @property
    def without_contact(self) -> tuple[InstitutionMail, ...]:
        return tuple(group for group in self.mail if not group.recipients)

    @property
    def offers_without_contact(self) -> int:
        return sum(group.offers for group in self.without_contact)

    @property
    def emails_to_send(self) -> int:
        return sum(len(group.emails) * len(group.recipients) for group in self.mail)

    @property
    def digest(self) -> str:
        """A fingerprint of the whole plan: the send refuses if it differs from the one shown."""
        text = json.dumps(asdict(self), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def _waiting_why(pick):
    if pick.selected:
        return "Proposed by the assistant but not ticked"
    why = pick.reason.partition(": ")[2] or pick.reason
    return why[:1].upper() + why[1:]


def _held_back_why(consent, *, window_open, closes):
    status = consent.status if consent else None
    if status in (Consent.Status.REFUSED, Consent.Status.WITHDRAWN):
        answer = "Consent to take part was refused"
    elif status is None:
        answer = "Consent has not been asked for yet"
    else:
        answer = "Consent not answered yet"
    if window_open:
        return f"{answer}; nobody is told “not selected” before nominations close on {closes:%-d %B %Y}"
    return f"{answer}; with consent they join the waiting list next time you confirm"


def selection_plan(
    *, programme: Programme, selected_ids: Iterable[int | str], deadline: date, today: date | None = None
) -> SelectionPlan:
    """What confirming this choice would do, without doing it (the confirm page shows it; the send runs it).

    The rules, as a fair coordinator expects them:
    - the ticked students with participation consent are offered a place (never more than are free);
    - every other student with consent goes on the waiting list, in the order shown;
    - a student is told "not selected" only once the nomination window has closed and their parent
      or guardian has refused consent: until the window closes the school may still send others or
      a late answer may come in, so nobody is turned away early;
    - a student whose consent is still awaited is never told "not selected", even with the cohort
      full, since a late "yes" puts them on the waiting list at the next confirm; so is everyone while
      the window is open. They stay "under consideration": their status does not change and no
      email goes;
    - emails go to the institution's active contacts; an institution with none gets nothing, so its
      offers can only lapse (the send is blocked until the coordinator accepts that).
    """
    today = today or timezone.localdate()
    offer_deadline_check(programme, deadline, today)
    proposal, free = selection_propose(programme=programme)
    by_id = {n.pk: (n, p) for n, p in proposal}
    try:
        chosen = list(dict.fromkeys(int(i) for i in selected_ids))
    except (TypeError, ValueError):
        raise SchoolsError("Choose students from the list.", field="selected") from None
    if any(i not in by_id for i in chosen):
        raise SchoolsError("Some chosen nominations are no longer in the pool; reload the page.", status=409)
    if len(chosen) > free:
        raise SchoolsError(f"You chose {len(chosen)} students but only {free} places are free.")
    no_consent = [by_id[i][0].full_name for i in chosen if not by_id[i][1].candidate.has_consent]
    if no_consent:
        raise SchoolsError(f"No participation consent yet, so no offer can be made: {', '.join(no_consent)}.")
    window_open = programme.nominations_open_on(today)
    chosen_set = set(chosen)
    weeks_of = _share_chosen(programme, [by_id[i] for i in chosen])
    offers, waiting, not_selected, under = [], [], [], []
    kinds = {}

    def line(nomination, pick, why, rank=None, week=None):
        return PlanStudent(
            nomination_id=nomination.pk,
            name=nomination.full_name,
            institution_id=nomination.institution_id,
            institution=nomination.institution.name,
            status=nomination.status,
            why=why[:300],
            flags=tuple(pick.flags),
            rank=rank,
            week_id=week[0] if week else None,
            week=week[1] if week else "",
        )

    for nomination, pick in proposal:
        if nomination.pk in chosen_set:
            why = pick.reason if pick.selected else "Chosen by the coordinator"
            week = weeks_of.get(nomination.pk)
            if week:
                if pick.week_note and why.endswith(pick.week_note):
                    why = why[: -len(pick.week_note)].rstrip("; ")
                why = f"{why}; {week[1]}"
            offers.append(line(nomination, pick, why, week=week))
            kinds.setdefault(nomination.institution_id, []).append(("offer", nomination.full_name))
        elif pick.candidate.has_consent:
            waiting.append(line(nomination, pick, _waiting_why(pick), rank=len(waiting) + 1))
            if nomination.status != Nomination.Status.WAITLISTED:
                kinds.setdefault(nomination.institution_id, []).append(("waitlisted", nomination.full_name))
        else:
            consent = getattr(nomination, "consent", None)
            refused = consent is not None and consent.status in (Consent.Status.REFUSED, Consent.Status.WITHDRAWN)
            if refused and not window_open:
                not_selected.append(line(nomination, pick, "Consent to take part was refused"))
                kinds.setdefault(nomination.institution_id, []).append(("not_selected", nomination.full_name))
            else:
                why = _held_back_why(consent, window_open=window_open, closes=programme.nomination_closes)
                under.append(line(nomination, pick, why))
    names = {n.institution_id: n.institution.name for n, _ in proposal}
    recipients = {}
    for institution_id, email in (
        InstitutionContact.objects.filter(institution_id__in=kinds, is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("institution_id", "email")
    ):
        recipients.setdefault(institution_id, []).append(email)
    mail = tuple(
        InstitutionMail(
            institution_id=institution_id,
            institution=names[institution_id],
            recipients=tuple(sorted(set(recipients.get(institution_id, [])))),
            emails=tuple(PlanEmail(kind, KIND_LABELS[kind], student) for kind, student in emails),
        )
        for institution_id, emails in sorted(kinds.items(), key=lambda item: (names[item[0]], item[0]))
    )
    return SelectionPlan(
        programme_id=programme.pk,
        deadline=deadline,
        free=free,
        window_open=window_open,
        offers=tuple(offers),
        waiting=tuple(waiting),
        not_selected=tuple(not_selected),
        under_consideration=tuple(under),
        mail=mail,
    )


def _share_chosen(programme, chosen):
    """Linked weeks: the week each chosen student is offered, {nomination id: (week id, words)}.

    The coordinator's ticks may differ from the assistant's picks, so the chosen students are shared
    out again over the free places, honouring their choices; one who cannot have any week they can do
    stops the plan.
    """
    weeks = round_weeks(programme)
    if not weeks:
        return {}
    state, _holding = _round_state(weeks)
    state = [selection.Week(id=w.id, capacity=w.capacity, label=w.label) for w in state]
    candidates = [replace(pick.candidate, has_consent=True) for _nomination, pick in chosen]
    picks = selection.propose_weeks(candidates, state)
    names = {nomination.pk: nomination.full_name for nomination, _pick in chosen}
    stuck = [names[p.candidate.id] for p in picks if not p.selected]
    if stuck:
        raise SchoolsError(
            "No week these students can do has a free place, so they cannot all be offered one: "
            f"{', '.join(sorted(stuck))}. Untick some students who chose the same weeks, or ask the schools "
            "whether another week suits."
        )
    return {p.candidate.id: (p.week_id, p.week_note) for p in picks}


@transaction.atomic
def selection_confirm(
    *,
    programme: Programme,
    selected_ids: Iterable[int | str],
    actor: AbstractBaseUser | None,
    deadline: date | None = None,
    digest: str | None = None,
    send_anyway: bool = False,
    today: date | None = None,
) -> SelectionPlan:
    """Carry out the selection plan, recomputed under the programme's lock; refuse if it is not the one shown.

    `digest` is the plan's fingerprint from the confirm page (None only for callers that showed no
    plan); `send_anyway` accepts that offers to an institution without a contact can only lapse.
    """
    today = today or timezone.localdate()
    programme = Programme.objects.select_for_update().select_related("force").get(pk=programme.pk)
    weeks = {
        week.pk: week
        for week in Programme.objects.select_for_update()
        .select_related("force")
        .filter(week_group_id=programme.week_group_id or 0)
    }
    if weeks:
        programme = round_home(programme)
    deadline = deadline or offer_deadline_default(programme, today)
    plan = selection_plan(programme=programme, selected_ids=selected_ids, deadline=deadline, today=today)
    if digest is not None and digest != plan.digest:
        raise SchoolsError(
            "Something changed since you checked (a nomination, a consent answer or a school contact). "
            "Nothing was sent: check the new list below, then send.",
            status=409,
        )
    if plan.offers_without_contact and not send_anyway:
        names = ", ".join(group.institution for group in plan.without_contact if group.offers)
        raise SchoolsError(
            f"Nobody at {names} can receive an offer: invite a contact first, or tick “Send anyway”.",
            field="send_anyway",
        )
    nominations = programme.nominations.select_related("institution", "programme__force").in_bulk(
        [s.nomination_id for s in (*plan.offers, *plan.waiting, *plan.not_selected)]
    )
    for student in plan.offers:
        week = weeks.get(student.week_id) if student.week_id else None
        _offer(nominations[student.nomination_id], deadline=plan.deadline, reason=student.why, week=week)
    for student in plan.waiting:
        nomination = nominations[student.nomination_id]
        was_waiting = nomination.status == Nomination.Status.WAITLISTED
        _set_status(
            nomination,
            Nomination.Status.WAITLISTED,
            waitlist_rank=student.rank,
            selection_reason=f"Waiting list {student.rank}: {student.why}"[:300],
        )
        if not was_waiting:
            _notify_institution(nomination, "waitlisted")
    for student in plan.not_selected:
        nomination = nominations[student.nomination_id]
        _set_status(nomination, Nomination.Status.NOT_SELECTED, waitlist_rank=None, selection_reason=student.why)
        _notify_institution(nomination, "not_selected")
    for week in weeks.values() or [programme]:
        programme_status_refresh(programme=week, today=today)
    audit_action(
        actor=actor,
        action="Selection confirmed",
        instance=programme,
        offers=len(plan.offers),
        waiting_list=len(plan.waiting),
        not_selected=len(plan.not_selected),
        under_consideration=len(plan.under_consideration),
    )
    if plan.offers:
        audit_action(
            actor=actor,
            action="Offers sent",
            instance=programme,
            offers=len(plan.offers),
            emailed=len(plan.offers) - plan.offers_without_contact,
            institutions=sum(1 for group in plan.mail if group.offers and group.recipients),
            without_contact=plan.offers_without_contact,
        )
    logger.info("Selection for programme %s confirmed by %s: %s offers", programme.pk, actor, len(plan.offers))
    return plan


def _offer(nomination, *, deadline, reason, week=None):
    """Offer a place; for linked weeks the nomination moves to the week offered (its consent goes with it)."""
    moved = {"programme": week} if week is not None and nomination.programme_id != week.pk else {}
    try:
        with transaction.atomic():
            _set_status(
                nomination,
                Nomination.Status.OFFERED,
                offer_deadline=deadline,
                waitlist_rank=None,
                selection_reason=reason[:300],
                **moved,
            )
    except IntegrityError:
        raise SchoolsError(
            f"{nomination.full_name} is already nominated to {week.title} by the same school, so the place "
            "there cannot be offered twice. Nothing was sent: withdraw one of the two nominations first.",
            status=409,
        ) from None
    _notify_institution(nomination, "offer")


def _notify_institution(nomination, kind):
    stamp = nomination.status_changed_at.strftime("%Y%m%d%H%M%S%f")
    _send(
        kind,
        _contact_emails(nomination.institution),
        context={"nomination": nomination, "programme": nomination.programme},
        key=f"{kind}-{nomination.pk}-{stamp}",
        force=nomination.programme.force,
        about=[nomination],
    )


@transaction.atomic
def offer_respond(*, nomination, accept, actor, today=None):
    """The institution accepts or declines an offered place on the student's behalf, before the deadline."""
    today = today or timezone.localdate()
    nomination = (
        Nomination.objects.select_for_update().select_related("programme__force", "institution").get(pk=nomination.pk)
    )
    if nomination.status != Nomination.Status.OFFERED:
        raise SchoolsError("There is no open offer for this student.", status=409)
    if accept:
        if nomination.offer_deadline and nomination.offer_deadline < today:
            raise SchoolsError("The deadline to accept this offer has passed.", status=409)
        _set_status(nomination, Nomination.Status.ACCEPTED)
        placement, created = Placement.objects.get_or_create(
            nomination=nomination, defaults={"programme": nomination.programme}
        )
        if not created and placement.status != Placement.Status.CONFIRMED:
            placement.status = Placement.Status.CONFIRMED
            placement.save(update_fields=["status"])
        _send(
            "place_confirmed",
            [*_contact_emails(nomination.institution), nomination.consent_email],
            context={"nomination": nomination, "programme": nomination.programme},
            key=f"place-confirmed-{nomination.pk}",
            force=nomination.programme.force,
            about=[nomination],
            student_address=nomination.consent_email,
        )
    else:
        _set_status(nomination, Nomination.Status.DECLINED)
        _place_released(nomination, why="declined", actor=actor, today=today)
    programme_status_refresh(programme=nomination.programme, today=today)  # all offers answered: confirmed
    return nomination


def _withdrawable(nomination: Nomination) -> None:
    if nomination.status == Nomination.Status.ACCEPTED:
        raise SchoolsError(
            f"{nomination.institution.name} has accepted the place for {nomination.full_name}, so the offer can "
            "no longer be withdrawn. Speak to the school: they can withdraw the nomination.",
            status=409,
        )
    if nomination.status != Nomination.Status.OFFERED:
        raise SchoolsError(
            f"There is no open offer to withdraw for {nomination.full_name} "
            f"(now: {nomination.get_status_display().lower()}).",
            status=409,
        )


def offer_withdrawal_preview(*, nomination: Nomination, reason: str = "") -> tuple[list[str], str, str]:
    """The apology a withdrawal would send: (recipients, subject, body); refused unless the offer is open."""
    _withdrawable(nomination)
    with translation.override(language_for(force=nomination.programme.force)):  # as the school will read it
        subject, body = email_render(
            kind="offer_withdrawn",
            context={"nomination": nomination, "programme": nomination.programme, "reason": reason},
        )
    return sorted(set(_contact_emails(nomination.institution))), subject, body


@transaction.atomic
def offer_withdraw(*, nomination: Nomination, actor: AbstractBaseUser | None, reason: str = "") -> Nomination:
    """Take back an offer sent by mistake, until it is answered: the student is under consideration again.

    The institution's contacts get an apology. The place that comes free is not offered to the
    waiting list automatically: a withdrawal corrects a mistake, and the coordinator offers the place
    again through the selection assistant, seeing who will be emailed first.
    """
    nomination = (
        Nomination.objects.select_for_update().select_related("programme__force", "institution").get(pk=nomination.pk)
    )
    _withdrawable(nomination)
    home = round_home(nomination.programme)  # linked weeks: back into the round's pool
    _set_status(
        nomination,
        Nomination.Status.SHORTLISTED,
        offer_deadline=None,
        waitlist_rank=None,
        selection_reason=f"Offer withdrawn on {timezone.localdate():%-d %B %Y}",
        **({"programme": home} if home.pk != nomination.programme_id else {}),
    )
    addresses = _contact_emails(nomination.institution)
    _send(
        "offer_withdrawn",
        addresses,
        context={"nomination": nomination, "programme": nomination.programme, "reason": reason.strip()},
        key=f"offer-withdrawn-{nomination.pk}-{nomination.status_changed_at:%Y%m%d%H%M%S%f}",
        force=nomination.programme.force,
        about=[nomination],
    )
    audit_action(actor=actor, action="Offer withdrawn", instance=nomination, emailed=len(set(filter(None, addresses))))
    return nomination


def _place_released(nomination, *, why, actor, today):
    """A held place came free: offer it to the next on the waiting list and tell the coordinators."""
    promoted = waitlist_promote(programme=nomination.programme, actor=actor, today=today)
    coordinators = _coordinator_emails(nomination.programme.force)
    for addresses, staff in ((coordinators, True), (_contact_emails(nomination.institution), False)):
        _send(
            "place_released",
            [address for address in addresses if staff or address not in coordinators],
            context={
                "nomination": nomination,
                "programme": nomination.programme,
                "why": RELEASED_BECAUSE[why],
                "promoted": promoted,
            },
            key=f"place-released-{nomination.pk}-{nomination.status_changed_at:%Y%m%d%H%M%S%f}",
            force=nomination.programme.force,
            about=[nomination, *promoted],
            staff=staff,
        )


@transaction.atomic
def waitlist_promote(*, programme, actor, today=None):
    """Offer free places to the waiting list in rank order (consent given, institution under its cap).

    The answer-by date is a week away but always before the week starts; once the week has begun,
    nobody is promoted (a place offered then could not be taken up).
    """
    today = today or timezone.localdate()
    programme = Programme.objects.select_for_update().select_related("force").get(pk=programme.pk)
    if programme.week_group_id:
        return _round_promote(programme=programme, today=today)
    if today >= programme.start_date:
        return []
    deadline = min(today + timedelta(days=OFFER_DAYS), programme.start_date - timedelta(days=1))
    holders = programme.nominations.filter(status__in=HOLDING_PLACE)
    free = programme.capacity - holders.count()
    per_institution = dict(holders.values_list("institution").annotate(n=Count("pk")).values_list("institution", "n"))
    promoted = []
    waiting = (
        programme.nominations.filter(
            status=Nomination.Status.WAITLISTED,
            consent__status=Consent.Status.GIVEN,
            consent__participation=True,
        )
        .select_related("institution", "programme__force")
        .order_by(F("waitlist_rank").asc(nulls_last=True), "pk")
    )
    for nomination in waiting:
        if free <= 0:
            break
        cap = programme.max_per_institution
        if cap is not None and per_institution.get(nomination.institution_id, 0) >= cap:
            continue
        _offer(nomination, deadline=deadline, reason="Promoted from the waiting list")
        per_institution[nomination.institution_id] = per_institution.get(nomination.institution_id, 0) + 1
        promoted.append(nomination)
        free -= 1
    return promoted


def _round_promote(*, programme, today):
    """Linked weeks: offer each free place to the first on the round's waiting list who can do that week.

    The waiting list stays with the home week; a student promoted moves to the week offered. A week
    that has begun offers nothing; the institution cap counts places across the round.
    """
    weeks = round_weeks(programme)
    home = round_home(programme)
    list(Programme.objects.select_for_update().filter(week_group_id=programme.week_group_id).values_list("pk"))
    state, _holding = _round_state(weeks)
    free = {week.id: week.capacity for week in state}
    by_pk = {week.pk: week.programme for week in weeks}
    open_weeks = [week.pk for week in weeks if today < week.programme.start_date]
    per_institution = dict(
        Nomination.objects.filter(programme__in=list(by_pk), status__in=HOLDING_PLACE)
        .values_list("institution")
        .annotate(n=Count("pk"))
        .values_list("institution", "n")
    )
    waiting = (
        home.nominations.filter(
            status=Nomination.Status.WAITLISTED,
            consent__status=Consent.Status.GIVEN,
            consent__participation=True,
        )
        .select_related("institution", "programme__force", "consent")
        .order_by(F("waitlist_rank").asc(nulls_last=True), "pk")
    )
    promoted = []
    for nomination in waiting:
        cap = home.max_per_institution
        if cap is not None and per_institution.get(nomination.institution_id, 0) >= cap:
            continue
        candidate = _candidate(nomination)
        choices = selection.acceptable_weeks(candidate, set(open_weeks))
        week_id = next((w for w in choices if free[w] > 0), None)
        if week_id is None:
            continue
        week = by_pk[week_id]
        deadline = min(today + timedelta(days=OFFER_DAYS), week.start_date - timedelta(days=1))
        label = next(w.label for w in weeks if w.pk == week_id)
        _offer(nomination, deadline=deadline, reason=f"Promoted from the waiting list; {label}", week=week)
        per_institution[nomination.institution_id] = per_institution.get(nomination.institution_id, 0) + 1
        free[week_id] -= 1
        promoted.append(nomination)
    return promoted


def offers_expire(*, today=None):
    """Beat job: offers not answered by their deadline lapse (as declined) and the place moves on."""
    today = today or timezone.localdate()
    lapsed = Nomination.objects.filter(status=Nomination.Status.OFFERED, offer_deadline__lt=today).values_list(
        "pk", flat=True
    )
    count = 0
    for pk in list(lapsed):
        with transaction.atomic():
            nomination = Nomination.objects.select_for_update().select_related("programme__force").get(pk=pk)
            if nomination.status != Nomination.Status.OFFERED:
                continue
            _set_status(nomination, Nomination.Status.DECLINED)
            _place_released(nomination, why="not_answered", actor=None, today=today)
            count += 1
    return count
