"""tasks/context_processors.py: the header's links, reversed once per script prefix."""

from __future__ import annotations

import re

from django.urls import reverse, set_script_prefix

from tasks.context_processors import NAV_URLS, nav_urls


def _header(html: str) -> str:
    return html[html.index('<header class="site-header">') : html.index("</header>")]


def test_every_header_link_is_its_url_names_address(client_as, admin_user, office_user):
    assert nav_urls("/") == {key: reverse(name) for key, name in NAV_URLS.items()}
    header = _header(client_as(office_user).get(reverse("tasks:dashboard")).content.decode())
    links = set(re.findall(r'(?:href|action)="([^"]+)"', header))
    for key in ("todo", "dashboard", "units", "leaders", "search", "assessment", "review", "messages", "logout"):
        assert reverse(NAV_URLS[key]) in links, key
    assert reverse("imports:history") not in links  # the office does not import
    admin_header = _header(client_as(admin_user).get(reverse("tasks:dashboard")).content.decode())
    assert f'href="{reverse("imports:history")}"' in admin_header


def test_under_a_script_prefix_the_links_carry_it(client_as, office_user):
    # As the WSGI handler sets it for a deployment under /duban (the test client does not).
    client = client_as(office_user)
    set_script_prefix("/duban/")
    try:
        header = _header(client.get(reverse("tasks:dashboard")).content.decode())
    finally:
        set_script_prefix("/")
    assert 'href="/duban/units/"' in header and 'action="/duban/accounts/logout/"' in header
    assert nav_urls("/duban/")["units"] == "/duban/units/"
