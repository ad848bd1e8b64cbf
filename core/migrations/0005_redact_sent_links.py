"""Emails already sent kept their working links in the outbox; take the tokens out of them.

Unsent emails keep theirs (they still have to go out); every email queued from now on holds only
markers (core.links), made into links when it is sent.
"""

import re

from django.db import migrations

TOKEN_LINK = re.compile(r"/(consent|invitations|s)/[A-Za-z0-9_\-]{16,}/")


def redact(apps, schema_editor):
    OutboundEmail = apps.get_model("core", "OutboundEmail")
    for email in OutboundEmail.objects.filter(sent_at__isnull=False).iterator():
        text, html = TOKEN_LINK.sub(r"/\1/[link removed]/", email.body_text), TOKEN_LINK.sub(
            r"/\1/[link removed]/", email.body_html
        )
        if (text, html) != (email.body_text, email.body_html):
            OutboundEmail.objects.filter(pk=email.pk).update(body_text=text, body_html=html)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_outbound_email_students")]

    operations = [migrations.RunPython(redact, migrations.RunPython.noop)]
