"""Links that carry a credential (consent, invitation, survey, survey short code) are never stored, not even
in the outbox.

An email's stored body holds a marker naming the kind of link and its row; the send task swaps each
marker for the working link just before the email leaves. Each app registers how to make its links
in its `AppConfig.ready()`, from data that is not itself a credential (a random salt keyed with
SECRET_KEY), so neither a copy of the database nor a staff user reading the outbox can open a link.

A marker is signed (HMAC under SECRET_KEY): text someone typed into a form, a guardian's name
"[[link:consent:123]]" say, that reaches an email body is never turned into another family's link.
Only markers made by `link_marker` are resolved; anything else that looks like one is left as typed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from base64 import urlsafe_b64encode
from collections.abc import Callable

from django.conf import settings

MARKER = re.compile(r"\[\[link:([a-z][a-z-]*):(\d+):([0-9a-f]{32})\]\]")
# A link that cannot be made any more (its row is gone, or the student's data was erased).
NO_LINK = "/"

_makers: dict[str, Callable[[int], str | None]] = {}


def new_token_salt() -> str:
    """128 random bits; stored on the link's row, from which (with SECRET_KEY) its token is made."""
    return secrets.token_hex(16)


def link_token(purpose: str, salt: str) -> str:
    """The link token: HMAC-SHA256 of `purpose:salt` under SECRET_KEY, 256 bits, URL-safe.

    Only its SHA-256 is stored to look it up; the salt alone is not a credential.
    """
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{purpose}:{salt}".encode(), "sha256").digest()
    return urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str | None) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def link_register(kind: str, maker: Callable[[int], str | None]) -> None:
    """`maker(pk)` returns the path of the working link for that row, or None when there is none."""
    _makers[kind] = maker


def _marker_signature(kind: str, pk: int, key: str) -> str:
    return hmac.new(key.encode(), f"link-marker:{kind}:{pk}".encode(), "sha256").hexdigest()[:32]


def _marker_signed(kind: str, pk: int, signature: str) -> bool:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(hmac.compare_digest(_marker_signature(kind, pk, key), signature) for key in keys)


def link_marker(kind: str, pk: int) -> str:
    """What a template shows (after the site address) in place of a link with a token; signed, so that the
    same words typed into a form are not a marker."""
    return f"[[link:{kind}:{pk}:{_marker_signature(kind, pk, settings.SECRET_KEY)}]]"


def links_resolve(text: str, made: dict[tuple[str, int], str] | None = None) -> str:
    """The text with every marker replaced by its working link (at send time only; never saved).

    Pass the same `made` dict for the text and HTML parts of one email, so each link is made once.
    """
    if not text or "[[link:" not in text:
        return text
    made = {} if made is None else made

    def replace(match: re.Match[str]) -> str:
        key = (match.group(1), int(match.group(2)))
        if not _marker_signed(*key, match.group(3)):
            return match.group(0)  # typed by someone, not made by link_marker: left as it is
        if key not in made:
            maker = _makers.get(key[0])
            made[key] = (maker(key[1]) if maker else None) or NO_LINK
        return made[key]

    return MARKER.sub(replace, text)
