"""PostgreSQL keeps the queries a page repeats prepared on the connection (issue 17): parsed and planned once."""

import os
import subprocess
import sys

import pytest
from django.db import connection

from surveys.models import Invitation
from tests import factories as f


def _prepared():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_query_run_five_times_is_prepared_and_still_right(postgres):
    """The student's survey look-up, as every question page makes it: after psycopg's threshold the
    statement is kept prepared, with its parameters apart, and each look-up still finds its own row."""
    invitations = [f.InvitationFactory() for _ in range(7)]
    shape = Invitation.objects.select_related("survey__programme__force", "placement__nomination__erasure")
    before = [s for s in _prepared() if "surveys_invitation" in s]
    found = [shape.filter(pk=invitation.pk).first() for invitation in invitations]
    assert [i.pk for i in found] == [i.pk for i in invitations]
    assert [i.placement.nomination.pk for i in found] == [i.placement.nomination.pk for i in invitations]
    prepared = [s for s in _prepared() if "surveys_invitation" in s and s not in before]
    assert len(prepared) == 1 and '"surveys_invitation"."id" = $1' in prepared[0]


@pytest.mark.parametrize(("switch", "expected"), [("1", "True 5"), ("0", "None None")])
def test_prepared_statements_can_be_turned_off(postgres, switch, expected):
    """DJANGO_DB_PREPARED=0 (behind a PgBouncer in transaction mode) leaves Django's defaults: no preparing."""
    env = {**os.environ, "DJANGO_DB_PREPARED": switch, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "o = settings.DATABASES['default']['OPTIONS']; "
        "print(o.get('server_side_binding'), o.get('prepare_threshold'))"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.split("\n")[-2] == expected
