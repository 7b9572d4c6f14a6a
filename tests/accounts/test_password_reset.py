"""Password reset: a signed, single-use link valid one hour, built from PUBLIC_BASE_URL."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from itsdangerous import URLSafeTimedSerializer
from werkzeug.security import check_password_hash

from storefront.auth import tokens
from storefront.extensions import db
from storefront.mail import outbox
from tests.factories import DEFAULT_PASSWORD, UserFactory

NEW_PASSWORD = "mot-mat-khau-moi-dai"
PUBLIC = "https://cho-ocop.example"


@pytest.fixture
def public_app(app_factory):
    app = app_factory(PUBLIC_BASE_URL=PUBLIC)
    with app.app_context():
        yield app


def ask_reset(client, email, **kwargs):
    return client.post("/password/forgot", data={"email": email}, **kwargs)


def path_of(link: str) -> str:
    parts = urlsplit(link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_reset_link_uses_public_base_url_even_with_an_evil_host_and_works_once(
    public_app, last_link
):
    """Done when #1: from the outbox email, despite Host: evil.example, once only."""
    user = UserFactory(email="lan@example.vn")
    db.session.commit()
    client = public_app.test_client()
    other_device = public_app.test_client()
    other_device.post("/login", data={"email": "lan@example.vn", "password": DEFAULT_PASSWORD})
    assert other_device.get("/account").status_code == 200

    response = ask_reset(client, "lan@example.vn", headers={"Host": "evil.example"})
    assert response.status_code == 303
    link = last_link("lan@example.vn")
    assert link.startswith(PUBLIC + "/password/reset/")
    assert "evil.example" not in outbox()[-1].get_content()

    form = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert client.get(path_of(link)).status_code == 200
    done = client.post(path_of(link), data=form)
    assert done.status_code == 303 and done.headers["Location"] == "/login"
    db.session.refresh(user)
    assert check_password_hash(user.password_hash, NEW_PASSWORD)
    # Every other session ended.
    assert other_device.get("/account").status_code == 302
    # The link does not work a second time, and changes nothing.
    hash_after = user.password_hash
    again = client.post(path_of(link), data={"password": "x" * 20, "confirm": "x" * 20})
    assert again.status_code == 303 and again.headers["Location"] == "/password/forgot"
    db.session.refresh(user)
    assert user.password_hash == hash_after
    page = client.get("/password/forgot").get_data(as_text=True)
    assert "không hợp lệ hoặc đã được dùng" in page
    assert (
        client.post(
            "/login", data={"email": "lan@example.vn", "password": NEW_PASSWORD}
        ).status_code
        == 302
    )


def test_same_answer_whether_or_not_the_email_has_an_account(client):
    UserFactory(email="co@example.vn")
    db.session.commit()
    known = ask_reset(client, "co@example.vn")
    known_page = client.get(known.headers["Location"]).get_data(as_text=True)
    unknown = ask_reset(client, "khong@example.vn")
    unknown_page = client.get(unknown.headers["Location"]).get_data(as_text=True)
    assert known.status_code == unknown.status_code == 303
    assert known.headers["Location"] == unknown.headers["Location"]
    assert known_page.replace("co@example.vn", "EMAIL") == unknown_page.replace(
        "khong@example.vn", "EMAIL"
    )
    assert [m["To"] for m in outbox()] == ["co@example.vn"]


def test_disabled_account_gets_no_email(client):
    UserFactory(email="tat@example.vn", is_active_flag=False)
    db.session.commit()
    assert ask_reset(client, "tat@example.vn").status_code == 303
    assert outbox() == []


def test_expired_link_is_refused_with_a_clear_message(app, client, monkeypatch):
    user = UserFactory(email="cu@example.vn")
    db.session.commit()
    token = tokens.make(
        tokens.PURPOSE_RESET, {"uid": user.id, "fp": tokens.reset_fingerprint(user)}
    )
    real_loads = URLSafeTimedSerializer.loads

    def an_hour_later(self, s, max_age=None, **kwargs):
        # Reading the token 61 minutes after it was made.
        return real_loads(
            self, s, max_age=max_age - timedelta(minutes=61).total_seconds(), **kwargs
        )

    monkeypatch.setattr(URLSafeTimedSerializer, "loads", an_hour_later)
    client.set_cookie("lang", "en")
    response = client.post(
        f"/password/reset/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 303
    assert "has expired" in client.get("/password/forgot").get_data(as_text=True)
    db.session.refresh(user)
    assert check_password_hash(user.password_hash, DEFAULT_PASSWORD)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-3] + ("AAA" if not t.endswith("AAA") else "BBB"),  # signature broken
        lambda t: "x" + t,  # payload changed
        lambda t: "",  # empty
        lambda t: "a" * 2000,  # absurdly long
    ],
)
def test_tampered_links_are_refused_and_change_nothing(client, mangle):
    user = UserFactory(email="gia@example.vn")
    db.session.commit()
    token = tokens.make(
        tokens.PURPOSE_RESET, {"uid": user.id, "fp": tokens.reset_fingerprint(user)}
    )
    bad = mangle(token)
    path = f"/password/reset/{bad}" if bad else "/password/reset/"
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code in (303, 404)
    db.session.refresh(user)
    assert check_password_hash(user.password_hash, DEFAULT_PASSWORD)


def test_a_token_for_another_purpose_or_user_is_refused(client):
    victim = UserFactory(email="nan@example.vn")
    db.session.commit()
    # An email-verification token carries the same uid but is signed for another purpose.
    verify = tokens.make(
        tokens.PURPOSE_VERIFY, {"uid": victim.id, "fp": tokens.email_fingerprint(victim)}
    )
    response = client.post(
        f"/password/reset/{verify}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 303
    # A token forged with the wrong secret.
    forged = URLSafeTimedSerializer("guessed", salt="storefront.password-reset").dumps(
        {"uid": victim.id, "fp": tokens.reset_fingerprint(victim)}
    )
    client.post(
        f"/password/reset/{forged}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    db.session.refresh(victim)
    assert check_password_hash(victim.password_hash, DEFAULT_PASSWORD)


def test_a_password_change_kills_an_outstanding_reset_link(client):
    from storefront.auth import services

    user = UserFactory(email="doi@example.vn")
    db.session.commit()
    token = tokens.make(
        tokens.PURPOSE_RESET, {"uid": user.id, "fp": tokens.reset_fingerprint(user)}
    )
    services.change_password(user, DEFAULT_PASSWORD, "mat-khau-khac-hẳn")
    db.session.commit()
    response = client.post(
        f"/password/reset/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 303 and response.headers["Location"] == "/password/forgot"


def test_short_new_password_is_refused_and_the_link_still_works(client):
    user = UserFactory(email="ngan@example.vn")
    db.session.commit()
    token = tokens.make(
        tokens.PURPOSE_RESET, {"uid": user.id, "fp": tokens.reset_fingerprint(user)}
    )
    response = client.post(f"/password/reset/{token}", data={"password": "ngan", "confirm": "ngan"})
    assert response.status_code == 422
    ok = client.post(
        f"/password/reset/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert ok.status_code == 303 and ok.headers["Location"] == "/login"


def test_reset_requests_are_rate_limited_per_ip_and_per_account(app_factory):
    app = app_factory(
        RATELIMIT_ENABLED=True,
        PASSWORD_RESET_IP_RATE_LIMIT="4 per hour",
        PASSWORD_RESET_ACCOUNT_RATE_LIMIT="2 per hour",
    )
    with app.app_context():
        UserFactory(email="dich@example.vn")
        db.session.commit()
        client = app.test_client()

        def from_ip(ip, email):
            return ask_reset(client, email, environ_base={"REMOTE_ADDR": ip})

        # Per account: a third request for the same address from elsewhere is refused.
        assert from_ip("198.51.100.1", "dich@example.vn").status_code == 303
        assert from_ip("198.51.100.2", "dich@example.vn").status_code == 303
        assert from_ip("198.51.100.3", "dich@example.vn").status_code == 429
        assert len(outbox()) == 2
        # Per address: spraying many emails from one IP is stopped too.
        for n in range(4):
            assert from_ip("203.0.113.9", f"khac{n}@example.vn").status_code == 303
        assert from_ip("203.0.113.9", "khac9@example.vn").status_code == 429
        assert len(outbox()) == 2


def test_reset_form_posts_are_rate_limited_per_link(app_factory):
    app = app_factory(
        RATELIMIT_ENABLED=True,
        PASSWORD_RESET_IP_RATE_LIMIT="100 per hour",
        PASSWORD_RESET_ACCOUNT_RATE_LIMIT="2 per hour",
    )
    with app.app_context():
        user = UserFactory(email="phun@example.vn")
        db.session.commit()
        token = tokens.make(
            tokens.PURPOSE_RESET, {"uid": user.id, "fp": tokens.reset_fingerprint(user)}
        )
        client = app.test_client()
        bad = {"password": "ngan", "confirm": "ngan"}
        for ip in ("192.0.2.1", "192.0.2.2"):
            client.post(f"/password/reset/{token}", data=bad, environ_base={"REMOTE_ADDR": ip})
        blocked = client.post(
            f"/password/reset/{token}",
            data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
            environ_base={"REMOTE_ADDR": "192.0.2.3"},
        )
        assert blocked.status_code == 429
        db.session.refresh(user)
        assert check_password_hash(user.password_hash, DEFAULT_PASSWORD)


def test_forgot_page_is_linked_from_login_and_bilingual(client):
    assert "/password/forgot" in client.get("/login").get_data(as_text=True)
    client.set_cookie("lang", "en")
    assert "Forgot your password?" in client.get("/password/forgot").get_data(as_text=True)
    client.set_cookie("lang", "vi")
    assert "Quên mật khẩu?" in client.get("/password/forgot").get_data(as_text=True)
