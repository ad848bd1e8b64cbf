"""Many people replying yes at the same moment never take more places than the event has (PostgreSQL)."""

import threading
from datetime import date

from django.db import close_old_connections, connection

from events import services
from events.models import Event, Invitation
from events.services import EventsError
from tests import factories as f

from .conftest import at


def _reply_all_at_once(invitations, guests):
    barrier = threading.Barrier(len(invitations))
    results = {}

    def reply(invitation):
        try:
            barrier.wait(timeout=30)
            services.invitation_reply(invitation=invitation, coming=True, guests=guests)
            results[invitation.pk] = "yes"
        except EventsError as error:
            results[invitation.pk] = error.status
        finally:
            connection.close()

    threads = [threading.Thread(target=reply, args=(invitation,)) for invitation in invitations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    close_old_connections()
    return results


def test_concurrent_replies_never_overbook(postgres, transactional_db, september):
    force = f.ForceFactory(name="Force C", slug="force-c")
    event = Event.objects.create(
        force=force,
        kind=Event.Kind.INFORMATION,
        title="Community information event",
        starts_at=at(date(2027, 9, 28), 16),
        ends_at=at(date(2027, 9, 28), 18, 30),
        venue="Hendon",
        capacity=7,
        guests_allowed=1,
        reply_by=date(2027, 9, 21),
    )
    services.invitations_add(
        event=event, community=[(f"Member {n}", f"member{n}@community.invalid") for n in range(12)], actor=None
    )
    invitations = list(event.invitations.all())
    assert len(invitations) == 12

    results = _reply_all_at_once(invitations, guests=1)  # each takes 2 places: at most 3 fit in 7

    assert len(results) == 12
    coming = Invitation.objects.filter(event=event, answer="yes")
    assert coming.count() == 3
    assert sorted(v for v in results.values() if v != "yes") == [409] * 9
    assert sum(i.places for i in coming) == 6 <= event.capacity


def test_the_last_place_goes_to_one_of_two_people_replying_at_once(postgres, transactional_db, september):
    force = f.ForceFactory(name="Force D", slug="force-d")
    event = Event.objects.create(
        force=force,
        title="Ceremony rehearsal",
        starts_at=at(date(2027, 9, 28), 16),
        ends_at=at(date(2027, 9, 28), 17),
        venue="Hall",
        capacity=1,
        guests_allowed=0,
        reply_by=date(2027, 9, 21),
    )
    services.invitations_add(event=event, community=[("Ann One", "a@x.invalid"), ("Bo Two", "b@x.invalid")], actor=None)
    for _round in range(3):
        Invitation.objects.filter(event=event).update(answer="", guests=0, replied_at=None)
        results = _reply_all_at_once(list(event.invitations.all()), guests=0)
        assert sorted(results.values(), key=str) == [409, "yes"]
        assert Invitation.objects.filter(event=event, answer="yes").count() == 1
