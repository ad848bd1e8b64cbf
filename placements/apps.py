from django.apps import AppConfig


class PlacementsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "placements"

    def ready(self):
        from . import privacy

        privacy.register()
        from . import task_states

        task_states.register()
        from core.links import link_register

        from .services import PERSON_INVITATION_PURPOSE, force_person_invitation_path

        link_register(PERSON_INVITATION_PURPOSE, force_person_invitation_path)
        from .sections import ProgrammeSection, register_programme_section
        from .selectors import attendance_section, budget_section, programme_overview, week_plan_section

        register_programme_section(
            ProgrammeSection(
                order=0,
                title="Overview",
                template_name="placements/sections/overview.html",
                context=lambda programme, request: programme_overview(programme=programme),
            )
        )
        for order, title, name, context in (
            (20, "Week plan", "week_plan", week_plan_section),
            (30, "Attendance", "attendance", attendance_section),
            (40, "Budget", "budget", budget_section),
        ):
            register_programme_section(
                ProgrammeSection(
                    order=order,
                    title=title,
                    template_name=f"placements/sections/{name}.html",
                    context=lambda programme, request, context=context: context(programme=programme),
                )
            )
        from .hooks import ProgrammeCopier, register_programme_copier
        from .services import budget_copy, budget_describe, settings_describe, syndicates_copy, syndicates_describe

        register_programme_copier(ProgrammeCopier(order=0, name="settings", describe=settings_describe))
        register_programme_copier(
            ProgrammeCopier(order=20, name="syndicates", describe=syndicates_describe, copy=syndicates_copy)
        )
        register_programme_copier(ProgrammeCopier(order=40, name="budget", describe=budget_describe, copy=budget_copy))
