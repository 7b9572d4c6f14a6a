"""Failed logins and password resets are throttled per account, per client address and over
the whole shop, with the shipped limits (config.py), and the throttled page says why.

Found: 60 accounts tried from one address got no 429 (the only limit was per address and email
together), and an account tried from many addresses was never throttled.
"""

import pytest

from storefront.extensions import db
from tests.factories import DEFAULT_PASSWORD, UserFactory

WRONG = "wrong-password-guess"


def _throttled_app(app_factory, **limits):
    app = app_factory(RATELIMIT_ENABLED=True, **limits)
    with app.app_context():
        UserFactory(email="victim@example.vn")
        db.session.commit()
    return app


def _from(app, address: str, lang: str | None = None):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    if lang:
        client.set_cookie("lang", lang)
    return client


def _login(client, email, password=WRONG):
    return client.post("/login", data={"email": email, "password": password})


def test_a_password_sprayed_over_sixty_accounts_from_one_address_meets_a_429(app_factory):
    app = _throttled_app(app_factory)  # the shipped limits
    sprayer = _from(app, "203.0.113.66")

    statuses = [_login(sprayer, f"buyer{i}@example.vn").status_code for i in range(60)]

    assert 429 in statuses
    first = statuses.index(429)
    assert statuses[:first] == [422] * first
    assert set(statuses[first:]) == {429}
    # The limit is the address's, not the accounts': another address still logs in.
    victim = _from(app, "198.51.100.7")
    assert _login(victim, "victim@example.vn", DEFAULT_PASSWORD).status_code in (302, 303)


def test_one_account_tried_from_many_addresses_is_throttled(app_factory):
    app = _throttled_app(app_factory)
    statuses = [
        _login(_from(app, f"203.0.113.{i}"), "Victim@example.vn").status_code for i in range(1, 41)
    ]

    assert 429 in statuses
    first = statuses.index(429)
    assert statuses[:first] == [422] * first
    assert set(statuses[first:]) == {429}
    # Not a password oracle: the right password from a fresh address is throttled too.
    response = _login(_from(app, "192.0.2.200"), "victim@example.vn", DEFAULT_PASSWORD)
    assert response.status_code == 429
    # Other accounts are not affected.
    assert _login(_from(app, "192.0.2.201"), "other@example.vn").status_code == 422


def test_the_whole_shop_has_a_ceiling_on_failed_logins(app_factory):
    app = _throttled_app(app_factory, LOGIN_GLOBAL_FAILURE_RATE_LIMIT="5 per minute")
    for i in range(5):
        assert _login(_from(app, f"203.0.113.{i}"), f"buyer{i}@example.vn").status_code == 422

    assert _login(_from(app, "192.0.2.9"), "someone@example.vn").status_code == 429


def test_successful_logins_do_not_use_up_the_failure_limits(app_factory):
    app = _throttled_app(
        app_factory,
        LOGIN_IP_FAILURE_RATE_LIMIT="2 per minute",
        LOGIN_ACCOUNT_FAILURE_RATE_LIMIT="2 per minute",
        LOGIN_GLOBAL_FAILURE_RATE_LIMIT="2 per minute",
    )
    for _ in range(5):
        response = _login(_from(app, "198.51.100.7"), "victim@example.vn", DEFAULT_PASSWORD)
        assert response.status_code in (302, 303)
    assert _login(_from(app, "198.51.100.7"), "victim@example.vn").status_code == 422


@pytest.mark.parametrize(
    ("lang", "words"),
    [("vi", "Đăng nhập sai quá nhiều lần"), ("en", "Too many failed logins")],
)
def test_the_throttled_page_says_why_in_the_visitors_language(app_factory, lang, words):
    app = _throttled_app(app_factory, LOGIN_IP_FAILURE_RATE_LIMIT="1 per minute")
    client = _from(app, "203.0.113.66", lang)
    _login(client, "a@example.vn")

    response = _login(client, "b@example.vn")

    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert words in page
    assert "per 1 minute" not in page


def test_a_limit_without_its_own_words_never_shows_the_rate(app_factory):
    app = _throttled_app(app_factory, LOGIN_RATE_LIMIT="1 per minute")
    client = _from(app, "203.0.113.66", "en")
    _login(client, "victim@example.vn")

    response = _login(client, "victim@example.vn")

    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "per 1 minute" not in page
    assert "Please wait a minute and try again." in page


def test_password_resets_have_a_ceiling_over_the_whole_shop(app_factory):
    app = _throttled_app(app_factory, PASSWORD_RESET_GLOBAL_RATE_LIMIT="3 per hour")
    for i in range(3):
        response = _from(app, f"203.0.113.{i}").post(
            "/password/forgot", data={"email": f"buyer{i}@example.vn"}
        )
        assert response.status_code == 303

    response = _from(app, "192.0.2.9", "en").post(
        "/password/forgot", data={"email": "victim@example.vn"}
    )
    assert response.status_code == 429
    assert "Too many password reset attempts" in response.get_data(as_text=True)
