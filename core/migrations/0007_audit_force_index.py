# The audit trail is read by force: core.audit files every entry under its force in
# additional_data["force"], and a coordinator's trail filters on it (core.selectors.audit_entries).
# Without an index that filter reads the whole table for the page's count and its filters (36 ms
# at 46,000 entries, growing with every force). The table is django-auditlog's, so the index is
# made here, on PostgreSQL (SQLite, the embedded default, holds a small trail).

from django.db import migrations

INDEX = "core_audit_entry_force"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON auditlog_logentry ((additional_data -> 'force'))")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_move_retention_to_privacy"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(create, drop)]
