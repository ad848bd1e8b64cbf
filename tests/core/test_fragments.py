"""Parts of a page kept rendered under a digest of what they show (core.fragments): never stale, never shared."""

import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.template import Context, engines
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from core import fragments
from mentoring.models import Outcome
from placements.models import Programme
from tests import factories as f
from tests.surveys.test_query_counts import answered_week

pytestmark = pytest.mark.django_db

FIGURE = "surveys/_years_figure.html"


def _surveys_across_years(force):
    answered_week(force, "Week 2026", 2026, students=3, activities=("dogs",))
    return "/surveys/force/"


def _impact_report(force):
    programme, _ = answered_week(force, "Week 2026", 2026, students=3, activities=("dogs",))
    return f"/surveys/programme/{programme.pk}/report/"


def _mentoring_dashboard(force):
    for milestone in (Outcome.Milestone.JOINED_CADETS, Outcome.Milestone.LOST_CONTACT):
        f.OutcomeFactory(placement__programme__force=force, milestone=milestone)
    f.MentorAssignmentFactory(placement__programme__force=force)
    return "/mentoring/dashboard/"


def _programme_list(force):
    f.ProgrammeFactory(force=force, title="Summer week")
    f.PlacementFactory(programme__force=force)
    return "/programmes/"


# Every template the code renders through fragments.rendered, with data for the page that shows it (its URL).
PAGES = {
    FIGURE: _surveys_across_years,
    "surveys/_report_body.html": _impact_report,
    "mentoring/_pipeline.html": _mentoring_dashboard,
    "placements/_programme_table.html": _programme_list,
}


def test_the_same_figures_are_kept_under_one_key_and_any_change_gives_another():
    context = {"programmes": [], "rows": [{"text": "Trust", "cells": []}], "share_rows": [], "chart": None}
    first = fragments.rendered(FIGURE, context)
    assert fragments.fragment_key(FIGURE, context) == fragments.fragment_key(FIGURE, dict(context))
    changed = {**context, "rows": [{"text": "Fairness", "cells": []}]}
    assert fragments.fragment_key(FIGURE, changed) != fragments.fragment_key(FIGURE, context)
    assert "Fairness" in fragments.rendered(FIGURE, changed)
    assert "Trust" in first
    with translation.override("cy"):
        welsh = fragments.fragment_key(FIGURE, context)
    assert welsh != fragments.fragment_key(FIGURE, context)


@contextmanager
def _renders(name):
    """The renderings of template `name` made inside the block (the test run's instrumented templates)."""
    made = []

    def record(sender, template, context, **kwargs):
        if template.name == name:
            made.append(template)

    template_rendered.connect(record)
    try:
        yield made
    finally:
        template_rendered.disconnect(record)


def test_a_context_kept_is_rendered_once_and_one_that_cannot_be_pickled_every_time():
    kept = {"programmes": [], "rows": [{"text": "Kept", "cells": []}], "share_rows": [], "chart": None}
    unpicklable = {**kept, "rows": [{"text": "Trust", "cells": []}], "chart": lambda: None}
    assert fragments.fragment_key(FIGURE, unpicklable) is None
    with _renders(FIGURE) as renders:
        for _ in range(3):
            assert "Kept" in fragments.rendered(FIGURE, kept)
    assert len(renders) == 1
    with _renders(FIGURE) as renders:
        for _ in range(3):
            assert "Trust" in fragments.rendered(FIGURE, unpicklable)
    assert len(renders) == 3


def test_the_page_renders_its_figure_once_and_shows_a_change_made_without_any_signal(client_for, coordinator, force_a):
    programme, _ = answered_week(force_a, "Week 2026", 2026, students=3, activities=("dogs",))
    client = client_for(coordinator)
    first = client.get("/surveys/force/")
    assert FIGURE in [t.name for t in first.templates]
    again = client.get("/surveys/force/")
    assert FIGURE not in [t.name for t in again.templates]
    assert _figure(again) == _figure(first)
    # A bulk update sends no signal and bumps no version: the figures read change, so the digest does.
    Programme.objects.filter(pk=programme.pk).update(title="Renamed week")
    renamed = client.get("/surveys/force/").content.decode()
    assert "Renamed week" in renamed
    assert "Week 2026" not in renamed


@pytest.mark.parametrize("template", sorted(PAGES))
def test_a_kept_template_reads_nothing_but_its_context(client_for, coordinator, force_a, monkeypatch, template):
    """No query while it renders (a lazy relation would be read outside the digest), and no name the context
    does not give (`user`, `scope` and `request` are not there: the page's own view must pass what it needs)."""
    url = PAGES[template](force_a)
    renders = []

    def counted(name, context):
        recording = _Recording(context)
        with CaptureQueriesContext(connection) as captured:
            html = engines["django"].engine.get_template(name).render(recording)
        renders.append((name, len(captured), sorted(recording.missing)))
        return html

    monkeypatch.setattr(fragments, "render_to_string", counted)
    monkeypatch.setattr(fragments, "fragment_key", lambda *args: None)  # render every time
    assert client_for(coordinator).get(url).status_code == 200
    assert (template, 0, []) in renders


class _Recording(Context):
    """A template context that notes each name looked up and not found in it."""

    def __init__(self, values):
        super().__init__(values)
        self.missing = set()

    def __getitem__(self, key):
        try:
            return super().__getitem__(key)
        except KeyError:
            self.missing.add(key)
            raise


def _figure(response) -> str:
    return re.search(r"<figure.*</figure>", response.content.decode(), re.DOTALL).group()


def _sources(template: str) -> list[str]:
    """The template's source and those of the templates it includes or extends."""
    source = engines["django"].engine.get_template(template).source
    names = re.findall(r"{%\s*(?:include|extends)\s+[\"']([^\"']+)[\"']", source)
    return [source, *(text for name in names for text in _sources(name))]


@pytest.mark.parametrize("template", sorted(PAGES))
def test_a_kept_template_shows_nothing_of_the_moment_and_holds_no_form(template):
    for source in _sources(template):
        assert not re.search(r"csrf_token|{%\s*now\b|timesince|timeuntil|naturaltime|\brequest\.|\buser\b", source)


def test_every_kept_template_is_held_to_these_tests():
    """A new use of fragments.rendered must be listed in PAGES, so the tests above check it."""
    used = set()
    for path in fragments._code_files(Path(settings.BASE_DIR)):  # the project's own code, as in the key
        if path.suffix == ".py":
            used.update(re.findall(r"fragments\.rendered\(\s*[\"']([^\"']+)[\"']", path.read_text()))
    assert used == set(PAGES)


def test_the_programme_table_names_each_force_for_a_superuser_only(client_for, superuser, coordinator, force_a):
    """The same rows, kept once per way of showing them: a coordinator never gets the table made for a superuser."""
    f.ProgrammeFactory(force=force_a, title="Summer week")
    for user, shown in ((superuser, True), (coordinator, False), (superuser, True)):
        page = client_for(user).get("/programmes/").content.decode()
        assert "Summer week" in page
        assert (f"· {force_a.name}" in page) is shown, user.username
