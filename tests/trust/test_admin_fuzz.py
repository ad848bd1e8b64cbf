"""Hostile values posted to every admin add and change form: never a 500, and a refusal changes nothing.

Every registered ModelAdmin is walked, for a superuser and for a platform admin of force A: the
add form, and the change form of a force-A row (with its inline rows), are opened through the real
admin views and posted back with every field (and every inline row's hidden id) replaced by one
family of hostile values: text in id fields, huge and negative numbers, very long strings, NUL
bytes, impossible dates, and the ids of force B's rows. A bounded, seeded sample of single-field
changes follows, so a value that only fails once the rest of the form is valid is reached too.
A rejected post must leave the model's table and its inlines' tables exactly as they were.
"""

import random

import pytest
from django.contrib import admin
from django.db.models.fields.files import FieldFile
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.urls import reverse

from accounts.admin import ScopedAdmin
from tests.trust.admin_world import build_admin_world

MODELS = sorted(admin.site._registry, key=lambda m: m._meta.label)
SINGLE_FIELD_POSTS = 2
ROLES = ["superuser", "platform_a"]
HUGE = str(10**30)


def _families(other_ids):
    mixed = ["é" * 5000, "a\x00b", "2027-02-30", "-1", "9223372036854775808"]
    return {
        "text in ids": lambda field, i: "abc",
        "huge": lambda field, i: HUGE,
        "other force, long, NUL, bad dates, negative": lambda field, i: other_ids.get(field, mixed[i % len(mixed)]),
    }


SINGLE_VALUES = ["abc", HUGE, "-" + HUGE, "-1", "9223372036854775808", "a\x00b", "x" * 5000, "2027-13-45", "1e308"]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        built = build_admin_world()
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _bound(response):
    """(name -> current value, name -> related model) for every field of the page's form and inlines."""
    values, related = {}, {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            values[management.add_prefix(name)] = management[name].value()
        forms.extend(formset.forms)
    for form in forms:
        for name, field in form.fields.items():
            key = form.add_prefix(name)
            value = form[name].value()
            if isinstance(value, FieldFile):
                value = ""
            values[key] = [str(v) for v in value] if isinstance(value, (list, tuple)) else value
            if isinstance(field, (ModelChoiceField, ModelMultipleChoiceField)):
                related[key] = field.queryset.model
    return {k: ("" if v is None else v) for k, v in values.items()}, related


def _tables(model):
    models = {model}
    for inline in admin.site._registry[model].inlines:
        models.add(inline.model)
    return models


def _snapshot(models):
    return {m._meta.label: list(m._default_manager.order_by("pk").values()) for m in models}


def _other_ids(world, related):
    ids = {}
    for key, model in related.items():
        row = world.rows.get(("B", model._meta.label))
        if row is not None:
            ids[key] = str(row.pk)
    return ids


def _check(client, url, data, tables, where):
    before = _snapshot(tables)
    response = client.post(url, data)
    assert response.status_code < 500, where
    rejected = response.status_code >= 400 or (response.status_code == 200 and b"errornote" in response.content)
    if rejected:
        assert _snapshot(tables) == before, f"a rejected post changed data: {where}"
    return response


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_admin_forms_survive_hostile_values(client, db, world, model, role):
    client.force_login(world.users[role])
    model_admin = admin.site._registry[model]
    tables = _tables(model)
    own = world.rows.get(("A", model._meta.label))
    views = [("add", _url(model, "add"))]
    if own is not None:
        views.append(("change", _url(model, "change", own.pk)))
    chooser = random.Random(f"{model._meta.label}-{role}")
    opened = 0
    for view, url in views:
        page = client.get(url)
        if page.status_code == 403:
            assert role != "superuser" or view == "add", (model, view)
            assert not isinstance(model_admin, ScopedAdmin) or view == "add"
            assert client.post(url, {"name": "x"}).status_code == 403
            continue
        assert page.status_code == 200, (model, view, page.status_code)
        opened += 1
        values, related = _bound(page)
        if not values:
            continue
        for family, value_for in _families(_other_ids(world, related)).items():
            data = {
                k: (v if k.endswith(("TOTAL_FORMS", "INITIAL_FORMS")) else value_for(k, i))
                for i, (k, v) in enumerate(values.items())
            }
            _check(client, url, data, tables, f"{model._meta.label} {view} as {role}: {family}")
        fields = [k for k in values if not k.endswith(("_FORMS", "NUM_FORMS"))]
        for _ in range(SINGLE_FIELD_POSTS):
            key, hostile = chooser.choice(fields), chooser.choice(SINGLE_VALUES)
            data = {**values, key: hostile}
            response = _check(client, url, data, tables, f"{model._meta.label} {view} as {role}: {key}={hostile!r:.40}")
            if response.status_code == 302 and view == "change":
                values, _ = _bound(client.get(url))
    if role == "superuser" and isinstance(model_admin, ScopedAdmin):
        assert opened, f"{model._meta.label}: no admin form opened"


@pytest.mark.parametrize("role", ROLES)
def test_hostile_ids_in_admin_urls(client, db, world, role):
    client.force_login(world.users[role])
    for model in MODELS:
        for hostile in ("abc", HUGE, "-1", "9223372036854775808"):
            for view in ("change", "delete", "history"):
                response = client.get(_url(model, view, hostile))
                assert response.status_code in (302, 403, 404), (model, view, hostile)
