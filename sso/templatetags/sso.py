from django import template

from ..forms import WorkEmailForm
from ..selectors import sign_on_choices

register = template.Library()


@register.inclusion_tag("sso/_sign_in_options.html")
def force_account_sign_in(next_url=""):
    """The sign-in page's "Sign in with your force account" part, shown when any force offers it."""
    return {"sign_ons": sign_on_choices(), "form": WorkEmailForm(), "next": next_url}
