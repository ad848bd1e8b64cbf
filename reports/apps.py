from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"

    def ready(self):
        from placements.sections import ProgrammeSection, register_programme_section

        from . import privacy, task_states
        from .selectors import section_context

        privacy.register()
        task_states.register()
        register_programme_section(
            ProgrammeSection(
                order=70,
                title="Practice report",
                template_name="reports/sections/practice_report.html",
                context=lambda programme, request: section_context(programme),
            )
        )
