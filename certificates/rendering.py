"""Certificate PDFs: pure functions from a template and printed content to PDF bytes.

Nothing here touches the database. WeasyPrint fetches resources through `SafeURLFetcher`, which
serves only `data:` URIs and files under the project's static roots and the certificate images
folder of the media root: no network, no redirects, no other local files (WeasyPrint's default
fetcher would embed any file named by `<link rel=attachment>`).
"""

import io
import logging
import mimetypes
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

# WeasyPrint logs every layout step at INFO: a line per page of a 500-page cohort in the worker log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
# Uploaded logos and signatures live here (CertificateTemplate.logo/signature upload_to); the rest of
# the media root holds other students' certificates and must never be readable by a template.
MEDIA_SUBDIR = "certificate-images"
# Fonts ship with the code (Liberation, SIL OFL) so a certificate prints the same on any worker,
# whatever fonts its machine happens to have.
FONTS_DIR = Path(settings.BASE_DIR) / "static" / "certificates" / "fonts"


@dataclass(frozen=True)
class TemplateDesign:
    """What a CertificateTemplate contributes to the page (decoupled from the model for purity)."""

    title: str
    wording: str
    signatory_name: str
    signatory_rank: str = ""
    primary_colour: str = "#1d3557"
    accent_colour: str = "#457b9d"
    logo_path: str = ""
    signature_path: str = ""

    @classmethod
    def from_template(cls, template):
        return cls(
            title=template.title,
            wording=template.wording,
            signatory_name=template.signatory_name,
            signatory_rank=template.signatory_rank,
            primary_colour=template.primary_colour,
            accent_colour=template.accent_colour,
            logo_path=template.logo.path if template.logo else "",
            signature_path=template.signature.path if template.signature else "",
        )


@dataclass(frozen=True)
class CertificateContent:
    """What is printed for one student."""

    student_name: str
    programme_title: str
    start_date: date
    end_date: date
    hours_attended: Decimal
    force_name: str
    serial: int
    verification_code: str

    @property
    def verify_url(self):
        return f"{settings.SITE_URL.rstrip('/')}/verify/{self.verification_code}/"


def format_code(code):
    """ABCD-EFGH-JKLM-NPQR: easier to read out and type than one long run of letters."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _long_date(day):
    return f"{day.day}\u00a0{day:%B}\u00a0{day.year}"  # no-break spaces: a date never splits across lines


def fill_wording(wording, content):
    """The template's wording with placeholders filled; every part HTML-escaped (no str.format, which
    would let a template reach attributes such as {student_name.__class__})."""
    hours = content.hours_attended
    values = {
        "student_name": content.student_name,
        "programme_title": content.programme_title,
        "start_date": _long_date(content.start_date),
        "end_date": _long_date(content.end_date),
        "hours_attended": f"{hours:.1f}".removesuffix(".0"),
        "force_name": content.force_name,
    }
    escaped = escape(wording)
    filled = PLACEHOLDER.sub(
        lambda m: escape(values[m[1]]) if m[1] in values else m[0],
        escaped,
    )
    return mark_safe("<br>".join(filled.splitlines()))  # noqa: S308 - every part escaped above


def qr_data_uri(url):
    """The QR code as a PNG data: URI, one pixel per module, scaled up on the page without smoothing
    (tiny to embed, crisp in print). A fixed mask skips segno's search of all eight masks, which is
    most of its time; any mask gives a valid code, and at 26 mm printed any of them scans easily."""
    return segno.make(url, error="m", mask=0, boost_error=False).png_data_uri(scale=1, border=0)


def _allowed_roots():
    roots = [Path(settings.MEDIA_ROOT) / MEDIA_SUBDIR]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT))
    for entry in settings.STATICFILES_DIRS:
        roots.append(Path(entry[1] if isinstance(entry, tuple | list) else entry))
    return [root.resolve() for root in roots]


class SafeURLFetcher(URLFetcher):
    """Serves `data:` and the project's own static and certificate-image files; refuses the rest."""

    def __init__(self):
        super().__init__(timeout=2, allowed_protocols={"data"}, allow_redirects=False)
        self.refused = []
        self._roots = _allowed_roots()

    def fetch(self, url, headers=None):
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = self._local_path(url)
            if path is not None:
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})
        self.refused.append(url)
        raise URLFetchingError(f"Refused to fetch {url[:200]}")

    def _local_path(self, url):
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return None
        try:
            path = Path(url2pathname(parts.path)).resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if not path.is_file() or not any(path.is_relative_to(root) for root in self._roots):
            return None
        return path


def _image_uri(path):
    return Path(path).resolve().as_uri() if path else ""


def certificate_html(design, contents):
    """One HTML document with one A4 landscape page per certificate."""
    pages = [
        {
            "content": content,
            "wording": fill_wording(design.wording, content),
            "code": format_code(content.verification_code),
            "qr": qr_data_uri(content.verify_url),
        }
        for content in contents
    ]
    return render_to_string(
        "certificates/pdf/certificate.html",
        {
            "design": design,
            "pages": pages,
            "logo_uri": _image_uri(design.logo_path),
            "signature_uri": _image_uri(design.signature_path),
            "verify_base": f"{settings.SITE_URL.rstrip('/')}/verify/",
            "fonts": FONTS_DIR.as_uri(),
        },
    )


def html_to_pdf(html, *, fetcher=None):
    """WeasyPrint with the safe fetcher; returns (pdf bytes, page count)."""
    document = HTML(string=html, url_fetcher=fetcher or SafeURLFetcher()).render()
    return document.write_pdf(), len(document.pages)


def render_certificate(design, content):
    """One certificate as its own WeasyPrint document (the slow path, for single issues)."""
    pdf, _ = html_to_pdf(certificate_html(design, [content]))
    return pdf


XOBJECT_USE = re.compile(rb"/([^\s/\[\]<>(){}%]+)\s+Do\b")


def _keep_own_images(page):
    """WeasyPrint gives every page one shared image dictionary; give each page only the images it
    draws, or each split certificate would carry the whole cohort's QR codes."""
    resources = page.get("/Resources")
    if resources is None or "/XObject" not in resources:
        return
    used = {b"/" + name for name in XOBJECT_USE.findall(page.get_contents().get_data())}
    own = DictionaryObject({name: ref for name, ref in resources["/XObject"].items() if name.encode() in used})
    resources = DictionaryObject(resources)
    resources[NameObject("/XObject")] = own
    page[NameObject("/Resources")] = resources


def split_pages(pdf_bytes):
    """Each page of a PDF as a standalone PDF."""
    reader = PdfReader(io.BytesIO(pdf_bytes))
    out = []
    for page in reader.pages:
        _keep_own_images(page)
        writer = PdfWriter()
        writer.add_page(page)
        writer.add_metadata({"/Producer": "WeasyPrint", "/Title": "Certificate"})
        buffer = io.BytesIO()
        writer.write(buffer)
        out.append(buffer.getvalue())
    return out


def render_cohort(design, contents):
    """Many certificates at once: one WeasyPrint document, split into one standalone PDF each.

    Laying out one document shares font loading, style computation and image decoding across the
    cohort, which is what makes bulk issue fast. If any certificate overflowed onto a second page
    the split would misalign, so then each is rendered on its own instead.
    """
    contents = list(contents)
    if not contents:
        return []
    pdf, page_count = html_to_pdf(certificate_html(design, contents))
    if page_count != len(contents):
        return [render_certificate(design, content) for content in contents]
    return split_pages(pdf)


def combine_pdfs(pdfs):
    """Stored certificates concatenated into one print-ready PDF, one per page, in the given order."""
    writer = PdfWriter()
    for pdf in pdfs:
        writer.append(io.BytesIO(pdf))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
