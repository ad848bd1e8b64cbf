"""Values kept in the cache under a version: a random token that a change anywhere replaces, so every value
stored under the old token is never read again (no key listing, no delete per value).

A cache that is down, or a token that was evicted, costs working the value out again; never an old value.
Used by the signed-in user's scope (accounts.scoping) and the questions a student is asked
(surveys.question_cache); surveys.report_cache keeps one token per programme along the same lines.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.core.cache import cache

T = TypeVar("T")


def versioned_get(version_key: str, key: str, work_out: Callable[[], T], *, timeout: int, tag: tuple = ()) -> T:
    """The value stored at `key` if it was stored under the current version (and the same `tag`), else
    work_out(), stored for `timeout` seconds."""
    try:
        found = cache.get_many([version_key, key])
        version = found.get(version_key)
        if version is None:
            cache.add(version_key, secrets.token_hex(8), timeout=None)
            version = cache.get(version_key)
    except Exception:  # noqa: BLE001 (a cache that is down costs the work, never a wrong value)
        return work_out()
    wanted: tuple[Hashable, ...] = (version, *tag)
    entry = found.get(key)
    if entry is not None and version is not None and entry[0] == wanted:
        return entry[1]
    value = work_out()
    if version is not None:
        with contextlib.suppress(Exception):
            cache.set(key, (wanted, value), timeout=timeout)
    return value


def version_change(version_key: str) -> None:
    """Every value stored under `version_key`'s current token is left behind."""
    with contextlib.suppress(Exception):  # a cache that is down holds nothing to forget
        cache.set(version_key, secrets.token_hex(8), timeout=None)
