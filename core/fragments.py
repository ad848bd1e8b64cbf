"""Part of a page kept rendered in the cache, under a digest of everything it shows (issue 17).

Rendering a large table or chart can cost a page most of its time, while the figures behind it rarely change.
`rendered(template, context)` renders the template with that context alone (no request, no context
processors) and keeps the HTML under a key made from a digest of the pickled context, the active language,
time zone and day, the URLconf and the code. The figures are still read on every request; only their
rendering is kept. So a cached part cannot go stale: any change to what it shows changes the digest, however
the change was written (a bulk update or a raw SQL statement included), with no signal or version to bump.

What makes that true, and what tests/core/test_fragments.py holds every such template to:
- the template reads nothing but its context: it runs no query while rendering (a lazy relation or a
  `.count` in the template would be read outside the digest);
- it shows nothing of the moment (now, timesince): the day is in the key, the time is not;
- it holds no form to post: without a request there is no CSRF token.

Use it for aggregates (figures, charts); a page of children's names and details is rendered afresh, so the
cache never holds more personal data than it must. The context must pickle: plain values, dicts, lists and
model instances. A context that cannot be pickled is rendered every time.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import pickle
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

SECONDS = 24 * 3600
# The project's own code: a deploy that changes a template or a model's property changes what the same
# figures render as, so the key holds when each of these files last changed (read once per process).
_CODE_SUFFIXES = (".py", ".html", ".txt", ".mo")
_NOT_CODE = {
    *(".venv", "node_modules", "static", "staticfiles", "tests", "bench", "test-artifacts"),
    *("media", "private-media"),  # uploads, in the embedded default's folder: nothing to read at start-up
}


@functools.cache
def code_version() -> str:
    """A digest of the path, size and modification time of every file of the project's own code."""
    digest = hashlib.blake2b(django.get_version().encode(), digest_size=16)
    base = Path(settings.BASE_DIR)
    for path in sorted(_code_files(base)):
        stat = path.stat()
        digest.update(f"{path.relative_to(base)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _code_files(base: Path):
    for child in base.iterdir():
        if child.name in _NOT_CODE or child.name.startswith("."):
            continue
        if child.is_dir():
            yield from _code_files(child)
        elif child.suffix in _CODE_SUFFIXES:
            yield child


def fragment_key(template_name: str, context: dict[str, Any]) -> str | None:
    """The cache key of this rendering, or None when the context cannot be pickled."""
    moment = (translation.get_language(), timezone.get_current_timezone_name(), timezone.localdate().isoformat())
    where = (get_urlconf(), get_script_prefix(), code_version())
    try:
        data = pickle.dumps((template_name, moment, where, context), protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return None
    return f"fragment:{hashlib.blake2b(data, digest_size=20).hexdigest()}"


def rendered(template_name: str, context: dict[str, Any]) -> SafeString:
    """The template rendered with `context` alone, from the cache when these very figures were rendered before."""
    key = fragment_key(template_name, context)
    html = None
    if key is not None:
        with contextlib.suppress(Exception):  # a cache that is down costs the rendering, never a wrong page
            html = cache.get(key)
    if html is None:
        html = render_to_string(template_name, context)
        if key is not None:
            with contextlib.suppress(Exception):
                cache.set(key, str(html), timeout=SECONDS)
    return mark_safe(html)  # noqa: S308 (the template's own output, escaped when it was rendered)
