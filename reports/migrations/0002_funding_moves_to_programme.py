from django.db import migrations


def copy_funding_to_programme(apps, schema_editor):
    """The sponsor and allocation now belong to the programme (its budget page); keep what reports held."""
    PracticeReport = apps.get_model("reports", "PracticeReport")
    Programme = apps.get_model("placements", "Programme")
    for report in PracticeReport.objects.exclude(budget_allocated=None, budget_sponsor=""):
        programme = Programme.objects.get(pk=report.programme_id)
        if programme.budget_allocated is None and report.budget_allocated is not None:
            programme.budget_allocated = report.budget_allocated
        if not programme.sponsor and report.budget_sponsor:
            programme.sponsor = report.budget_sponsor
        programme.save(update_fields=["budget_allocated", "sponsor"])


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("placements", "0007_learning_outcomes_and_programme_funding"),
    ]

    operations = [
        migrations.RunPython(copy_funding_to_programme, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="practicereport",
            name="practice_report_budget_allocated_not_negative",
        ),
        migrations.RemoveField(model_name="practicereport", name="budget_allocated"),
        migrations.RemoveField(model_name="practicereport", name="budget_sponsor"),
    ]
