import importlib

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from placements import demo


class Command(BaseCommand):
    help = "Create fictional demo data (idempotent: running it again changes nothing)."

    def handle(self, *args, **options):
        # The demo's emails go out when this transaction commits; the logins are printed after them.
        with transaction.atomic():
            self._seed()
        self._print_logins()

    def _seed(self):
        force = demo.seed(stdout=self.stdout)
        # Each app may add its own part of the demo in <app>/demo.py: seed(force=..., stdout=...).
        for app in settings.LOCAL_APPS:
            if app == "placements":
                continue
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            module.seed(force=force, stdout=self.stdout)

    def _print_logins(self):
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in at http://127.0.0.1:8000/login/ with:"))
        rows = [
            ("admin", "Django admin, everything"),
            ("coordinator", "force coordinator (Northshire)"),
            ("contact.oakfield", "school contact (Oakfield Academy)"),
            ("contact.riverside", "school contact (Riverside Special School)"),
            ("contact.university", "university module leader"),
            ("lead1", "syndicate lead (Syndicate 1)"),
            ("mentor", "career mentor"),
        ]
        for username, role in rows:
            self.stdout.write(f"  {username:<20} {role}")
        self.stdout.write(f"  password for all: {demo.DEMO_PASSWORD}")
