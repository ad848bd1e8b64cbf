"""Django's makemessages without gettext's fuzzy matching.

msgmerge would otherwise give each new message the translation of a similar old one, marked fuzzy:
a wrong Welsh text that is hidden (fuzzy entries are not compiled) and easy to miss. A new message
stays empty instead, and tests/core/test_welsh.py names it until it is translated.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
