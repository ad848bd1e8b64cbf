"""The QR sheet: one card per student with a QR code of their link and the short code to type instead."""

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML

from core.languages import language_for

from .services import format_short_code, invitation_short_code, invitation_token


def qr_sheet_rows(invitations):
    rows = []
    for invitation in invitations:
        url = f"{settings.SITE_URL}/s/{invitation_token(invitation)}/"
        rows.append(
            {
                "name": invitation.placement.nomination.full_name,
                "school": invitation.placement.nomination.institution.name,
                "short_code": format_short_code(invitation_short_code(invitation)),
                "qr": segno.make(url, error="m").svg_data_uri(scale=4, border=2),
                "answered": invitation.answered_at is not None,
            }
        )
    return rows


def qr_sheet_pdf(*, survey, invitations):
    """PDF bytes of the QR sheet (pure: template + data in, bytes out)."""
    with translation.override(language_for(force=survey.programme.force)):  # students read the force's language
        html = render_to_string(
            "surveys/pdf/qr_sheet.html",
            {
                "survey": survey,
                "programme": survey.programme,
                "rows": qr_sheet_rows(invitations),
                "entry_url": f"{settings.SITE_URL}/s/",
            },
        )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
