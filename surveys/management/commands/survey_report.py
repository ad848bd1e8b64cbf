import json

from django.core.management.base import BaseCommand, CommandError

from placements.models import Programme
from surveys.report import programme_report


class Command(BaseCommand):
    help = "Print a programme's survey report (paired means, Wilcoxon p-values, shares, activities)."

    def add_arguments(self, parser):
        parser.add_argument("programme_id", type=int)
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args, programme_id, **options):
        programme = Programme.objects.filter(pk=programme_id).first()
        if programme is None:
            raise CommandError(f"No programme with id {programme_id}.")
        report = programme_report(programme)
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2))
            return
        r = report["respondents"]
        self.stdout.write(f"{programme.title}: {r['pre']} before, {r['post']} after, {r['paired']} paired")
        if report["small_sample"]:
            self.stdout.write("Small sample (fewer than 10 paired): treat changes with caution.")
        for q in report["questions"]:
            self.stdout.write(
                f"  {q['code']:<18} {q['pre_mean']} → {q['post_mean']} ({q['change_pct']}%), "
                f"n={q['paired_n']}, p={q['p_value']}"
            )
        for key in ("perception_better_pct", "would_recommend_pct", "wants_mentor_pct", "police_first_choice_pct"):
            self.stdout.write(f"  {key}: {report[key]}")
        for a in report["activities"]:
            self.stdout.write(f"  {a['mean']:.2f} (n={a['n']}) {a['title']}")
