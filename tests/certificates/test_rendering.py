"""The certificate PDF: text read back, escaping, the cohort split, and the safe URL fetcher."""

import io
import subprocess
import threading
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import segno
from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format
from PIL import Image, ImageChops
from pypdf import PdfReader

from certificates import rendering
from certificates.artwork import crest_png, signature_png


def _design(**kwargs):
    return rendering.TemplateDesign(
        title="Certificate of Work Experience",
        wording="for completing {programme_title} with {force_name} ({hours_attended} hours).",
        signatory_name="Jane Smith",
        signatory_rank="Superintendent",
        **kwargs,
    )


def _content(name="Amelia Adeyemi", serial=7, code="ABCDEFGHJKLMNPQR"):
    return rendering.CertificateContent(
        student_name=name,
        programme_title="Summer school week",
        start_date=date(2026, 7, 13),
        end_date=date(2026, 7, 17),
        hours_attended=Decimal("27.5"),
        force_name="Northshire Police",
        serial=serial,
        verification_code=code,
    )


def _text(pdf):
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_rendered_certificate_reads_back_with_name_code_and_wording():
    pdf = rendering.render_certificate(_design(), _content())
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert width > height  # A4 landscape
    assert abs(float(width) - 841.9) < 1
    text = _text(pdf)
    assert "Amelia Adeyemi" in text
    assert "ABCD-EFGH-JKLM-NPQR" in text
    assert "27.5 hours" in text
    assert "000007" in text


def test_a_student_called_script_prints_literally():
    name = "<script>alert(1)</script> & Co"
    html = rendering.certificate_html(_design(), [_content(name=name)])
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
    assert name in _text(rendering.render_certificate(_design(), _content(name=name)))


def test_wording_cannot_reach_attributes_or_inject_markup():
    design = rendering.TemplateDesign(
        title="T", wording="<b>{student_name.__class__}</b> {student_name} {nope}", signatory_name="S"
    )
    filled = rendering.fill_wording(design.wording, _content(name="<i>Kai</i>"))
    assert filled == "&lt;b&gt;{student_name.__class__}&lt;/b&gt; &lt;i&gt;Kai&lt;/i&gt; {nope}"


def _images(pdf):
    """Every image a one-page PDF draws, looking inside form XObjects: [(name, width, height, data)]."""
    found = []

    def walk(resources):
        for name, xobject in (resources.get("/XObject") or {}).items():
            xobject = xobject.get_object()
            if xobject["/Subtype"] == "/Image":
                found.append((name, xobject["/Width"], xobject["/Height"], xobject.get_data()))
            elif "/Resources" in xobject:
                walk(xobject["/Resources"])

    walk(PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"])
    return found


def _qr_bits(pdf):
    """The one-bit QR image bulk issue draws, as rows of 0 (dark) and 1 (light)."""
    [(_name, size, _height, data)] = [image for image in _images(pdf) if image[0] == "/QR"]
    row_bytes = (size + 7) // 8
    return [[(data[row * row_bytes + col // 8] >> (7 - col % 8)) & 1 for col in range(size)] for row in range(size)]


def test_cohort_becomes_standalone_one_page_pdfs_each_with_its_own_text_and_qr_code():
    contents = [_content(name=f"Student Number{i}", serial=i, code=f"CODE{i:012d}") for i in range(1, 4)]
    pdfs = rendering.render_cohort(_design(), contents)
    assert len(pdfs) == 3
    for i, (pdf, content) in enumerate(zip(pdfs, contents, strict=True), start=1):
        reader = PdfReader(io.BytesIO(pdf))
        assert len(reader.pages) == 1
        text = _text(pdf)
        assert f"Student Number{i}" in text and f"{i:06d}" in text
        assert rendering.format_code(content.verification_code) in text
        assert "This is to certify that" in text  # the shared background came along
        assert all(f"Number{j}" not in text for j in range(1, 4) if j != i)
        expected = segno.make(content.verify_url, error="m", mask=0, boost_error=False).matrix
        assert _qr_bits(pdf) == [[0 if module else 1 for module in row] for row in expected]
        assert len([image for image in _images(pdf) if image[0] == "/QR"]) == 1  # not the cohort's
    combined = PdfReader(io.BytesIO(rendering.combine_pdfs(pdfs)))
    assert len(combined.pages) == 3


def _raster(pdf, tmp_path, name):
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", path, tmp_path / name], check=True)
    return Image.open(tmp_path / f"{name}.png").convert("L")


def _differing_pixels(a, b):
    return sum(ImageChops.difference(a, b).point(lambda v: 255 if v > 40 else 0).histogram()[255:])


def test_bulk_certificate_looks_exactly_like_one_rendered_on_its_own(settings, tmp_path):
    """The fast path lays the student's text and QR code over a shared page; printed, it must be the
    same certificate as the one-document path gives (logo, signature, long name, serial and code)."""
    images = settings.MEDIA_ROOT / rendering.MEDIA_SUBDIR
    images.mkdir(parents=True, exist_ok=True)
    (images / "crest.png").write_bytes(crest_png())
    (images / "signature.png").write_bytes(signature_png())
    design = _design(logo_path=str(images / "crest.png"), signature_path=str(images / "signature.png"))
    contents = [
        _content(name="Amelia Adeyemi", serial=41, code="ABCDEFGHJKLMNPQR"),
        _content(name="Bartholomew Fitzgerald-Okonkwo-Smythe", serial=123456, code="QRSTUVWXYZ234567"),
    ]
    bulk = rendering.render_cohort(design, contents)
    for index, content in enumerate(contents):
        alone = _raster(rendering.render_certificate(design, content), tmp_path, f"alone{index}")
        laid_over = _raster(bulk[index], tmp_path, f"bulk{index}")
        assert alone.size == laid_over.size
        assert _differing_pixels(alone, laid_over) == 0
    # The comparison can fail: another student's certificate differs in name, code and QR code.
    assert _differing_pixels(_raster(bulk[0], tmp_path, "first"), _raster(bulk[1], tmp_path, "second")) > 500


@pytest.fixture
def trap_server():
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()


def test_fetcher_refuses_network_outside_files_and_attachments(trap_server, tmp_path):
    base, hits = trap_server
    outside = tmp_path / "secret.txt"
    outside.write_text("TOP-SECRET-CONTENT")
    images = settings.MEDIA_ROOT / rendering.MEDIA_SUBDIR
    images.mkdir(parents=True)
    (images / "crest.png").write_bytes(crest_png())
    (images / "sneaky.png").symlink_to(outside)
    html = f"""<html><head>
      <link rel="stylesheet" href="{base}/style.css">
      <link rel="attachment" href="{outside.as_uri()}">
      <link rel="attachment" href="file:///etc/passwd">
      </head><body>
      <img src="{base}/logo.png"><img src="{outside.as_uri()}"><img src="{(images / "sneaky.png").as_uri()}">
      <img src="{(images / "crest.png").as_uri()}"><img src="file://evil.example/etc/hosts">
      <p>Hello</p></body></html>"""
    fetcher = rendering.SafeURLFetcher()
    pdf, _pages = rendering.html_to_pdf(html, fetcher=fetcher)
    assert hits == []  # nothing reached the network
    refused = " ".join(fetcher.refused)
    assert f"{base}/style.css" in refused and f"{base}/logo.png" in refused
    assert outside.as_uri() in refused and "file:///etc/passwd" in refused and "sneaky.png" in refused
    assert "evil.example" in refused
    assert b"TOP-SECRET-CONTENT" not in pdf and b"root:" not in pdf
    assert b"/EmbeddedFile" not in pdf
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages[0]["/Resources"]["/XObject"]) == 1  # only the crest from the images folder


def test_fetcher_serves_data_uris_and_never_follows_redirects(trap_server):
    base, hits = trap_server
    fetcher = rendering.SafeURLFetcher()
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    with pytest.raises(rendering.URLFetchingError):
        fetcher.fetch(f"{base}/redirect")
    assert hits == []


def test_media_outside_the_certificate_images_folder_is_refused():
    other = settings.MEDIA_ROOT / "certificates" / "someone-else.pdf"
    other.parent.mkdir(parents=True)
    other.write_bytes(b"%PDF-1.7 another student's certificate")
    fetcher = rendering.SafeURLFetcher()
    with pytest.raises(rendering.URLFetchingError):
        fetcher.fetch(other.as_uri())


WELSH_DESIGN = {
    "title_cy": "Tystysgrif Profiad Gwaith",
    "wording_cy": "am gwblhau {programme_title} gyda {force_name} o {start_date} i {end_date} ({hours_attended} awr).",
}


def test_with_welsh_wording_the_certificate_is_bilingual_welsh_first():
    pdf = rendering.render_certificate(_design(**WELSH_DESIGN), _content())
    text = " ".join(_text(pdf).replace("\xa0", " ").split())
    assert text.index("Tystysgrif Profiad Gwaith") < text.index("Certificate of Work Experience")
    assert "Mae hyn i dystio bod" in text and "This is to certify that" in text
    with translation.override("cy"):
        july = date_format(date(2026, 7, 1), "F")  # Django's Welsh month name
    assert f"o 13 {july} 2026 i 17 {july} 2026" in text and july != "July"
    assert "27.5 hours" in text and "27.5 awr" in text
    assert "Rhif y dystysgrif" in text and "Certificate no." in text
    english_only = _text(rendering.render_certificate(_design(), _content()))
    assert "Tystysgrif" not in english_only and "dystio" not in english_only


def test_a_bilingual_bulk_certificate_looks_exactly_like_one_rendered_on_its_own(tmp_path):
    design = _design(**WELSH_DESIGN)
    contents = [
        _content(name="Gwenllian Morgan-Pritchard", serial=12, code="ABCDEFGHJKLMNPQR"),
        _content(name="Tom Evans", serial=13, code="QRSTUVWXYZ234567"),
    ]
    bulk = rendering.render_cohort(design, contents)
    for index, content in enumerate(contents):
        alone = _raster(rendering.render_certificate(design, content), tmp_path, f"alone{index}")
        laid_over = _raster(bulk[index], tmp_path, f"bulk{index}")
        assert _differing_pixels(alone, laid_over) == 0
    assert _differing_pixels(_raster(bulk[0], tmp_path, "first"), _raster(bulk[1], tmp_path, "second")) > 500


def test_the_certificate_does_not_follow_the_language_of_whoever_renders_it():
    design = rendering.TemplateDesign(
        title="Certificate of Work Experience", wording="from {start_date}", signatory_name="Jane Smith"
    )
    with translation.override("cy"):
        english_only = _text(rendering.render_certificate(design, _content()))
    assert "This is to certify that" in english_only and "dystio" not in english_only
    assert "July" in english_only
