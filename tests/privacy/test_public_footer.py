"""Pages for the public (parents, students, schools' new staff, anyone checking a certificate) end with a
footer that says who runs the service and links to that force's privacy notice and accessibility
statement, with a contact; staff pages keep the staff footer, and public pages carry no staff wording."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from privacy.models import ForceNotice
from tests.trust.world import build_world

PUBLIC_FOOTER = 'data-footer="public"'
STAFF_WORDS = ("Signed in as", "Sign out", ">Admin<", "Share it only with people who need it")


@pytest.fixture
def world(db):
    world = build_world()
    from placements.models import Force

    force = Force.objects.get(pk=world.ids["force"])
    ForceNotice.objects.create(force=force, contact_email="workexperience@northshire.example")
    world.force = force
    return world


def _footer(html):
    start = html.index(PUBLIC_FOOTER)
    return html[start : html.index("</footer>", start)]


def _public_pages(world):
    """(what, client, url, names the force) for every kind of public page."""
    tokens = world.tokens
    pages = []
    for what, opening, names_force in (
        ("consent form", f"/consent/{tokens['consent_pending']}/", True),
        ("consent already answered or form", f"/consent/{tokens['consent']}/", True),
        ("student survey", f"/s/{tokens['survey']}/", True),
        ("student certificate", f"/certificates/s/{tokens['certificate']}/", True),
        ("invitation accept", f"/invitations/{tokens['invitation']}/", True),
    ):
        client = Client()
        response = client.get(opening)
        assert response.status_code == 302, what
        pages.append((what, client, response["Location"], names_force))
    pages += [
        ("certificate check", Client(), reverse("verify:result", args=[world.ids["verification_code"]]), True),
        ("certificate check form", Client(), reverse("verify:form"), False),
        ("survey code", Client(), reverse("surveys:code_enter"), False),
        ("privacy notice", Client(), reverse("notices:privacy", args=[world.force.slug]), True),
        ("accessibility statement", Client(), reverse("notices:accessibility", args=[world.force.slug]), True),
        ("privacy index", Client(), reverse("notices:privacy_index"), False),
    ]
    return pages


def test_every_public_page_has_the_public_footer_with_working_links(world):
    for what, client, url, names_force in _public_pages(world):
        response = client.get(url)
        assert response.status_code == 200, (what, url)
        html = response.content.decode()
        assert PUBLIC_FOOTER in html, what
        footer = _footer(html)
        if names_force:
            assert f"Run by {world.force.name} for its work-experience programme." in footer, what
            assert 'href="mailto:workexperience@northshire.example"' in footer, what
            links = [reverse("notices:privacy", args=[world.force.slug])]
            links.append(reverse("notices:accessibility", args=[world.force.slug]))
        else:
            assert "Run by the police force that invited you" in footer, what
            links = [reverse("notices:privacy_index"), reverse("notices:accessibility_index")]
        hrefs = re.findall(r'href="([^"]+)"', footer)
        assert [h for h in hrefs if not h.startswith("mailto:")] == links, what
        for link in links:
            assert Client().get(link).status_code == 200, (what, link)
        for words in STAFF_WORDS:
            assert words not in html, (what, words)


@pytest.mark.parametrize(
    ("role", "url_name"),
    [
        ("coordinator", "audit_trail"),
        ("coordinator", "placements:programme_list"),
        ("coordinator", "privacy:home"),
        ("contact", "schools:contact_home"),
        ("mentor", "mentoring:mentor_home"),
    ],
)
def test_staff_pages_keep_the_staff_footer(client, request, programme_a, role, url_name):
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse(url_name), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-footer="staff"' in html
    assert PUBLIC_FOOTER not in html and "Run by" not in html


def test_a_changed_public_contact_shows_on_the_next_public_page(world):
    """The footer's contact is cached; saving the notice (in the app or the admin) or deleting it shows at once."""
    from privacy.services import force_notice_save

    url = reverse("notices:privacy", args=[world.force.slug])
    assert "workexperience@northshire.example" in _footer(Client().get(url).content.decode())
    force_notice_save(
        force=world.force,
        actor=None,
        contact_email="new-team@northshire.example",
        data_protection_officer="",
        privacy_notice="",
        accessibility_statement="",
    )
    footer = _footer(Client().get(url).content.decode())
    assert "new-team@northshire.example" in footer and "workexperience@" not in footer
    ForceNotice.objects.filter(force=world.force).get().delete()
    assert "new-team@" not in _footer(Client().get(url).content.decode())
