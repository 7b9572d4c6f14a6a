"""?next= accepts only a path on this site: every open-redirect trick falls back."""

from urllib.parse import urlsplit

import pytest

from storefront.core.urls import safe_next
from storefront.extensions import db
from tests.factories import DEFAULT_PASSWORD, UserFactory

FALLBACK = "/fallback"

ATTACKS = [
    ("absolute https", "https://evil.example/"),
    ("absolute http", "http://evil.example"),
    ("scheme-relative", "//evil.example/path"),
    ("triple slash", "///evil.example"),
    ("backslash after slash", "/\\evil.example"),
    ("double backslash", "\\\\evil.example"),
    ("mixed slashes", "/\\/evil.example"),
    ("tab is stripped by browsers", "/\t/evil.example"),
    ("newline is stripped by browsers", "/\n/evil.example"),
    ("carriage return", "/\r/evil.example"),
    ("null byte", "/\x00/evil.example"),
    ("leading space", " //evil.example"),
    ("javascript scheme", "javascript:alert(1)"),
    ("javascript with slash", "javascript://%0aalert(1)"),
    ("data scheme", "data:text/html,<script>alert(1)</script>"),
    ("scheme without slashes", "https:evil.example"),
    ("bare host", "evil.example"),
    ("encoded slashes only", "%2F%2Fevil.example"),
    ("fullwidth solidus", "\uff0f\uff0fevil.example"),
    ("userinfo trick", "https://shop.example@evil.example/"),
    ("just slashes", "//"),
    ("empty", ""),
    ("none", None),
]

SAFE = [
    "/",
    "/products?q=mat+ong&stars=4",
    "/products/mat-ong-bac-ha-dong-van#reviews",
    "/orders/OCOP-2026-000123?token=abc",
    "/%2F%2Fevil.example",  # a path on this site: browsers do not decode it into a host
]


@pytest.mark.parametrize(("case", "target"), ATTACKS, ids=[case for case, _ in ATTACKS])
def test_safe_next_rejects(case, target):
    assert safe_next(target, FALLBACK) == FALLBACK


@pytest.mark.parametrize("target", SAFE)
def test_safe_next_keeps_site_paths(target):
    assert safe_next(target, FALLBACK) == target


def assert_stays_on_site(location: str) -> None:
    parts = urlsplit(location)
    assert parts.netloc in ("", "localhost"), location
    assert not location.startswith("//"), location


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example", "/\\evil.example", "/\t/evil.example"]
)
def test_login_never_redirects_off_site(app, client, target):
    UserFactory(email="buyer@example.vn")
    db.session.commit()
    from_form = client.post(
        "/login",
        data={"email": "buyer@example.vn", "password": DEFAULT_PASSWORD, "next": target},
    )
    assert from_form.status_code in (302, 303)
    assert_stays_on_site(from_form.headers["Location"])
    client.post("/logout")
    from_query = client.post(
        "/login?next=" + target,
        data={"email": "buyer@example.vn", "password": DEFAULT_PASSWORD},
    )
    assert from_query.status_code in (302, 303)
    assert_stays_on_site(from_query.headers["Location"])


def test_login_follows_a_site_path(app, client):
    UserFactory(email="buyer@example.vn")
    db.session.commit()
    response = client.post(
        "/login",
        data={"email": "buyer@example.vn", "password": DEFAULT_PASSWORD, "next": "/account"},
    )
    assert response.headers["Location"] == "/account"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example"])
def test_language_switch_never_redirects_off_site(client, target):
    response = client.post("/lang", data={"lang": "en", "next": target})
    assert response.status_code == 303
    assert_stays_on_site(response.headers["Location"])
