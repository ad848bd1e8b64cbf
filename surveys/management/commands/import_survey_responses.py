from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from placements.models import Programme
from surveys.services import SurveyError, responses_import_csv


class Command(BaseCommand):
    help = (
        "Import paper survey answers from a UTF-8 CSV (placement,phase,question,answer): all rows or none. "
        "For platform admins; coordinators use the paper sheet on the programme's surveys page."
    )

    def add_arguments(self, parser):
        parser.add_argument("programme_id", type=int)
        parser.add_argument("csv_file")

    def handle(self, *args, programme_id, csv_file, **options):
        programme = Programme.objects.filter(pk=programme_id).first()
        if programme is None:
            raise CommandError(f"No programme with id {programme_id}.")
        path = Path(csv_file)
        if not path.is_file():
            raise CommandError(f"No such file: {csv_file}")
        try:
            made = responses_import_csv(programme=programme, data=path.read_bytes())
        except SurveyError as exc:
            for row, message in exc.errors:
                self.stderr.write(f"row {row}: {message}")
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Imported {made} response(s) into {programme}."))
