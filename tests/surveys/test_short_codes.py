"""Survey short codes are made from the invitation's salt under SECRET_KEY; only a keyed hash is stored."""

import importlib

import pytest
from django.apps import apps

from core.links import link_marker, links_resolve
from surveys import selectors, services
from surveys.models import Invitation
from tests import factories as f

hash_codes = importlib.import_module("surveys.migrations.0003_invitation_short_code_hash").hash_codes


def _row_text(invitation):
    return " ".join(str(getattr(invitation, field.attname)) for field in Invitation._meta.concrete_fields)


def test_the_code_is_made_from_the_salt_and_only_its_keyed_hash_is_stored(week_a, settings):
    invitation = week_a["surveys"]["pre"].invitations.first()
    code = services.invitation_short_code(invitation)
    assert len(code) == services.SHORT_CODE_LENGTH and set(code) <= set(services.SHORT_CODE_ALPHABET)
    assert invitation.short_code_hash == services.short_code_hash(code)
    assert code not in _row_text(invitation) and services.format_short_code(code) not in _row_text(invitation)
    # Typed as printed, in lower case, or with spaces: the same invitation.
    for typed in (services.format_short_code(code), code.lower(), f" {code[:5]} {code[5:]} "):
        assert selectors.invitation_by_short_code(typed) == invitation
    # Without the key a copy of the database cannot make the code, nor test guesses against the hash.
    settings.SECRET_KEY = "another-" + settings.SECRET_KEY
    assert services.invitation_short_code(invitation) != code
    assert services.short_code_hash(code) != invitation.short_code_hash


def test_the_outbox_makes_the_code_at_send_time(week_a):
    invitation = week_a["surveys"]["pre"].invitations.first()
    marker = link_marker("survey-code", invitation.pk)
    assert links_resolve(marker) == services.format_short_code(services.invitation_short_code(invitation))
    invitation.delete()
    assert links_resolve(marker) == "(this code no longer works)"


def test_a_code_that_clashes_is_drawn_again_with_a_new_salt(week_a, monkeypatch):
    survey = week_a["surveys"]["pre"]
    first = survey.invitations.first()
    taken = services.invitation_short_code(first)
    real, salts = services.invitation_short_code, []

    def clashing_once(invitation):
        salts.append(invitation.token_salt)
        return taken if len(salts) == 1 else real(invitation)

    monkeypatch.setattr(services, "invitation_short_code", clashing_once)
    placement = f.PlacementFactory(programme=week_a["programme"])
    assert services.invitation_create_missing(survey=survey) == 1

    new = survey.invitations.get(placement=placement)
    assert new.token_salt != salts[0]
    assert selectors.invitation_by_short_code(real(new)) == new
    assert selectors.invitation_by_token(services.invitation_token(new)) == new
    assert selectors.invitation_by_short_code(taken) == first


def test_a_code_that_keeps_clashing_is_refused_with_a_clear_error(week_a, monkeypatch):
    survey = week_a["surveys"]["pre"]
    taken = services.invitation_short_code(survey.invitations.first())
    monkeypatch.setattr(services, "invitation_short_code", lambda invitation: taken)
    f.PlacementFactory(programme=week_a["programme"])
    before = Invitation.objects.count()
    with pytest.raises(services.SurveyError, match="survey code of their own"):
        services.invitation_create_missing(survey=survey)
    assert Invitation.objects.count() == before


def test_the_migration_gives_existing_invitations_codes_the_app_recognises(week_a):
    """The migration copies the derivation; it must agree with the service's, clashes included."""
    one, two, *_ = Invitation.objects.order_by("pk")
    Invitation.objects.filter(pk=two.pk).update(token_salt=one.token_salt)  # the same code twice
    for number, invitation in enumerate(Invitation.objects.all()):
        Invitation.objects.filter(pk=invitation.pk).update(short_code_hash=f"old-{number}")

    hash_codes(apps, None)

    invitations = list(Invitation.objects.all())
    assert len({i.short_code_hash for i in invitations}) == len(invitations)
    for invitation in invitations:
        assert selectors.invitation_by_short_code(services.invitation_short_code(invitation)) == invitation
        assert selectors.invitation_by_token(services.invitation_token(invitation)) == invitation
    assert Invitation.objects.get(pk=two.pk).token_salt != Invitation.objects.get(pk=one.pk).token_salt


def test_setting_up_when_codes_keep_clashing_says_so_instead_of_failing(week_a, client_for, coordinator, monkeypatch):
    taken = services.invitation_short_code(Invitation.objects.first())
    monkeypatch.setattr(services, "invitation_short_code", lambda invitation: taken)
    f.PlacementFactory(programme=week_a["programme"])
    response = client_for(coordinator).post(f"/surveys/programme/{week_a['programme'].pk}/setup/", follow=True)
    assert response.status_code == 200
    assert "survey code of their own" in response.content.decode()
