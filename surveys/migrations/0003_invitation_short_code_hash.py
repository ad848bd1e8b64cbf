"""Survey short codes are no longer stored: only a keyed hash, the code being made from the salt.

Existing invitations get new codes (made from their salt, as new ones are): the product is not live
yet, so no code has been handed to a student. The derivation is copied here (not imported) so that
this migration keeps working whatever later becomes of surveys.services.
"""

import hashlib
import hmac
import secrets
from base64 import urlsafe_b64encode

from django.conf import settings
from django.db import migrations, models

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 10


def _hmac(message):
    return hmac.new(settings.SECRET_KEY.encode(), message.encode(), "sha256")


def _code_hash(salt):
    number = int.from_bytes(_hmac(f"survey-code:{salt}").digest(), "big")
    letters = []
    for _ in range(LENGTH):
        number, index = divmod(number, len(ALPHABET))
        letters.append(ALPHABET[index])
    return _hmac(f"survey-code-lookup:{''.join(letters)}").hexdigest()


def _token_hash(salt):
    token = urlsafe_b64encode(_hmac(f"survey-invitation:{salt}").digest()).rstrip(b"=").decode()
    return hashlib.sha256(token.encode()).hexdigest()


def hash_codes(apps, schema_editor):
    Invitation = apps.get_model("surveys", "Invitation")
    taken = set()
    for invitation in Invitation.objects.only("pk", "token_salt", "token_hash").order_by("pk").iterator(chunk_size=2000):
        fields = ["short_code_hash"]
        invitation.short_code_hash = _code_hash(invitation.token_salt)
        while invitation.short_code_hash in taken:  # two salts making one code: give this one a new salt
            invitation.token_salt = secrets.token_hex(16)
            invitation.token_hash = _token_hash(invitation.token_salt)
            invitation.short_code_hash = _code_hash(invitation.token_salt)
            fields = ["short_code_hash", "token_salt", "token_hash"]
        taken.add(invitation.short_code_hash)
        invitation.save(update_fields=fields)


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0002_templates_drafts_token_salt"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="short_code_hash",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(hash_codes, migrations.RunPython.noop),
        migrations.RemoveField(model_name="invitation", name="short_code"),
        migrations.AlterField(
            model_name="invitation",
            name="short_code_hash",
            field=models.CharField(
                editable=False,
                help_text="Keyed hash of the code typed in if the QR cannot be scanned; the code is made from the salt.",
                max_length=64,
                unique=True,
            ),
        ),
    ]
