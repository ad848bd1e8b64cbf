"""Compile every locale/<lang>/LC_MESSAGES/*.po to its .mo with polib: no gettext tools needed.

Django's `compilemessages` needs GNU gettext's msgfmt, which a clean machine may not have; the .mo
files are committed, and tests/core/test_translations.py fails when one is older than its .po.
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


def compiled_catalogues():
    for root in settings.LOCALE_PATHS:
        yield from sorted(Path(root).glob("*/LC_MESSAGES/*.po"))


class Command(BaseCommand):
    help = "Compile the project's .po translation files to .mo (pure Python, polib)."

    def handle(self, *args, **options):
        for po_path in compiled_catalogues():
            catalogue = polib.pofile(str(po_path))
            catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
            self.stdout.write(f"{po_path}: {len(catalogue.translated_entries())} translated")
