# The retention policy and erasure record, moved from core: the tables keep their names
# (core_retentionpolicy, core_erasure), so only Django's state moves and no row is copied. The
# content types are renamed too, so permissions and admin history stay attached to the models.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MOVED = ("retentionpolicy", "erasure")


def _rename_content_types(apps, schema_editor, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def forwards(apps, schema_editor):
    _rename_content_types(apps, schema_editor, "core", "privacy")


def backwards(apps, schema_editor):
    _rename_content_types(apps, schema_editor, "privacy", "core")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('core', '0006_move_retention_to_privacy'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('placements', '0003_week_planning'),
        ('schools', '0003_link_token_salt'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Erasure',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('erased_at', models.DateTimeField(auto_now_add=True)),
                        ('reason', models.CharField(choices=[('request', 'Erased on request'), ('retention', 'Retention period over')], max_length=20)),
                        ('note', models.CharField(blank=True, help_text="Why (e.g. the request's reference).", max_length=300)),
                        ('summary', models.JSONField(blank=True, default=dict, help_text='How many rows of each kind were erased.')),
                        ('erased_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('nomination', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='erasure', to='schools.nomination')),
                    ],
                    options={
                        'db_table': 'core_erasure',
                        'ordering': ['-erased_at'],
                    },
                ),
                migrations.CreateModel(
                    name='RetentionPolicy',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('not_placed_months', models.PositiveSmallIntegerField(default=3, help_text='Nominations not selected, withdrawn or declined: months after the programme ends.', verbose_name='students without a place')),
                        ('placed_months', models.PositiveSmallIntegerField(default=12, help_text='Placements and everything about the student: months after mentoring ends or, with no mentoring, after the programme ends.', verbose_name='students who took part')),
                        ('survey_text_months', models.PositiveSmallIntegerField(default=6, help_text='Free-text survey answers: months after the programme ends (scores are kept).', verbose_name='survey free-text answers')),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('force', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='retention_policy', to='placements.force')),
                    ],
                    options={
                        'verbose_name_plural': 'retention policies',
                        'db_table': 'core_retentionpolicy',
                        'constraints': [models.CheckConstraint(condition=models.Q(('not_placed_months__gte', 1), ('placed_months__gte', 1), ('survey_text_months__gte', 1)), name='retention_policy_at_least_a_month')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
