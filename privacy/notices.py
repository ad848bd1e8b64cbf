"""A force's privacy notice and accessibility statement: the standard wording, and plain text made readable.

The texts are plain text. A line starting with "## " is a heading and lines starting with "- " make a
list; everything else is a paragraph. Nothing a coordinator types is ever rendered as HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone

from core.languages import welsh_active
from placements.models import Force

from .models import ForceNotice
from .selectors import policy_for

# When the standard wording was written: the accessibility statement says so.
STANDARD_TEXT_DATE = date(2026, 11, 30)
HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")


def notice_for(force: Force) -> ForceNotice:
    """The force's notice, or an unsaved one with the standard texts and no contact."""
    return ForceNotice.objects.filter(force=force).first() or ForceNotice(force=force)


def _contact_key(force_id: int) -> str:
    return f"privacy:public-contact:{force_id}"


def public_contact_email(force: Force) -> str:
    """The force's public contact address for the footer of every public page (cached; "" when none).

    It is public, the same for every reader, and changes rarely: it stays in the cache until the force's
    notice is saved or deleted (forget_public_contact, connected to both signals in apps.py).
    """
    key = _contact_key(force.pk)
    email = cache.get(key)
    if email is None:
        email = ForceNotice.objects.filter(force=force).values_list("contact_email", flat=True).first() or ""
        cache.set(key, email, timeout=None)
    return email


def forget_public_contact(sender, instance: ForceNotice, **kwargs) -> None:
    cache.delete(_contact_key(instance.force_id))


def _context(notice: ForceNotice) -> dict:
    return {
        "force": notice.force,
        "policy": policy_for(notice.force_id),
        "contact_email": notice.contact_email,
        "data_protection_officer": notice.data_protection_officer,
        "prepared": STANDARD_TEXT_DATE,
        "reviewed": timezone.localdate(notice.updated_at) if notice.updated_at else STANDARD_TEXT_DATE,
    }


def _standard(name: str, notice: ForceNotice) -> str:
    # The standard texts exist in English and Welsh (`<name>.cy.txt`); the reader's language chooses.
    welsh = welsh_active()
    template = f"privacy/notices/{name}{'.cy' if welsh else ''}.txt"
    return render_to_string(template, _context(notice)).strip()


def standard_privacy_notice(notice: ForceNotice) -> str:
    """The standard privacy notice for this force, with its current retention periods and contacts."""
    return _standard("privacy_notice", notice)


def standard_accessibility_statement(notice: ForceNotice) -> str:
    """The standard accessibility statement (GOV.UK's model structure) for this force."""
    return _standard("accessibility_statement", notice)


def privacy_notice_text(notice: ForceNotice) -> str:
    return notice.privacy_notice or standard_privacy_notice(notice)


def accessibility_statement_text(notice: ForceNotice) -> str:
    return notice.accessibility_statement or standard_accessibility_statement(notice)


def same_text(a: str, b: str) -> bool:
    """Equal but for line endings and spaces at the ends of lines (what a browser's text box changes)."""

    def tidy(text: str) -> str:
        return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").strip().split("\n"))

    return tidy(a) == tidy(b)


@dataclass
class Block:
    """A heading, a paragraph (its lines) or a list (its items)."""

    kind: str
    lines: list[str] = field(default_factory=list)


def blocks(text: str) -> list[Block]:
    """Plain text as headings, paragraphs and lists, for a template to render (escaped)."""
    result: list[Block] = []
    current: Block | None = None
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            current = None
        elif line.startswith("#"):
            result.append(Block("heading", [line.lstrip("#").strip()]))
            current = None
        elif line.startswith(("- ", "* ")):
            if current is None or current.kind != "list":
                current = Block("list")
                result.append(current)
            current.lines.append(line[2:].strip())
        else:
            if current is None or current.kind != "paragraph":
                current = Block("paragraph")
                result.append(current)
            current.lines.append(line)
    return result
