"""Benchmark: 500 certificates rendered one WeasyPrint document each vs the bulk path (render_cohort).

Run: .venv/bin/python bench/certificates.py [count]
Both ways use the same realistic template (crest and signature images, bundled fonts, QR code) and
produce 500 standalone one-page PDFs; the fast path renders in the same chunks as the bulk-issue task,
and its shared background is drawn inside the timed run (once: it is cached per design, as in the task).
"""

import os
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("DJANGO_MEDIA_ROOT", tempfile.mkdtemp(prefix="bench-certificates-"))

import django

django.setup()

from django.conf import settings  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from certificates import rendering  # noqa: E402
from certificates.artwork import crest_png, signature_png  # noqa: E402
from certificates.services import CHUNK_SIZE, new_verification_code  # noqa: E402


def main(count=500):
    images = Path(settings.MEDIA_ROOT) / rendering.MEDIA_SUBDIR
    images.mkdir(parents=True, exist_ok=True)
    (images / "crest.png").write_bytes(crest_png())
    (images / "signature.png").write_bytes(signature_png())
    design = rendering.TemplateDesign(
        title="Certificate of Work Experience",
        wording="for taking part in {programme_title} with {force_name} from {start_date} to {end_date}, "
        "attending {hours_attended} hours of scenarios and demonstrations.",
        signatory_name="Jane Smith",
        signatory_rank="Superintendent",
        logo_path=str(images / "crest.png"),
        signature_path=str(images / "signature.png"),
    )
    contents = [
        rendering.CertificateContent(
            student_name=f"Student {i:03d} Example-Surname",
            programme_title="Northshire Police school work-experience week",
            start_date=date(2026, 7, 13),
            end_date=date(2026, 7, 17),
            hours_attended=Decimal("27.5"),
            force_name="Northshire Police",
            serial=i,
            verification_code=new_verification_code(),
        )
        for i in range(1, count + 1)
    ]
    rendering.render_certificate(design, contents[0])  # warm up imports and font caches

    # Chunk by chunk, each way in turn, so that a noisy neighbour on a shared machine slows both alike.
    slow, fast, slow_s, fast_s = [], [], 0.0, 0.0
    for start in range(0, count, CHUNK_SIZE):
        chunk = contents[start : start + CHUNK_SIZE]
        started = time.perf_counter()
        slow.extend(rendering.render_certificate(design, content) for content in chunk)
        slow_s += time.perf_counter() - started
        started = time.perf_counter()
        fast.extend(rendering.render_cohort(design, chunk))
        fast_s += time.perf_counter() - started
    slow_ms, fast_ms = slow_s * 1000 / count, fast_s * 1000 / count

    for pdfs in (slow, fast):
        assert len(pdfs) == count
        for index in (0, count // 2, count - 1):
            reader = PdfReader(__import__("io").BytesIO(pdfs[index]))
            assert len(reader.pages) == 1
            assert contents[index].student_name in reader.pages[0].extract_text()
    slow_kb = sum(len(p) for p in slow) / count / 1024
    fast_kb = sum(len(p) for p in fast) / count / 1024
    print(f"certificates:           {count}")
    print(f"one document each:      {slow_ms:7.1f} ms per certificate ({slow_kb:.0f} KB each)")
    print(f"cohort (x{CHUNK_SIZE}), laid over: {fast_ms:7.1f} ms per certificate ({fast_kb:.0f} KB each)")
    print(f"speed-up:               {slow_ms / fast_ms:7.1f}x")
    fast_ok = "met" if fast_ms <= 25 else "NOT met"
    ratio_ok = "met" if slow_ms / fast_ms >= 6 else "NOT met"
    print(f"targets: fast <= 25 ms: {fast_ok}; >= 6x: {ratio_ok}")
    print(f"load average at end:    {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
