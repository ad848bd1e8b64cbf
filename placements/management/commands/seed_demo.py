import contextlib
import importlib
import logging
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from core.models import OutboundEmail
from placements import demo

CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Where the demo's own emails go in the embedded default (one file each), instead of the console.
EMAIL_DIR = "demo-emails"


class Command(BaseCommand):
    help = "Create fictional demo data around today's date and print how to try it (running it again adds nothing)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--email-dir",
            default=str(Path(settings.BASE_DIR) / EMAIL_DIR),
            help="Where the demo's emails go when email is printed to the console (the embedded default).",
        )

    def handle(self, *args, email_dir, **options):
        started = timezone.now()
        # The demo's emails go out when this transaction commits, so the mail settings wrap it.
        with _emails_to_files(Path(email_dir), started) as email_dir, _quiet_logs(), transaction.atomic():
            force, story, links = self._seed()
        sent = OutboundEmail.objects.filter(sent_at__gte=started).count()
        self._print_summary(force, story, links, sent, email_dir)

    def _seed(self):
        force = demo.seed()
        story = demo.story_for(force)
        links = []
        # Each app may add its own part of the demo in <app>/demo.py: seed(force=..., story=...), which
        # returns the links (placements.demo.Link) worth trying without signing in.
        for app in settings.LOCAL_APPS:
            if app == "placements":
                continue
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            links += [link for link in module.seed(force=force, story=story) or [] if link]
        return force, story, links

    def _print_summary(self, force, story, links, sent, email_dir):
        site = settings.SITE_URL.rstrip("/")
        today = timezone.localdate()
        running = story.running
        write = self.stdout.write
        write("")
        write(self.style.SUCCESS(f"Demo data is ready: {force.name}, dated around the week of {_day(story.monday)}."))
        write("")
        write(f"Sign in at {site}/login/ (every demo password is {demo.DEMO_PASSWORD}):")
        if running.start <= today <= running.end:
            register = "take today's register for Syndicate 1 of this week's programme"
        else:
            register = "Syndicate 1's students, timetable and register"
        logins = [
            ("coordinator", "force coordinator: programmes, choosing students, the week's plan, results"),
            ("lead1", f"syndicate lead: {register}"),
            ("contact.oakfield", "school contact (Oakfield Academy): nominate students, follow consent"),
            ("contact.riverside", "school contact at a special school (Riverside Special School)"),
            ("contact.university", "university module leader (the criminology placement)"),
            ("mentor", "career mentor: mentees from the finished week, some contacts overdue"),
            ("partner.council", "partner (the county council): their own actions from the partners' meetings"),
            ("national", "national coordinator: the national picture across forces that share (no child's record)"),
            ("admin", f"platform administrator: the Django admin at {site}/admin/"),
        ]
        for username, role in logins:
            write(f"  {username:<19} {role}")
        write("")
        write("The programmes:")
        for dates, stage in (
            (story.completed, f"finished on {_day(story.completed.end)}; results, certificates, mentoring"),
            (running, _running_words(running, today)),
            (story.intake, f"taking nominations until {_day(story.intake.closes)}; some consent awaited"),
            (story.university, f"taking nominations until {_day(story.university.closes)}"),
        ):
            write(f"  {dates.title}: {stage}")
        write("")
        write("Open these without signing in, as a guardian, a student or an employer would:")
        for link in links:
            write(f"  {link.label}")
            write(f"    {site}{link.path}")
        write("  A link's secret is not stored (only a salt and a hash), so each run makes the same links again")
        write("  from them; once a link is answered or has expired, the next run shows another.")
        write("")
        if email_dir is None:
            write(f"Emails: the demo sent {sent} through the configured email backend ({settings.EMAIL_BACKEND}).")
        elif sent:
            write(f"Emails: the {sent} the demo sent are in {_shown(email_dir)}/ (one file each),")
            write("  and in the admin's outbox. Emails sent while you use the site print in this terminal.")
        else:
            write(f"Emails: this run sent none; the demo's are in {_shown(email_dir.parent)}/ and in the admin's")
            write("  outbox. Emails sent while you use the site print in this terminal.")
        if today > running.end:
            write("")
            write(
                self.style.WARNING(
                    f"The demo was dated when it was first loaded: its running week ended on {_day(running.end)}."
                )
            )
            write(
                self.style.WARNING(
                    "To date it around today, start from an empty database (delete db.sqlite3) and run it again."
                )
            )


def _shown(path):
    """A folder as the reader finds it: relative to where they ran the command, if it is below it."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _day(value):
    return f"{value:%A} {value.day} {value:%B %Y}"


def _running_words(running, today):
    if running.start <= today <= running.end:
        return f"running now, {_day(running.start)} to {_day(running.end)}"
    if today < running.start:
        # Seeded at a weekend: a register needs a weekday, so the running week is the coming one.
        return f"places confirmed; runs from {_day(running.start)} (today is a weekend)"
    return f"finished on {_day(running.end)}"


@contextlib.contextmanager
def _emails_to_files(root, started):
    """In the embedded default (console email), the seed's emails go to files, not over its summary:
    a folder for this run, one file each (made only if an email is sent)."""
    if settings.EMAIL_BACKEND != CONSOLE_BACKEND:
        yield None
        return
    folder = root / f"{timezone.localtime(started):%Y-%m-%d-%H%M%S}"
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend", EMAIL_FILE_PATH=folder):
        yield folder


@contextlib.contextmanager
def _quiet_logs():
    """Celery logs a line for each of the demo's emails it sends in-process; the summary says where they went."""
    logger = logging.getLogger("celery.app.trace")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)
