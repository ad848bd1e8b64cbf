"""Every ModelAdmin, opened by a platform admin (not a superuser) who coordinates force A: no choice of
force B, no user field to set.

The admin's forms are walked, not listed: every registered ModelAdmin's add form and the change
form of a force-A row (with their inline formsets) are built through the real admin views, and every
foreign-key and many-to-many field is checked. Autocomplete look-ups are checked the same way.
"""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.forms import ModelChoiceField
from django.urls import reverse

from accounts.admin import ScopedAdmin
from accounts.scoping import FORCE_PATHS
from core.audit import force_id_of
from schools.models import InstitutionContact
from tests.trust.admin_world import build_admin_world

User = get_user_model()
MODELS = sorted(admin.site._registry, key=lambda m: m._meta.label)


def user_model_fields(model):
    return [f.name for f in model._meta.get_fields() if f.concrete and f.is_relation and f.related_model is User]


@pytest.fixture
def world(db):
    return build_admin_world()


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _forms(response):
    """The main form and every inline form of an admin add/change page."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms.extend(inline.formset.forms)
        forms.append(inline.formset.empty_form)
    return forms


def _leaks(form, world):
    wrong = []
    for name, field in form.fields.items():
        if not isinstance(field, ModelChoiceField):
            continue
        related = field.queryset.model
        if related is User:
            wrong.append(f"{name}: a user account can be chosen")
            continue
        for choice in field.queryset:
            label = choice._meta.label_lower
            if label not in FORCE_PATHS or force_id_of(choice) != world.force_a.pk:
                wrong.append(f"{name}: offers {choice._meta.label} #{choice.pk} (force {force_id_of(choice)})")
    return wrong


def test_every_admin_form_offers_only_the_platform_admins_own_force(client, world):
    client.force_login(world.users["platform_a"])
    wrong, checked = [], 0
    for model in MODELS:
        model_admin = admin.site._registry[model]
        label = model._meta.label
        own = world.rows.get(("A", label))
        urls = [("add", _url(model, "add"))]
        if own is not None:
            urls.append(("change", _url(model, "change", own.pk)))
        for view, url in urls:
            response = client.get(url)
            if not isinstance(model_admin, ScopedAdmin):
                if response.status_code != 403:
                    wrong.append(f"{label} {view}: an unscoped admin answered {response.status_code}")
                continue
            if response.status_code == 403 and view == "add":
                continue  # read-only admins (outbox, erasures)
            if response.status_code != 200:
                wrong.append(f"{label} {view}: {response.status_code}")
                continue
            for form in _forms(response):
                checked += 1
                editable_user_fields = set(user_model_fields(form._meta.model)) & set(form.fields)
                if editable_user_fields:
                    wrong.append(f"{label} {view}: user fields editable: {sorted(editable_user_fields)}")
                wrong.extend(f"{label} {view}: {leak}" for leak in _leaks(form, world))
    assert checked > 60
    assert wrong == [], "\n".join(wrong)


def test_every_autocomplete_answers_only_the_platform_admins_own_force(client, world):
    client.force_login(world.users["platform_a"])
    wrong = []
    for model in MODELS:
        model_admin = admin.site._registry[model]
        for name in model_admin.autocomplete_fields:
            remote = model._meta.get_field(name).related_model
            response = client.get(
                reverse("admin:autocomplete"),
                {"app_label": model._meta.app_label, "model_name": model._meta.model_name, "field_name": name},
            )
            if remote is User:
                if response.status_code != 403:
                    wrong.append(f"{model._meta.label}.{name}: user accounts listed ({response.status_code})")
                continue
            assert response.status_code == 200, (model._meta.label, name)
            for result in response.json()["results"]:
                row = remote._default_manager.get(pk=result["id"])
                if force_id_of(row) != world.force_a.pk:
                    wrong.append(f"{model._meta.label}.{name}: offers {remote._meta.label} #{row.pk}")
    assert wrong == [], "\n".join(wrong)


def test_a_platform_admin_cannot_link_a_contact_to_another_account_in_the_admin(client, world):
    """The admin half of the account takeover: a contact row pointed at the superuser's account."""
    contact = world.rows[("A", "schools.InstitutionContact")]
    before = contact.user_id
    client.force_login(world.users["platform_a"])
    data = {
        "institution": contact.institution_id,
        "user": world.users["superuser"].pk,
        "name": contact.name,
        "email": "x@evil.invalid",
        "phone": "",
        "job_title": "",
        "is_active": "on",
    }
    response = client.post(_url(InstitutionContact, "change", contact.pk), data)
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.user_id == before and contact.email == "x@evil.invalid"
    response = client.post(_url(InstitutionContact, "add"), {**data, "email": "y@evil.invalid"})
    assert response.status_code == 302
    assert InstitutionContact.objects.get(email="y@evil.invalid").user_id is None


def test_a_superuser_still_sets_user_fields(client, world):
    contact = world.rows[("B", "schools.InstitutionContact")]
    person = User.objects.create_user(username="new-contact", email="n@school.invalid")
    client.force_login(world.users["superuser"])
    response = client.post(
        _url(InstitutionContact, "change", contact.pk),
        {"institution": contact.institution_id, "user": person.pk, "name": "N", "email": "n@school.invalid"},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.user == person


def test_related_filters_list_only_the_platform_admins_own_force(client, world):
    client.force_login(world.users["platform_a"])
    from placements.models import Programme

    page = client.get(_url(Programme, "changelist")).content.decode()
    assert "Force A Constabulary" in page and "Force B Police" not in page
