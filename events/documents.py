"""The door list as a tagged PDF (PDF/UA-1): a pure function from the event to bytes."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from certificates.rendering import SafeURLFetcher

from . import selectors
from .models import Event

FONTS_DIR = Path(settings.BASE_DIR) / "static" / "reports" / "fonts"


def door_list_html(event: Event) -> str:
    rows = selectors.door_list(event)
    return render_to_string(
        "events/pdf/door_list.html",
        {
            "event": event,
            "starts_at": timezone.localtime(event.starts_at),
            "ends_at": timezone.localtime(event.ends_at),
            "rows": rows,
            "people": len(rows) + sum(row["guests"] for row in rows),
            "fonts": FONTS_DIR.as_uri(),
            "printed_at": timezone.localtime(),
        },
    )


def door_list_pdf(event: Event) -> bytes:
    """Everyone coming, by surname, with their guests and a box to tick at the door; fonts embedded, tagged."""
    document = HTML(string=door_list_html(event), url_fetcher=SafeURLFetcher())
    return document.write_pdf(pdf_variant="pdf/ua-1")
