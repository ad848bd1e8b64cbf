"""Link markers are signed now (core.links): sign the markers of emails and texts still waiting to go out,
so that they keep their links. Only rows queued before this release hold unsigned markers."""

import re

from django.db import migrations

UNSIGNED = re.compile(r"\[\[link:([a-z][a-z-]*):(\d+)\]\]")


def sign(apps, schema_editor):
    from core.links import link_marker

    def signed(text):
        return UNSIGNED.sub(lambda m: link_marker(m.group(1), int(m.group(2))), text) if "[[link:" in text else text

    for name, fields in (("OutboundEmail", ("body_text", "body_html")), ("OutboundSms", ("body",))):
        model = apps.get_model("core", name)
        for row in model.objects.filter(sent_at__isnull=True).only("pk", *fields).iterator():
            values = {field: signed(getattr(row, field)) for field in fields}
            if any(values[field] != getattr(row, field) for field in fields):
                model.objects.filter(pk=row.pk).update(**values)


class Migration(migrations.Migration):
    dependencies = [("core", "0010_outbound_sms")]

    operations = [migrations.RunPython(sign, migrations.RunPython.noop)]
