"""A session ends at logout, at a password change and when the account is disabled:
replaying a cookie captured before that point gives an anonymous visitor."""

import pytest

from storefront.auth import services
from storefront.extensions import db
from storefront.models import User
from tests.factories import DEFAULT_PASSWORD, UserFactory

COOKIE = "session"


def log_in(app, email: str):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": DEFAULT_PASSWORD})
    assert response.status_code in (302, 303)
    return client


def captured_cookie(client) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    return cookie.value


def replay(app, cookie_value: str):
    """A fresh browser presenting an old cookie."""
    attacker = app.test_client()
    attacker.set_cookie(COOKIE, cookie_value)
    return attacker


def is_logged_in(client) -> bool:
    response = client.get("/account")
    if response.status_code == 200:
        return True
    assert response.status_code in (302, 303)
    assert "/login" in response.headers["Location"]
    return False


@pytest.fixture
def app(app_factory):
    """No app context stays pushed: each request gets its own `g`, as in production
    (a shared `g` would carry Flask-Login's cached user from one request to the next)."""
    return app_factory()


@pytest.fixture
def buyer(app):
    with app.app_context():
        user = UserFactory(email="buyer@example.vn")
        db.session.commit()
        return user.id


def fetch_user(user_id: int) -> User:
    return db.session.get(User, user_id)


def test_replayed_cookie_works_while_the_session_lives(app, buyer):
    # The control case: without it the tests below could pass for the wrong reason.
    client = log_in(app, "buyer@example.vn")
    assert is_logged_in(replay(app, captured_cookie(client)))


def test_logout_ends_the_session_everywhere(app, buyer):
    client = log_in(app, "buyer@example.vn")
    other_device = log_in(app, "buyer@example.vn")
    old = captured_cookie(client)

    client.post("/logout")

    assert not is_logged_in(client)
    assert not is_logged_in(replay(app, old))
    assert not is_logged_in(other_device)


def test_password_change_ends_other_sessions_and_keeps_this_one(app, buyer):
    client = log_in(app, "buyer@example.vn")
    other_device = log_in(app, "buyer@example.vn")
    old = captured_cookie(client)

    response = client.post(
        "/account/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": "a-brand-new-passphrase",
            "confirm": "a-brand-new-passphrase",
        },
    )

    assert response.status_code in (302, 303)
    assert is_logged_in(client)
    assert not is_logged_in(other_device)
    assert not is_logged_in(replay(app, old))


def test_disabling_an_account_ends_its_sessions(app, buyer):
    client = log_in(app, "buyer@example.vn")
    old = captured_cookie(client)

    with app.app_context():
        services.set_active(fetch_user(buyer), False)
        db.session.commit()

    assert not is_logged_in(client)
    assert not is_logged_in(replay(app, old))


def test_a_disabled_flag_alone_is_enough(app, buyer):
    # Even if something flips the flag without bumping the session version.
    client = log_in(app, "buyer@example.vn")
    with app.app_context():
        fetch_user(buyer).is_active_flag = False
        db.session.commit()
    assert not is_logged_in(client)


def test_a_forged_user_id_without_the_session_version_is_anonymous(app, buyer):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(buyer)
    assert not is_logged_in(client)
