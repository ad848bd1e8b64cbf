"""Special-category data in the admin: every read audited, never searched, filtered or listed.

Medical notes and support needs (and what a child told their mentor) are declared on their models
as SPECIAL_CATEGORY_FIELDS; the admin must not offer a way to search them (a search box, a filter,
a column, or a query-string lookup such as ?medical_notes__icontains=), and opening a record that
holds them is recorded in the audit trail like a read on the product's own pages.
"""

import pytest
from auditlog.models import LogEntry
from django.contrib import admin
from django.urls import reverse

from mentoring.models import MentorContact
from schools.models import Nomination
from tests.trust.admin_world import MEDICAL_NOTES, SENSITIVE_NOTES, build_admin_world

MODELS = sorted(admin.site._registry, key=lambda m: m._meta.label)


def _special(model):
    return set(getattr(model, "SPECIAL_CATEGORY_FIELDS", ()))


def _reaches_special(model, path):
    for part in path.lstrip("^=@").split("__"):
        if part in _special(model):
            return True
        names = {f.name: f for f in model._meta.get_fields()}
        field = names.get(part)
        if field is None or not field.is_relation or field.related_model is None:
            return False
        model = field.related_model
    return False


@pytest.fixture
def world(db):
    return build_admin_world()


def test_the_declared_lists_name_real_fields():
    assert _special(Nomination) >= {"medical_notes", "support_needs"}
    assert "sensitive_notes" in _special(MentorContact)
    for model in (Nomination, MentorContact):
        for name in _special(model):
            model._meta.get_field(name)


def test_no_admin_searches_filters_or_lists_special_category_fields():
    wrong = []
    for model in MODELS:
        model_admin = admin.site._registry[model]
        used = [
            *model_admin.search_fields,
            *(
                item if isinstance(item, str) else item[0]
                for item in model_admin.list_filter
                if not isinstance(item, type)
            ),
            *(item for item in model_admin.list_display if isinstance(item, str)),
            *([model_admin.date_hierarchy] if model_admin.date_hierarchy else []),
        ]
        wrong += [f"{model._meta.label}: {path}" for path in used if _reaches_special(model, path)]
    assert wrong == []


@pytest.mark.parametrize("who", ["platform_a", "superuser"])
def test_searching_the_nomination_changelist_by_medical_notes_finds_nothing(client, world, who):
    client.force_login(world.users[who])
    url = reverse("admin:schools_nomination_changelist")
    searched = client.get(url, {"q": MEDICAL_NOTES})
    assert searched.status_code == 200 and searched.context["cl"].result_count == 0
    for lookup in ("medical_notes__icontains", "medical_notes__startswith", "support_needs__contains", "medical_notes"):
        response = client.get(url, {lookup: MEDICAL_NOTES[:3]})
        assert response.status_code == 400, lookup
        assert MEDICAL_NOTES.encode() not in response.content
    response = client.get(
        reverse("admin:placements_placement_changelist"), {"nomination__medical_notes__icontains": "E"}
    )
    assert response.status_code == 400
    response = client.get(reverse("admin:mentoring_mentorcontact_changelist"), {"q": SENSITIVE_NOTES})
    assert response.status_code == 200 and response.context["cl"].result_count == 0
    response = client.get(reverse("admin:mentoring_mentorcontact_changelist"), {"sensitive_notes__icontains": "W"})
    assert response.status_code == 400


@pytest.mark.parametrize("who", ["platform_a", "superuser"])
def test_opening_a_nomination_in_the_admin_is_an_audited_read(client, world, who):
    nomination = Nomination.objects.get(first_name="NomineeA")
    reads = LogEntry.objects.get_for_object(nomination).filter(action=LogEntry.Action.ACCESS)
    assert reads.count() == 0
    client.force_login(world.users[who])
    page = client.get(reverse("admin:schools_nomination_change", args=[nomination.pk]))
    assert page.status_code == 200 and MEDICAL_NOTES in page.content.decode()
    entry = reads.get()
    assert entry.actor == world.users[who]
    contact = world.rows[("A", "mentoring.MentorContact")]
    assert client.get(reverse("admin:mentoring_mentorcontact_change", args=[contact.pk])).status_code == 200
    assert LogEntry.objects.get_for_object(contact).filter(action=LogEntry.Action.ACCESS).count() == 1


def test_a_changelist_read_shows_no_special_category_text(client, world):
    client.force_login(world.users["superuser"])
    for name in ("admin:schools_nomination_changelist", "admin:mentoring_mentorcontact_changelist"):
        page = client.get(reverse(name)).content.decode()
        assert MEDICAL_NOTES not in page and SENSITIVE_NOTES not in page
