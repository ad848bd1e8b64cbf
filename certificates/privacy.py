"""What certificates hold about a student: the printed name, the PDF and the student's link."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from core.personal_data import ERASED, Audited, Erasing, PersonalData, random_hash, registry

from .models import Certificate, StudentLink

logger = logging.getLogger(__name__)


class CertificatePersonalData(PersonalData):
    order = 40
    holds = ("certificates.certificate", "certificates.studentlink")
    personal = {"certificates.certificate": ("printed_name", "revoked_reason")}
    audited = {
        "certificates.certificate": Audited(
            masked=("printed_name", "revoked_reason"),
            anonymous=True,
            student="placement__nomination",
            name=lambda certificate: f"Certificate for {certificate.placement.programme}",
        )
    }

    def rows(self, nomination) -> dict[str, list]:
        placement = getattr(nomination, "placement", None)
        if placement is None:
            return {}
        return {
            "certificates": list(Certificate.objects.filter(placement=placement)),
            "certificate_links": list(StudentLink.objects.filter(placement=placement)),
        }

    def export_files(self, rows: dict[str, list]) -> Iterator[tuple[str, bytes]]:
        for certificate in rows.get("certificates", []):
            if certificate.pdf:
                try:
                    with certificate.pdf.open("rb") as pdf:
                        yield f"certificates/certificate-{certificate.serial}.pdf", pdf.read()
                except OSError:
                    logger.warning("Certificate %s PDF missing from storage", certificate.pk)

    def erase(self, erasing: Erasing) -> dict[str, int]:
        placement = getattr(erasing.nomination, "placement", None)
        if placement is None:
            return {}
        certificates = list(Certificate.objects.filter(placement=placement))
        for certificate in certificates:
            if certificate.pdf:
                certificate.pdf.delete(save=False)
            certificate.printed_name = ERASED
            if certificate.status == Certificate.Status.VALID:
                certificate.status = Certificate.Status.REVOKED
                certificate.revoked_at = erasing.now
            certificate.revoked_reason = "Personal data erased"
            certificate.save(update_fields=["pdf", "printed_name", "status", "revoked_at", "revoked_reason"])
        for link in StudentLink.objects.filter(placement=placement):
            StudentLink.objects.filter(pk=link.pk).update(token_hash=random_hash())
        return {"certificates": len(certificates)}


def register() -> None:
    registry.register(CertificatePersonalData())
