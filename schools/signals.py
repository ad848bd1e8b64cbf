"""Events of the intake that other apps react to, so `schools` never imports them."""

from django.dispatch import Signal

# Sent inside the withdrawing transaction, after the consent is saved, with `consent` (a Consent)
# and `items` (a frozenset of the withdrawn consent items: "participation", "photos_media",
# "mentoring_contact"). A receiver that raises rolls the withdrawal back.
consent_withdrawn = Signal()
