"""Role × admin URL matrix: every registered model's changelist, add and change (a force-A row) page.

The admin is for platform admins only. Anonymous visitors are sent to the admin's sign-in page; every
signed-in user who is not a platform admin (contacts, leads, mentors, coordinators, and a coordinator
someone made staff without the permission) gets the 403 page that sends them back to the app; platform
admin B never opens force A's rows; platform admin A opens only the force-scoped admins; the superuser
opens everything. Every refused POST changes nothing.
"""

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.admin import ScopedAdmin
from tests.trust.admin_world import build_admin_world
from tests.trust.test_url_matrix import snapshot as full_snapshot

MODELS = sorted(admin.site._registry, key=lambda m: m._meta.label)
NOT_PLATFORM_ADMINS = ["contact", "lead", "mentor", "coord_a", "coord_b", "staff_coord_a"]


@pytest.fixture
def world(db):
    return build_admin_world()


def snapshot():
    """Every row of the project's tables, but sign-in times (force_login sets them)."""
    tables = full_snapshot()
    tables["accounts.User"] = [{k: v for k, v in row.items() if k != "last_login"} for row in tables["accounts.User"]]
    return tables


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _outcome(response):
    if response.status_code == 302:
        return "login" if response["Location"].startswith(reverse("admin:login")) else "302"
    if response.status_code == 403 and b"The admin is for platform administrators" in response.content:
        return "refused"
    return str(response.status_code)


def _expected(role, model, view, world, rf):
    model_admin = admin.site._registry[model]
    if role == "anon":
        return {"login"}
    if role in NOT_PLATFORM_ADMINS:
        return {"refused"}
    request = rf.get("/")
    request.user = world.users[role]
    if view == "add" and not model_admin.has_add_permission(request):
        return {"403"}
    if role == "superuser":
        return {"200"}
    if not isinstance(model_admin, ScopedAdmin):
        return {"403"}
    if role == "platform_b" and view == "change":
        return {"302", "403", "404"}  # the admin's "does not exist" redirect
    return {"200"}


def test_role_admin_url_matrix(client, world, rf):
    wrong = []
    urls = []
    for model in MODELS:
        urls += [(model, "changelist", _url(model, "changelist")), (model, "add", _url(model, "add"))]
        own = world.rows.get(("A", model._meta.label))
        if own is not None:
            urls.append((model, "change", _url(model, "change", own.pk)))
    before = snapshot()
    for role, user in world.users.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for model, view, url in urls:
            expected = _expected(role, model, view, world, rf)
            got = _outcome(client.get(url))
            if got not in expected:
                wrong.append(f"GET {view} {model._meta.label} as {role}: expected {expected}, got {got}")
            if expected != {"200"} and view != "changelist":
                got = _outcome(client.post(url, {"name": "Changed", "email": "x@evil.invalid"}))
                if got not in expected | ({"403"} if role not in NOT_PLATFORM_ADMINS else set()):
                    wrong.append(f"POST {view} {model._meta.label} as {role}: expected {expected}, got {got}")
    assert len(urls) > 100
    assert set(world.users) == {"anon", "superuser", "platform_a", "platform_b", *NOT_PLATFORM_ADMINS}
    assert wrong == [], "\n".join(wrong)
    assert snapshot() == before, "a refused admin POST changed data"
