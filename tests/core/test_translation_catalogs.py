"""Catalogs that hold no message are left out of each language's fallbacks, and no word changes for it."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.utils.translation import trans_real

from core.languages import skip_empty_catalogs

LANGUAGES = [code for code, _name in settings.LANGUAGES]


def _chain(catalog):
    while catalog is not None:
        yield catalog
        catalog = catalog._fallback


def _messages(catalog):
    """Every message id the catalog answers: singular ids as strings, plural ones as (singular, plural)."""
    inner = getattr(catalog._catalog, "_catalogs", [catalog._catalog])
    for entries in inner:
        yield from (key for key in entries if key != "")


STARTED = """
import django
django.setup()
from django.utils.translation import trans_real
for code in ("en-gb", "cy"):
    catalog, length = trans_real.translation(code), 0
    while catalog is not None:
        catalog, length = catalog._fallback, length + 1
    print(code, length)
"""


def test_a_process_that_starts_django_uses_the_short_chains():
    """Start-up (CoreConfig.ready) leaves the empty catalogs out, before any page is served."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    done = subprocess.run(
        [sys.executable, "-c", STARTED], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["en-gb", "1", "cy", "2"]


@pytest.mark.parametrize("code", LANGUAGES)
def test_no_catalog_in_use_is_empty(code):
    skip_empty_catalogs()  # as at start-up: a test that changed the language settings has had Django rebuild them
    empty = [c for c in _chain(trans_real.translation(code)) if not any(_messages(c))]
    assert empty == []


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_word_is_translated_as_with_every_catalog(code):
    skip_empty_catalogs()
    in_use = trans_real.translation(code)
    kept = dict(trans_real._translations)
    trans_real._translations.clear()
    try:
        full = trans_real.translation(code)  # built afresh, English too, with every empty catalog still there
    finally:
        trans_real._translations.clear()
        trans_real._translations.update(kept)
    assert len(list(_chain(full))) > len(list(_chain(in_use)))
    singular, plural = set(), set()
    for catalog in _chain(full):
        for key in _messages(catalog):
            if isinstance(key, tuple):
                plural.add(key[0])
            else:
                singular.add(key)
    assert len(singular) > 400 and plural
    singular |= {"A word nobody has translated", "Sign out", "Programmes"}
    for message in singular:
        assert in_use.gettext(message) == full.gettext(message), message
    for message in plural:
        for n in (0, 1, 2, 5):
            assert in_use.ngettext(message, message, n) == full.ngettext(message, message, n), message
