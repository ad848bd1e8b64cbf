from django.db.models import Count, Q

from accounts.scoping import scoped

from .models import Placement, Programme


def programme_list(*, user):
    """Programmes the user may see, with the counts a list page shows, in one query."""
    return (
        scoped(user, Programme)
        .select_related("force")
        .annotate(
            nomination_count=Count("nominations", distinct=True),
            placement_count=Count("placements", filter=Q(placements__status=Placement.Status.CONFIRMED), distinct=True),
            syndicate_count=Count("syndicates", distinct=True),
        )
        .order_by("-start_date", "title")
    )


def programme_overview(*, programme):
    """Headline figures for the top of a programme page."""
    nominations = programme.nominations.aggregate(
        total=Count("pk"),
        send=Count("pk", filter=Q(institution__is_send=True)),
    )
    placements = programme.placements.filter(status=Placement.Status.CONFIRMED)
    budget = programme.budget_lines.order_by("category")
    return {
        "nomination_total": nominations["total"],
        "nomination_send": nominations["send"],
        "placement_total": placements.count(),
        "placement_send": placements.filter(nomination__institution__is_send=True).count(),
        "syndicates": programme.syndicates.select_related("lead").annotate(size=Count("placements")),
        "budget_lines": budget,
        "budget_planned": sum(line.planned for line in budget),
        "budget_actual": sum(line.actual for line in budget),
    }
