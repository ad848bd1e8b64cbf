"""Certificate PDFs: pure functions from a template and printed content to PDF bytes.

Nothing here touches the database. WeasyPrint fetches resources through `SafeURLFetcher`, which
serves only `data:` URIs and files under the project's static roots and the certificate images
folder of the media root: no network, no redirects, no other local files (WeasyPrint's default
fetcher would embed any file named by `<link rel=attachment>`).
"""

import gc
import io
import logging
import mimetypes
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pikepdf
import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from pypdf import PdfWriter
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

from core.languages import ENGLISH, WELSH

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
    title_cy: str = ""
    wording_cy: str = ""
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
            title_cy=template.title_cy,
            wording_cy=template.wording_cy,
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


def _long_date(day, language=ENGLISH):
    with translation.override(language):
        month = date_format(day, "F")  # the month's name in the certificate's language, not the worker's
    return f"{day.day}\u00a0{month}\u00a0{day.year}"  # no-break spaces: a date never splits across lines


def fill_wording(wording, content, language=ENGLISH):
    """The template's wording with placeholders filled; every part HTML-escaped (no str.format, which
    would let a template reach attributes such as {student_name.__class__})."""
    hours = content.hours_attended
    values = {
        "student_name": content.student_name,
        "programme_title": content.programme_title,
        "start_date": _long_date(content.start_date, language),
        "end_date": _long_date(content.end_date, language),
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


def certificate_html(design, contents, *, layer="full", names_offset=""):
    """One HTML document with one A4 landscape page per certificate.

    `layer` is "full" (everything), "background" (what all certificates of the design share, with
    the per-student parts left blank) or "values" (only the per-student parts, the name pushed down
    by `names_offset`, a CSS length); a values page drawn over the background is the full page.
    """
    pages = [
        {
            "content": content,
            "wording": fill_wording(design.wording, content) if layer != "background" else "",
            "wording_cy": fill_wording(design.wording_cy, content, WELSH)
            if layer != "background" and design.wording_cy
            else "",
            "code": format_code(content.verification_code),
            "qr": qr_data_uri(content.verify_url) if layer == "full" else "",
        }
        for content in contents
    ]
    return render_to_string(
        "certificates/pdf/certificate.html",
        {
            "layer": layer,
            "names_offset": names_offset,
            "design": design,
            "bilingual": bool(design.wording_cy),
            "pages": pages,
            "logo_uri": _image_uri(design.logo_path),
            "signature_uri": _image_uri(design.signature_path),
            "verify_base": f"{settings.SITE_URL.rstrip('/')}/verify/",
            "fonts": FONTS_DIR.as_uri(),
        },
    )


def _render(html, fetcher=None):
    return HTML(string=html, url_fetcher=fetcher or SafeURLFetcher()).render()


def html_to_pdf(html, *, fetcher=None):
    """WeasyPrint with the safe fetcher; returns (pdf bytes, page count)."""
    document = _render(html, fetcher)
    return document.write_pdf(), len(document.pages)


def render_certificate(design, content):
    """One certificate as its own WeasyPrint document (the slow path, for single issues)."""
    pdf, _ = html_to_pdf(certificate_html(design, [content]))
    return pdf


MM_TO_CSS_PX = 96 / 25.4
SECTION_PADDING_TOP_MM = 14  # keep in step with `section { padding: 14mm … }` in the template


def _file_stamp(path):
    try:
        return Path(path).stat().st_mtime_ns if path else 0
    except OSError:
        return 0


@dataclass(frozen=True)
class Background:
    """The design's shared page, and where on it the per-student parts go (read from its anchors)."""

    pdf: bytes
    names_offset: str  # CSS length from the top of the section's content box to the printed name
    qr_rect: tuple  # (left, bottom, right, top) in PDF points


@lru_cache(maxsize=16)
def _background(design, force_name, site_url, logo_stamp, signature_stamp):
    """The design's Background, cached per design, force, site and image file versions: a bulk run
    lays it out once, not once per page."""
    sample = CertificateContent(
        student_name="",
        programme_title="",
        start_date=date.min,
        end_date=date.min,
        hours_attended=Decimal(0),
        force_name=force_name,
        serial=0,
        verification_code="A" * 16,
    )
    document = _render(certificate_html(design, [sample], layer="background"))
    page = document.pages[0]
    anchors = page.anchors
    offset_px = anchors["names"][1] - anchors["top"][1] + SECTION_PADDING_TOP_MM * MM_TO_CSS_PX
    pt = 0.75  # PDF points per CSS pixel; PDF y runs up from the bottom of the page
    left, top, right, bottom = anchors["qr"]  # the box, in CSS pixels from the page's top left
    qr_rect = (left * pt, (page.height - bottom) * pt, right * pt, (page.height - top) * pt)
    return Background(document.write_pdf(), f"{offset_px:.3f}px", qr_rect)


def _qr_form(pdf, url):
    """The QR code as a one-bit image in a unit-square form XObject, ready to place with add_overlay.

    Drawn straight into the PDF (a few hundred bytes) rather than laid out by WeasyPrint as an image,
    which would cost more than the rest of the page's text; the same code and mask as `qr_data_uri`.
    """
    matrix = segno.make(url, error="m", mask=0, boost_error=False).matrix
    size = len(matrix)
    pad = -size % 8
    data = bytearray()
    for row in matrix:
        bits = 0
        for module in row:
            bits = (bits << 1) | (0 if module else 1)  # DeviceGray: 0 is black
        data += (bits << pad).to_bytes((size + pad) // 8, "big")
    image = pikepdf.Stream(
        pdf,
        bytes(data),
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=size,
        Height=size,
        ColorSpace=pikepdf.Name.DeviceGray,
        BitsPerComponent=1,
        Interpolate=False,
    )
    return pikepdf.Stream(
        pdf,
        b"/QR Do",
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Form,
        BBox=[0, 0, 1, 1],
        Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(QR=image)),
    )


def _lay_over(values_pdf, background, urls):
    """Each page of `values_pdf` as a standalone PDF: drawn over the background page, with its QR code.

    qpdf (pikepdf) copies each page with only the resources it uses (WeasyPrint gives every page of
    a document one shared resource dictionary) and puts the background underneath as a form XObject.
    """
    out = []
    with pikepdf.open(io.BytesIO(values_pdf)) as values, pikepdf.open(io.BytesIO(background.pdf)) as shared:
        for source, url in zip(values.pages, urls, strict=True):
            pdf = pikepdf.new()
            pdf.pages.append(source)
            page = pdf.pages[0]
            page.remove_unreferenced_resources()
            page.add_underlay(pdf.copy_foreign(shared.pages[0].as_form_xobject()))
            page.add_overlay(_qr_form(pdf, url), pikepdf.Rectangle(*background.qr_rect))
            pdf.docinfo["/Producer"] = "WeasyPrint"
            pdf.docinfo["/Title"] = "Certificate"
            buffer = io.BytesIO()
            pdf.save(buffer)
            out.append(buffer.getvalue())
    return out


@contextmanager
def _fewer_garbage_collections():
    """Layout allocates a great many short-lived objects, so Python's default collector runs every
    700 allocations; collecting less often makes bulk rendering about a fifth faster (bench/)."""
    threshold = gc.get_threshold()
    gc.set_threshold(20_000, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def render_cohort(design, contents):
    """Many certificates at once, each a standalone one-page PDF (the fast path, for bulk issue).

    What all certificates share (border, crest, title, signature, the words around serial and code)
    is laid out once; the per-student text of the whole cohort is laid out as one WeasyPrint
    document, and each of its pages is laid over the shared page with its QR code drawn in. If any
    certificate overflowed onto a second page the pages would misalign, so then each is rendered on
    its own instead.
    """
    contents = list(contents)
    if not contents:
        return []
    force_names = {content.force_name for content in contents}
    if len(force_names) != 1:
        return [render_certificate(design, content) for content in contents]
    background = _background(
        design,
        force_names.pop(),
        settings.SITE_URL,
        _file_stamp(design.logo_path),
        _file_stamp(design.signature_path),
    )
    html = certificate_html(design, contents, layer="values", names_offset=background.names_offset)
    with _fewer_garbage_collections():
        values, page_count = html_to_pdf(html)
    if page_count != len(contents):
        return [render_certificate(design, content) for content in contents]
    return _lay_over(values, background, [content.verify_url for content in contents])


def combine_pdfs(pdfs):
    """Stored certificates concatenated into one print-ready PDF, one per page, in the given order."""
    writer = PdfWriter()
    for pdf in pdfs:
        writer.append(io.BytesIO(pdf))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
