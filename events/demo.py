"""Demo events: the finished week's awards ceremony with its replies, and a community information event
coming up (seeds 000 and 002) with community members invited and some replies in.

Idempotent: each event is found by its title; an event that exists is left as it is.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from core.links import link_token
from placements.demo import Link
from placements.models import ForcePerson, Programme

from . import selectors, services
from .models import Event, Invitation

COMMUNITY = [
    # Names no demo student has, so an erased student's name is never found in them.
    ("Bernice Achterberg", "bernice.achterberg@community.invalid", ("yes", 1)),
    ("Wilfred Penhaligon", "wilfred.penhaligon@community.invalid", ("yes", 0)),
    ("Mei-Ling Tsang", "mei-ling.tsang@community.invalid", ("no", 0)),
    ("Dorota Nowicka", "dorota.nowicka@community.invalid", None),
    ("Euan Strachan", "euan.strachan@community.invalid", None),
]
# The ceremony's replies by the invitee's place in the list: yes with guests, no, or no reply.
CEREMONY_REPLIES = [("yes", 2), ("yes", 1), ("yes", 2), ("no", 0), ("yes", 0), None, ("yes", 2), ("yes", 1)]


def _at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), timezone.get_current_timezone())


def seed(*, force, story):
    links = []
    actor = ForcePerson.objects.filter(force=force, is_coordinator=True, user__isnull=False).first()
    actor = actor.user if actor else None
    week = Programme.objects.filter(force=force, title=story.completed.title).first()
    if week is not None:
        _ceremony(force, week, actor)
    links.append(_information_event(force, story, actor))
    return links


def _ceremony(force, week, actor):
    """The finished week's ceremony, ten days after it: held already, so its invitations and replies are
    written as they stood (no emails go out for an event in the past)."""
    if Event.objects.filter(programme=week, kind=Event.Kind.CEREMONY).exists():
        return
    day = week.end_date + timedelta(days=10)
    event = Event.objects.create(
        force=force,
        programme=week,
        kind=Event.Kind.CEREMONY,
        title=f"Awards ceremony: {week.title}",
        description="Certificates presented by the Chief Constable, with the students' families and schools.",
        starts_at=_at(day, 18),
        ends_at=_at(day, 20),
        venue="Northshire Police headquarters, conference hall",
        address="1 Constabulary Way\nNorthtown NT1 1AA",
        capacity=80,
        guests_allowed=2,
        reply_by=day - timedelta(days=5),
        created_by=actor,
    )
    sent = event.starts_at - timedelta(days=28)
    invitations = [
        Invitation(event=event, kind=Invitation.Kind.STUDENT, placement=placement, invited_at=sent)
        for placement in selectors.invitable_placements(week).order_by("pk")
    ]
    leads = ForcePerson.objects.filter(led_syndicates__programme=week, is_active=True).distinct()
    invitations += [Invitation(event=event, kind=Invitation.Kind.LEAD, person=p, invited_at=sent) for p in leads]
    for index, invitation in enumerate(invitations):
        reply = CEREMONY_REPLIES[index % len(CEREMONY_REPLIES)]
        if reply:
            invitation.answer, invitation.guests = reply
            invitation.replied_at = sent + timedelta(days=1 + index % 12)
        services._new_link(invitation)
    Invitation.objects.bulk_create(invitations)


def _information_event(force, story, actor):
    """Seed 002: a community information event three weeks on, places limited, replies by a week before."""
    title = "Community involvement in police training: information event"
    event = Event.objects.filter(force=force, title=title).first()
    if event is None:
        day = story.monday + timedelta(days=22)
        event = services.event_save(
            force=force,
            data={
                "kind": Event.Kind.INFORMATION,
                "title": title,
                "description": (
                    "Be part of the conversation about involving communities in the training of new officers: "
                    "recruit induction, personal safety training and digital content."
                ),
                "starts_at": _at(day, 16),
                "ends_at": _at(day, 18, 30),
                "venue": "Training centre, lecture theatre 2",
                "address": "Aerodrome Road\nNorthtown NT4 2AB",
                "capacity": 30,
                "guests_allowed": 1,
                "reply_by": day - timedelta(days=6),
            },
            actor=actor,
        )
        services.invitations_add(
            event=event, community=[(name, email) for name, email, _reply in COMMUNITY], actor=actor
        )
        for _name, email, reply in COMMUNITY:
            if reply:
                invitation = event.invitations.get(email=email)
                services.invitation_reply(invitation=invitation, coming=reply[0] == "yes", guests=reply[1])
    waiting = event.invitations.filter(answer="").order_by("pk").first()
    if waiting is None:
        return None
    token = link_token(services.REPLY_LINK_PURPOSE, waiting.token_salt)
    return Link(f"Reply to an event invitation, as {waiting.name} would", f"/reply/{token}/")
