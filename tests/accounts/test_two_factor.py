"""TOTP second factor: enrolment with a QR, recovery codes, reuse refused, admins required."""

import re
import time

import pyotp
from sqlalchemy import select

from storefront.auth.models import RecoveryCode, SignIn, User
from storefront.extensions import db
from tests.factories import ADMIN_TOTP_SECRET, DEFAULT_PASSWORD, AdminFactory, UserFactory


def login(client, email):
    return client.post("/login", data={"email": email, "password": DEFAULT_PASSWORD})


def enrol(client) -> tuple[str, list[str]]:
    page = client.get("/account/2fa").get_data(as_text=True)
    assert "<svg" in page  # the QR, inline
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    done = client.post("/account/2fa", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", done.get_data(as_text=True))
    return secret, codes


def test_admin_is_sent_to_set_up_the_second_factor_before_admin_opens(client):
    """Done when #2."""
    AdminFactory(email="qt@example.vn", totp_secret=None, totp_enabled_at=None)
    db.session.commit()
    login(client, "qt@example.vn")
    response = client.get("/admin/")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/account/2fa")
    assert client.get("/admin/producers").status_code == 303
    secret, codes = enrol(client)
    assert len(codes) == 10
    assert client.get("/admin/").status_code == 200
    # Only hashes are stored.
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)


def test_enrolled_admin_logs_in_with_a_code_and_a_reused_code_is_refused(app, client):
    admin = AdminFactory(email="qt2@example.vn")
    db.session.commit()
    response = login(client, "qt2@example.vn")
    assert response.status_code == 303 and response.headers["Location"] == "/login/2fa"
    # Password alone gives no session.
    assert client.get("/account").status_code == 302
    code = pyotp.TOTP(ADMIN_TOTP_SECRET).now()
    assert (
        client.post(
            "/login/2fa", data={"code": "000000" if code != "000000" else "111111"}
        ).status_code
        == 422
    )
    ok = client.post("/login/2fa", data={"code": code})
    assert ok.status_code == 303
    assert client.get("/admin/").status_code == 200
    sign_in = db.session.scalar(select(SignIn).where(SignIn.user_id == admin.id))
    assert sign_in.with_second_factor

    # The same code, from another browser, inside its window: refused.
    thief = app.test_client()
    login(thief, "qt2@example.vn")
    thief.set_cookie("lang", "en")
    again = thief.post("/login/2fa", data={"code": code})
    assert again.status_code == 422
    assert "already used" in again.get_data(as_text=True)
    assert thief.get("/admin/").status_code == 302


def test_recovery_code_works_once(app, client):
    user = UserFactory(email="kh@example.vn")
    db.session.commit()
    login(client, "kh@example.vn")
    _secret, codes = enrol(client)
    other = app.test_client()
    login(other, "kh@example.vn")
    assert other.post("/login/2fa", data={"code": codes[0].upper()}).status_code == 303
    assert other.get("/account").status_code == 200
    third = app.test_client()
    login(third, "kh@example.vn")
    assert third.post("/login/2fa", data={"code": codes[0]}).status_code == 422
    db.session.refresh(user)
    assert user.totp_enabled


def test_wrong_enrolment_code_leaves_it_off(client):
    user = UserFactory(email="sai@example.vn")
    db.session.commit()
    login(client, "sai@example.vn")
    client.get("/account/2fa")
    for bad in ("123", "abcdef", "9" * 30, ""):
        assert client.post("/account/2fa", data={"code": bad}).status_code == 422
    db.session.refresh(user)
    assert not user.totp_enabled


def test_optional_for_customers_who_can_turn_it_off_but_admins_cannot(app, client, auth):
    user = UserFactory(email="tuy@example.vn")
    db.session.commit()
    login(client, "tuy@example.vn")
    secret, _codes = enrol(client)
    # Turning off needs a fresh code (the enrolment's step is spent).
    totp = pyotp.TOTP(secret)
    next_code = totp.at(time.time() + 30)
    assert client.post("/account/2fa/disable", data={"code": next_code}).status_code == 303
    db.session.refresh(user)
    assert not user.totp_enabled

    admin = AdminFactory(email="qt3@example.vn")
    db.session.commit()
    admin_client = app.test_client()
    from tests.conftest import AuthActions

    AuthActions(admin_client).login_as(admin)
    admin_client.post("/account/2fa/disable", data={"code": pyotp.TOTP(ADMIN_TOTP_SECRET).now()})
    db.session.refresh(admin)
    assert admin.totp_enabled


def test_admin_session_without_the_second_factor_must_step_up(app, client):
    admin = AdminFactory(email="qt4@example.vn")
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = admin.get_id()  # an old session, no second factor passed
    response = client.get("/admin/orders")
    assert response.status_code == 303 and response.headers["Location"].startswith("/login/2fa")
    ok = client.post(
        response.headers["Location"], data={"code": pyotp.TOTP(ADMIN_TOTP_SECRET).now()}
    )
    assert ok.status_code == 303 and ok.headers["Location"] == "/admin/orders"
    assert client.get("/admin/orders").status_code == 200


def test_second_factor_page_without_a_pending_login(client):
    assert client.get("/login/2fa").status_code == 303
    assert client.post("/login/2fa", data={"code": "123456"}).status_code == 303
    assert db.session.scalar(select(User)) is None
