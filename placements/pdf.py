"""PDF rendering as a pure function: template + context → bytes (WeasyPrint)."""

from django.conf import settings
from django.template.loader import render_to_string


def render_pdf(template_name, context):
    """Render a Django template to PDF bytes; no files, no network (static files are read from disk)."""
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
