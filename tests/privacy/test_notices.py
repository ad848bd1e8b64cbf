"""Each force's privacy notice and accessibility statement: public, standard by default (quoting the
force's retention periods), edited by its own coordinator only, as plain text, with the change audited."""

from auditlog.models import LogEntry
from django.urls import reverse

from privacy.models import ForceNotice
from privacy.notices import blocks
from tests.privacy.factories import RetentionPolicyFactory

OWN_TEXT = (
    "## Who we are\n"
    "Force A Constabulary runs this programme. Tom & Jerry <3 the police.\n"
    "- first item with https://example.org/more\n"
    "- second item\n\n"
    "A closing paragraph that is long enough to make the whole notice pass the minimum length a privacy "
    "notice needs, so that the form accepts it as a complete text rather than a fragment."
)


def _edit_url(force):
    return reverse("privacy:force_notices", args=[force.pk])


def _post(client, force, **changes):
    data = {"contact_email": "", "data_protection_officer": "", "privacy_notice": "", "accessibility_statement": ""}
    data.update(changes)
    return client.post(_edit_url(force), data)


def test_public_pages_need_no_sign_in_and_quote_the_retention_periods(client, force_a):
    RetentionPolicyFactory(force=force_a, not_placed_months=4, placed_months=18, survey_text_months=2)
    privacy = client.get(reverse("notices:privacy", args=[force_a.slug]))
    assert privacy.status_code == 200
    text = privacy.content.decode()
    assert "Force A Constabulary" in text
    assert "Students who were not given a place: 4 months after the programme ends." in text
    assert "Students who took part: 18 months" in text
    assert "Written answers in surveys: 2 months" in text
    assert "Public task (UK GDPR Article 6(1)(e))" in text and "Consent (Article 6(1)(a)) for photographs" in text
    accessibility = client.get(reverse("notices:accessibility", args=[force_a.slug]))
    assert accessibility.status_code == 200
    for heading in ("Feedback and contact information", "Enforcement procedure", "Compliance status"):
        assert f">{heading}</h2>" in accessibility.content.decode()
    assert "Web Content Accessibility Guidelines version 2.2 AA" in accessibility.content.decode()
    assert "Equality Commission for Northern Ireland (ECNI)" in accessibility.content.decode()
    assert client.get(reverse("notices:privacy", args=["no-such-force"])).status_code == 404


def test_indexes_list_every_force(client, force_a, force_b):
    for name in ("notices:privacy_index", "notices:accessibility_index"):
        page = client.get(reverse(name)).content.decode()
        assert "Force A Constabulary" in page and "Force B Police" in page


def test_edit_page_three_ways_and_attackers(client, force_a, contact, coordinator, coordinator_b, lead):
    url = _edit_url(force_a)
    assert client.get(url).status_code == 302
    for outsider, status in ((contact, 403), (lead, 403), (coordinator_b, 404)):
        client.force_login(outsider)
        assert client.get(url).status_code == status
        assert _post(client, force_a, contact_email="evil@example.org").status_code == status
    assert not ForceNotice.objects.exists()
    client.force_login(coordinator)
    page = client.get(url)
    assert page.status_code == 200
    # The boxes start with the standard texts, so a coordinator edits rather than writes from nothing.
    assert "How long we keep it" in page.content.decode()


def test_saving_records_a_named_action_and_the_public_sees_it(client, force_a, coordinator):
    client.force_login(coordinator)
    response = _post(client, force_a, contact_email="workexperience@force-a.example", privacy_notice=OWN_TEXT)
    assert response.status_code == 302
    notice = ForceNotice.objects.get(force=force_a)
    assert notice.contact_email == "workexperience@force-a.example"
    entry = LogEntry.objects.get(additional_data__action="Privacy notice updated")
    assert entry.actor == coordinator and entry.additional_data["force"] == force_a.pk
    assert entry.additional_data["changed"] == ["Public contact email", "Privacy notice"]
    trail = client.get(reverse("audit_trail")).content.decode()
    assert "Privacy notice updated" in trail and "Changed: Public contact email, Privacy notice" in trail

    public = client.get(reverse("notices:privacy", args=[force_a.slug])).content.decode()
    assert '<h2 class="h4 mt-4">Who we are</h2>' in public
    assert "Tom &amp; Jerry &lt;3 the police." in public  # escaped, never raw HTML
    assert '<a href="https://example.org/more"' in public
    assert "How long we keep it" not in public  # the standard text is replaced


def test_saving_the_standard_text_unchanged_keeps_it_standard(client, force_a, coordinator):
    client.force_login(coordinator)
    form = client.get(_edit_url(force_a)).context["form"]
    data = {name: form.initial[name] for name in form.fields}
    data["contact_email"] = "team@force-a.example"
    data["privacy_notice"] = data["privacy_notice"].replace("\n", "\r\n") + "  "
    assert client.post(_edit_url(force_a), data).status_code == 302
    notice = ForceNotice.objects.get(force=force_a)
    assert notice.privacy_notice == "" and notice.accessibility_statement == ""
    # So it still follows the retention periods.
    RetentionPolicyFactory(force=force_a, not_placed_months=7)
    page = client.get(reverse("notices:privacy", args=[force_a.slug])).content.decode()
    assert "7 months after the programme ends" in page and "team@force-a.example" in page


def test_saving_nothing_new_records_nothing(client, force_a, coordinator):
    client.force_login(coordinator)
    form = client.get(_edit_url(force_a)).context["form"]
    client.post(_edit_url(force_a), {name: form.initial[name] for name in form.fields})
    assert not LogEntry.objects.filter(additional_data__action="Privacy notice updated").exists()


def test_html_short_texts_and_bad_emails_are_refused(client, force_a, coordinator):
    client.force_login(coordinator)
    cases = [
        ({"privacy_notice": OWN_TEXT + '\n<script>alert("x")</script>'}, "remove the HTML tags"),
        ({"accessibility_statement": "We try hard."}, "too short to be complete"),
        ({"contact_email": "not an email"}, "Enter a valid email address."),
    ]
    for data, message in cases:
        response = _post(client, force_a, **data)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not ForceNotice.objects.exists()
    assert not LogEntry.objects.filter(additional_data__action="Privacy notice updated").exists()


def test_emptying_a_box_goes_back_to_the_standard_text(client, force_a, coordinator):
    ForceNotice.objects.create(force=force_a, privacy_notice=OWN_TEXT)
    client.force_login(coordinator)
    assert _post(client, force_a).status_code == 302
    assert ForceNotice.objects.get(force=force_a).privacy_notice == ""
    assert "How long we keep it" in client.get(reverse("notices:privacy", args=[force_a.slug])).content.decode()


def test_privacy_home_links_the_retention_page_and_the_nav_links_the_home(client, force_a, coordinator):
    client.force_login(coordinator)
    home = client.get(reverse("privacy:home"))
    assert home.status_code == 200
    html = home.content.decode()
    assert reverse("privacy:retention_policy", args=[force_a.pk]) in html
    assert _edit_url(force_a) in html
    programmes = client.get(reverse("placements:programme_list")).content.decode()
    assert f'href="{reverse("privacy:home")}"' in programmes


def test_changing_retention_periods_is_in_the_trail_and_the_notice(client, force_a, coordinator):
    client.force_login(coordinator)
    url = reverse("privacy:retention_policy", args=[force_a.pk])
    assert client.post(url, {"not_placed_months": 2, "placed_months": 24, "survey_text_months": 5}).status_code == 302
    trail = client.get(reverse("audit_trail")).content.decode()
    assert "Retention periods changed" in trail and "Students who took part: 24 months" in trail
    notice = client.get(reverse("notices:privacy", args=[force_a.slug])).content.decode()
    assert "Students who took part: 24 months" in notice


def test_plain_text_blocks():
    parsed = blocks("## Title\nFirst line\nsecond line\n\n- one\n* two\nAfter")
    assert [(b.kind, b.lines) for b in parsed] == [
        ("heading", ["Title"]),
        ("paragraph", ["First line", "second line"]),
        ("list", ["one", "two"]),
        ("paragraph", ["After"]),
    ]
