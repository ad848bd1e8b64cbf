"""What events hold about people: erased with a student, exported with them, and a community member's name
and email blanked 90 days after the event."""

import io
import json
import zipfile
from datetime import timedelta

from events import selectors, services
from events.models import Invitation
from privacy.models import Erasure
from privacy.selectors import student_export
from privacy.services import student_erase

from .conftest import invite


def test_an_erased_student_leaves_the_door_list_as_erased_and_their_link_dead(ceremony, people, coordinator):
    found = invite(ceremony, Invitation.Kind.STUDENT)
    minor = found[("student", people["minor"].pk)]
    services.invitation_reply(invitation=minor, coming=True, guests=2)
    before = minor.token_hash
    student_erase(nomination=people["minor"].nomination, actor=coordinator, reason=Erasure.Reason.REQUEST)
    minor.refresh_from_db()
    assert minor.token_hash != before
    names = [row["name"] for row in selectors.door_list(ceremony)]
    assert "Pupil Minor" not in names and "Erased" in names
    # The places it took still count, so the event's numbers do not change.
    assert selectors.counts(ceremony)["places_taken"] == 3


def test_a_student_s_invitations_are_in_their_subject_access_export(ceremony, people):
    invite(ceremony, Invitation.Kind.STUDENT, Invitation.Kind.GUARDIAN)
    archive = zipfile.ZipFile(io.BytesIO(student_export(nomination=people["minor"].nomination)))
    rows = json.loads(archive.read("event_invitations.json"))
    assert sorted(row["fields"]["kind"] for row in rows) == ["guardian", "student"]
    assert all("token_hash" not in row["fields"] and "token_salt" not in row["fields"] for row in rows)


def test_community_members_names_and_emails_are_blanked_90_days_after_the_event(ceremony, people):
    invite(ceremony, community=[("Ruth Community", "ruth@example.org"), ("Sid Other", "sid@example.org")])
    services.invitation_reply(invitation=ceremony.invitations.get(email="ruth@example.org"), coming=True, guests=1)
    ends = ceremony.ends_at
    assert services.community_invitees_erase(now=ends + timedelta(days=89)) == 0
    assert services.community_invitees_erase(now=ends + timedelta(days=91)) == 2
    assert services.community_invitees_erase(now=ends + timedelta(days=92)) == 0
    rows = list(ceremony.invitations.values_list("name", "email", "answer", "guests"))
    assert sorted(rows) == [("Erased", "", "", 0), ("Erased", "", "yes", 1)]
