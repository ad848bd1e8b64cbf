from django.apps import AppConfig


class PlacementsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "placements"

    def ready(self):
        from .sections import ProgrammeSection, register_programme_section
        from .selectors import programme_overview

        register_programme_section(
            ProgrammeSection(
                order=0,
                title="Overview",
                template_name="placements/sections/overview.html",
                context=lambda programme, request: programme_overview(programme=programme),
            )
        )
