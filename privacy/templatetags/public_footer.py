from django import template

from placements.models import Force

from ..notices import public_contact_email

register = template.Library()


@register.inclusion_tag("privacy/_public_footer.html")
def public_footer(force=None):
    """The footer of pages for the public: who runs the service, its privacy notice, accessibility and contact.

    `force` is the force the page is about, when the page knows it (else a general footer).
    """
    if not isinstance(force, Force):
        return {"force": None, "contact_email": ""}
    return {"force": force, "contact_email": public_contact_email(force)}
