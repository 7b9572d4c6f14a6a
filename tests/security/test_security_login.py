"""Login: throttled per client address and email, and one answer for every failure."""

import re

import pytest

from storefront.extensions import db
from tests.factories import DEFAULT_PASSWORD, UserFactory

ATTACKER = "203.0.113.66"
VICTIM = "198.51.100.7"


@pytest.fixture
def throttled_app(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    with app.app_context():
        UserFactory(email="victim@example.vn")
        UserFactory(email="disabled@example.vn", is_active_flag=False)
        db.session.commit()
    return app


def client_from(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def attempt(client, email, password="wrong-password-guess"):
    return client.post("/login", data={"email": email, "password": password})


def test_an_attacker_is_throttled(throttled_app):
    attacker = client_from(throttled_app, ATTACKER)
    statuses = [attempt(attacker, "victim@example.vn").status_code for _ in range(5)]
    assert statuses[:3] == [422, 422, 422]
    assert statuses[3:] == [429, 429]
    # Throttled even with the right password: the limit is not a password oracle.
    assert attempt(attacker, "victim@example.vn", DEFAULT_PASSWORD).status_code == 429


def test_the_throttle_cannot_lock_the_real_user_out(throttled_app):
    attacker = client_from(throttled_app, ATTACKER)
    for _ in range(6):
        attempt(attacker, "victim@example.vn")
    assert attempt(attacker, "victim@example.vn").status_code == 429

    victim = client_from(throttled_app, VICTIM)
    response = attempt(victim, "victim@example.vn", DEFAULT_PASSWORD)
    assert response.status_code in (302, 303)


def test_the_throttle_key_ignores_email_case_and_spaces(throttled_app):
    attacker = client_from(throttled_app, ATTACKER)
    for email in ("victim@example.vn", "VICTIM@example.vn", " Victim@Example.VN "):
        assert attempt(attacker, email).status_code == 422
    assert attempt(attacker, "victim@example.vn").status_code == 429


def test_throttled_page_is_a_normal_page(throttled_app):
    attacker = client_from(throttled_app, ATTACKER)
    for _ in range(3):
        attempt(attacker, "victim@example.vn")
    response = attempt(attacker, "victim@example.vn")
    assert response.status_code == 429
    assert "Content-Security-Policy" in response.headers
    assert "<html" in response.get_data(as_text=True)


def test_behind_the_proxy_each_buyer_has_their_own_key(app_factory):
    """In production gunicorn sits behind one proxy: without trusting its X-Forwarded-For,
    every buyer would share the proxy's address and one attacker could lock them all out."""
    app = app_factory(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute", TRUSTED_PROXIES=1)
    with app.app_context():
        UserFactory(email="victim@example.vn")
        db.session.commit()
    proxy = client_from(app, "10.0.0.2")

    def via_proxy(client_address, password="wrong-password-guess"):
        return proxy.post(
            "/login",
            data={"email": "victim@example.vn", "password": password},
            headers={"X-Forwarded-For": client_address},
        )

    for _ in range(4):
        via_proxy(ATTACKER)
    assert via_proxy(ATTACKER).status_code == 429
    assert via_proxy(VICTIM, DEFAULT_PASSWORD).status_code in (302, 303)


def normalised_page(response, email: str) -> str:
    """The page minus what legitimately differs: the typed email and the CSRF token."""
    page = response.get_data(as_text=True).replace(email, "EMAIL")
    return re.sub(r'value="[^"]{20,}"', 'value="TOKEN"', page)


def test_unknown_user_wrong_password_and_disabled_account_look_the_same(app, client):
    UserFactory(email="known@example.vn")
    UserFactory(email="disabled@example.vn", is_active_flag=False)
    db.session.commit()

    unknown = client.post("/login", data={"email": "nobody@example.vn", "password": "x" * 12})
    wrong = client.post("/login", data={"email": "known@example.vn", "password": "x" * 12})
    disabled = client.post(
        "/login", data={"email": "disabled@example.vn", "password": DEFAULT_PASSWORD}
    )

    assert unknown.status_code == wrong.status_code == disabled.status_code == 422
    assert normalised_page(unknown, "nobody@example.vn") == normalised_page(
        wrong, "known@example.vn"
    )
    assert normalised_page(wrong, "known@example.vn") == normalised_page(
        disabled, "disabled@example.vn"
    )
    assert cookies_set(app, unknown) == cookies_set(app, wrong)


def cookies_set(app, response) -> set[tuple[str, str, str]]:
    """Each Set-Cookie as (name, value, attributes), the session cookie by what it holds: its
    signature carries a timestamp of one-second resolution, so two identical answers a second
    apart differ in their raw headers (and so do Expires dates)."""
    serializer = app.session_interface.get_signing_serializer(app)
    found = set()
    for header in response.headers.getlist("Set-Cookie"):
        pair, _, attributes = header.partition(";")
        name, _, value = pair.partition("=")
        if name == app.config["SESSION_COOKIE_NAME"] and value:
            value = repr(sorted(serializer.loads(value).items()))
        attributes = re.sub(r"Expires=[^;]*", "Expires=DATE", attributes)
        found.add((name, value, attributes.strip()))
    return found
