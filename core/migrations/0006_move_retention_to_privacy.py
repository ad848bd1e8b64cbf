# The retention policy and erasure record moved to the privacy app. Only Django's idea of the models
# moves: the tables keep their names (privacy's models set db_table), so no row is copied.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_redact_sent_links"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="retentionpolicy", name="force"),
                migrations.DeleteModel(name="Erasure"),
                migrations.DeleteModel(name="RetentionPolicy"),
            ],
            database_operations=[],
        ),
    ]
