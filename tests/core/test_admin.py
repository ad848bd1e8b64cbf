"""Every registered model's admin works for a superuser and stays at a bounded query count."""

import importlib

import factory
import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import reverse

from tests import factories as f

MODELS = sorted(admin.site._registry, key=lambda m: m._meta.label)


def _discover_factories():
    """Every factory in tests/factories.py and tests/<app>/factories.py, by the model it makes."""
    modules = [f]
    for app in settings.LOCAL_APPS:
        try:
            modules.append(importlib.import_module(f"tests.{app}.factories"))
        except ModuleNotFoundError:
            continue
    found = {}
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, factory.django.DjangoModelFactory):
                model = value._meta.model
                if model is not None:
                    found.setdefault(model._meta.label, value)
    return found


FACTORY_FOR = _discover_factories()
# Models registered by third-party apps that have no factory here: only their pages are checked.
THIRD_PARTY = {m for m in MODELS if m._meta.label not in FACTORY_FOR}


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _make_rows(model, count):
    return FACTORY_FOR[model._meta.label].create_batch(count)


def test_every_local_model_has_a_factory():
    local = {m._meta.label for m in MODELS if m not in THIRD_PARTY}
    assert local == set(FACTORY_FOR)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_changelist_and_add_page_load_for_superuser(model, client, superuser, rf):
    client.force_login(superuser)
    assert client.get(_url(model, "changelist")).status_code == 200
    request = rf.get("/")
    request.user = superuser
    # Read-only admins (the email outbox, the audit trail, lockout records) refuse "add" on purpose.
    addable = admin.site._registry[model].has_add_permission(request)
    assert client.get(_url(model, "add")).status_code == (200 if addable else 403)


@pytest.mark.parametrize("model", [m for m in MODELS if m not in THIRD_PARTY], ids=lambda m: m._meta.label)
def test_changelist_query_count_does_not_grow_with_rows(model, client, superuser, django_assert_max_num_queries):
    client.force_login(superuser)
    _make_rows(model, 2)
    with django_assert_max_num_queries(60) as small:
        assert client.get(_url(model, "changelist")).status_code == 200
    _make_rows(model, 48)
    with django_assert_max_num_queries(len(small.captured_queries) + 3):
        response = client.get(_url(model, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 50


def test_a_platform_admin_sees_only_own_force_in_admin(client, platform_admin, force_b):
    other = f.ProgrammeFactory(force=force_b, title="Other force's week")
    own = f.ProgrammeFactory(force=platform_admin.force_person.force, title="Own week")
    client.force_login(platform_admin)
    changelist = client.get(_url(own.__class__, "changelist"))
    assert changelist.status_code == 200
    titles = {p.title for p in changelist.context["cl"].queryset}
    assert titles == {"Own week"}
    assert client.get(_url(other.__class__, "change", other.pk)).status_code in (302, 404)


def test_outbox_filters_by_kind_from_the_email_templates(client, superuser, django_assert_max_num_queries):
    """The kinds offered are the email templates, not a DISTINCT over every email queued; a kind filters."""
    f.OutboundEmailFactory(kind="offer", subject="Offer made")
    f.OutboundEmailFactory(kind="survey_links", subject="Survey links")
    client.force_login(superuser)
    url = reverse("admin:core_outboundemail_changelist")
    with django_assert_max_num_queries(10) as counted:
        page = client.get(url).content.decode()
    assert not any("DISTINCT" in q["sql"] for q in counted.captured_queries)
    assert "?kind=offer" in page and "?kind=consent_request" in page and "?kind=week_changed" in page
    filtered = client.get(url, {"kind": "offer"})
    assert [e.subject for e in filtered.context["cl"].result_list] == ["Offer made"]


def test_nominations_in_the_admin_newest_first(client, superuser):
    first, second = f.NominationFactory(last_name="Abbot"), f.NominationFactory(last_name="Zed")  # not by name
    client.force_login(superuser)
    response = client.get(reverse("admin:schools_nomination_changelist"))
    assert [n.pk for n in response.context["cl"].result_list] == [second.pk, first.pk]


@pytest.mark.parametrize("url", ["admin:schools_nomination_changelist", "admin:auditlog_logentry_changelist"])
def test_admin_changelists_show_fifty_rows_a_page(client, superuser, url):
    """Scoped and superuser-only changelists alike: fifty rows a page (national tables render in half the time)."""
    f.NominationFactory.create_batch(51)  # 51 nominations, and an audit entry for each
    client.force_login(superuser)
    changelist = client.get(reverse(url)).context["cl"]
    assert changelist.list_per_page == 50
    assert len(changelist.result_list) == 50 and changelist.result_count >= 51


def test_a_row_select_box_is_the_same_html_as_djangos(superuser):
    """The select box written directly matches Django's widget, markup in a record's name escaped once."""
    nomination = f.NominationFactory(first_name='Ann <b>"&', last_name="O'Neil")
    model_admin = admin.site._registry[type(nomination)]
    ours = model_admin.action_checkbox(nomination)
    assert ours == admin.ModelAdmin.action_checkbox(model_admin, nomination)
    assert "&lt;b&gt;" in ours and "<b>" not in ours


def test_a_changelist_renders_no_widget_template_per_row(client, superuser, monkeypatch):
    from django import forms

    f.NominationFactory.create_batch(3)
    rendered = []
    original = forms.CheckboxInput.render
    monkeypatch.setattr(forms.CheckboxInput, "render", lambda *a, **k: rendered.append(1) or original(*a, **k))
    client.force_login(superuser)
    page = client.get(reverse("admin:schools_nomination_changelist")).content.decode()
    assert page.count('class="action-select"') == 3
    assert rendered == []


def test_the_admin_sidebar_follows_each_admins_own_permissions(client, superuser, platform_admin):
    """The list of apps is kept per admin and per set of permissions: never another admin's, never stale."""
    users_link = reverse("admin:accounts_user_changelist")
    nominations = reverse("admin:schools_nomination_changelist")

    client.force_login(superuser)
    assert users_link in client.get(nominations).content.decode()
    client.force_login(platform_admin)
    assert users_link not in client.get(nominations).content.decode()  # not the superuser's list

    platform_admin.is_superuser = True
    platform_admin.save()
    assert users_link in client.get(nominations).content.decode()
    platform_admin.is_superuser = False
    platform_admin.save()
    assert users_link not in client.get(nominations).content.decode()


def test_the_admin_builds_its_sidebar_once_per_admin(client, superuser, monkeypatch):
    built = []
    original = admin.AdminSite._build_app_dict

    def counting(site, request, label=None):
        built.append(label)
        return original(site, request, label)

    monkeypatch.setattr(admin.AdminSite, "_build_app_dict", counting)
    admin.site._app_lists.clear()
    client.force_login(superuser)
    for _ in range(3):
        assert client.get(reverse("admin:schools_nomination_changelist")).status_code == 200
    assert built == [None]


def test_a_large_table_listed_whole_is_counted_from_postgresqls_estimate(client, superuser):
    """No COUNT over the whole table when PostgreSQL's estimate says it is large; any search counts exactly."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    f.NominationFactory.create_batch(3)
    url = reverse("admin:schools_nomination_changelist")
    client.force_login(superuser)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # undone with the test's transaction
            cursor.execute("UPDATE pg_class SET reltuples = 250000 WHERE oid = 'schools_nomination'::regclass")
    with CaptureQueriesContext(connection) as whole:
        listed = client.get(url).context["cl"]
    counted = any("COUNT(" in q["sql"].upper() for q in whole.captured_queries)
    if connection.vendor == "postgresql":
        assert (listed.result_count, counted) == (250000, False)
        assert len(listed.result_list) == 3
    else:  # the embedded SQLite keeps no estimate: it counts
        assert (listed.result_count, counted) == (3, True)


def test_a_filtered_or_searched_list_is_counted_exactly(client, superuser):
    from django.db import connection

    f.OutboundEmailFactory(kind="offer", subject="Offer made")
    f.OutboundEmailFactory(kind="survey_links", subject="Survey links")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("UPDATE pg_class SET reltuples = 250000 WHERE oid = 'core_outboundemail'::regclass")
    client.force_login(superuser)
    url = reverse("admin:core_outboundemail_changelist")
    assert client.get(url, {"kind": "offer"}).context["cl"].result_count == 1
    assert client.get(url, {"q": "Survey links"}).context["cl"].result_count == 1


def test_a_small_or_scoped_list_is_counted_exactly(client, platform_admin):
    from django.db import connection

    f.ProgrammeFactory.create_batch(2, force=platform_admin.force_person.force)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("UPDATE pg_class SET reltuples = 250000 WHERE oid = 'placements_programme'::regclass")
    client.force_login(platform_admin)
    listed = client.get(reverse("admin:placements_programme_changelist")).context["cl"]
    assert listed.result_count == 2  # a platform admin's list is scoped to their force: counted row by row


def test_an_empty_list_of_a_large_table_is_counted_as_empty(db):
    """A scope that allows nothing (`.none()`) is never shown the whole table's estimate."""
    from django.db import connection

    from accounts.admin import EstimatedCountPaginator
    from core.models import OutboundEmail

    f.OutboundEmailFactory()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("UPDATE pg_class SET reltuples = 250000 WHERE oid = 'core_outboundemail'::regclass")
        assert EstimatedCountPaginator(OutboundEmail.objects.order_by("pk"), 50).count == 250000
    assert EstimatedCountPaginator(OutboundEmail.objects.none().order_by("pk"), 50).count == 0


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_every_admin_lists_its_rows_in_an_order(model, rf, superuser):
    """So paging through a list (or an autocomplete) never shows a row twice and another never."""
    request = rf.get("/")
    request.user = superuser
    assert admin.site._registry[model].get_queryset(request).ordered
