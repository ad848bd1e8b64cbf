"""The product's own pages for errors (400, 403, CSRF, 404, 500), the signed-out page and the favicon."""

import pytest
from django.contrib.staticfiles import finders
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error


def _templates(response):
    return [t.name for t in response.templates]


def test_an_unknown_address_shows_the_products_not_found_page(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "404.html" in _templates(response)
    page = response.content.decode()
    assert "We cannot find that page" in page and 'href="/"' in page


def test_a_school_contact_on_a_coordinators_page_sees_the_products_forbidden_page(client_for, contact):
    response = client_for(contact).get(reverse("placements:programme_list"))
    assert response.status_code == 403
    assert "403.html" in _templates(response)
    page = response.content.decode()
    assert "You cannot open this page" in page
    assert "Only programme coordinators can open this page." in page  # the refusal's own words
    assert "Go to your start page" in page


@pytest.mark.urls("tests.core.error_urls")
def test_a_fault_shows_the_self_contained_500_page(db):
    client = Client(raise_request_exception=False)
    response = client.get("/broken/")
    assert response.status_code == 500
    assert _templates(response) == ["500.html"]
    page = response.content.decode()
    assert "something went wrong on our side" in page
    assert "/static/" not in page  # stands alone: no static files that might be what failed


def test_the_500_page_renders_without_the_database():
    # No `db` fixture: any query while rendering would raise here.
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500 and b"Go to the start page" in response.content


def test_a_request_the_site_cannot_read_shows_the_products_bad_request_page(client):
    response = client.get("/", HTTP_HOST="not-this-site.example")  # a host not in ALLOWED_HOSTS
    assert response.status_code == 400
    assert "400.html" in _templates(response)
    assert "Something was wrong with that request" in response.content.decode()


def test_a_form_sent_without_its_csrf_token_shows_the_expired_form_page(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "someone", "password": "x"})
    assert response.status_code == 403
    assert "403_csrf.html" in _templates(response)
    assert "This form has expired" in response.content.decode()


def test_signing_out_lands_on_the_signed_out_page(client_for, coordinator):
    client = client_for(coordinator)
    response = client.post(reverse("accounts:logout"), follow=True)
    assert response.redirect_chain == [(reverse("accounts:signed_out"), 302)]
    assert "You have signed out" in response.content.decode()
    assert client.get(reverse("placements:programme_list")).status_code == 302  # really signed out


def test_the_signed_out_page_sends_someone_still_signed_in_to_their_start_page(client_for, coordinator):
    response = client_for(coordinator).get(reverse("accounts:signed_out"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:home")


def test_the_favicon_is_served_and_linked(client, db):  # the sign-in page asks which forces offer force accounts
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert client.get("/apple-touch-icon.png").status_code == 200
    assert finders.find("favicon.svg")
    page = client.get(reverse("accounts:login")).content.decode()
    assert 'rel="icon" href="/favicon.ico"' in page and "favicon.svg" in page
