import pytest
from sqlalchemy import select

from storefront.auth import services
from storefront.auth.models import User, UserRole
from storefront.errors import AuthError, ValidationFailed
from storefront.extensions import db
from tests.factories import DEFAULT_PASSWORD, AdminFactory, ProducerMemberFactory, UserFactory

SAME_ERROR = "Email hoặc mật khẩu không đúng."


def register(client, email="lan@example.vn", password="mat-khau-dai-du", confirm=None):
    return client.post(
        "/register",
        data={
            "name": "Trần Thị Lan",
            "email": email,
            "phone": "0912 345 678",
            "password": password,
            "confirm": confirm or password,
            "consent": "y",
        },
    )


def test_register_creates_a_customer_with_a_scrypt_hash_and_logs_in(client):
    response = register(client, email="Lan@Example.vn")
    assert response.status_code == 302
    user = db.session.scalar(select(User))
    assert user.email == "lan@example.vn"
    assert user.role is UserRole.CUSTOMER
    assert user.password_hash.startswith("scrypt:")
    assert client.get("/account").status_code == 200


@pytest.mark.parametrize(
    ("email", "password", "confirm", "message"),
    [
        ("not-an-email", "mat-khau-dai-du", None, "Invalid email address."),
        ("a@example.vn", "ngan", None, "Field must be between 10 and 200 characters long."),
        ("a@example.vn", "mat-khau-dai-du", "khac-hoan-toan", "The passwords do not match."),
    ],
)
def test_register_rejects_bad_input_and_keeps_what_was_typed(
    client, email, password, confirm, message
):
    client.set_cookie("lang", "en")
    response = register(client, email=email, password=password, confirm=confirm)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert 'value="Trần Thị Lan"' in response.get_data(as_text=True)
    assert db.session.scalar(select(User)) is None


def test_register_refuses_an_email_that_exists_in_another_case(client):
    UserFactory(email="lan@example.vn")
    response = register(client, email="LAN@example.vn")
    assert response.status_code == 422
    assert len(db.session.scalars(select(User)).all()) == 1


def test_unknown_email_and_wrong_password_get_the_same_answer(client):
    UserFactory(email="lan@example.vn")
    unknown = client.post("/login", data={"email": "ai@example.vn", "password": "x" * 12})
    wrong = client.post("/login", data={"email": "lan@example.vn", "password": "x" * 12})
    assert unknown.status_code == wrong.status_code == 422
    assert SAME_ERROR in unknown.get_data(as_text=True)
    assert SAME_ERROR in wrong.get_data(as_text=True)


def test_disabled_user_cannot_log_in_and_gets_the_same_answer(client):
    UserFactory(email="lan@example.vn", is_active_flag=False)
    response = client.post("/login", data={"email": "lan@example.vn", "password": DEFAULT_PASSWORD})
    assert response.status_code == 422
    assert SAME_ERROR in response.get_data(as_text=True)


def _session_cookie(client):
    return client.get_cookie("session").value


def test_old_session_cookie_replayed_after_logout_is_rejected(client, auth):
    UserFactory(email="lan@example.vn")
    assert auth.login("lan@example.vn").status_code == 302
    stolen = _session_cookie(client)
    assert client.get("/account").status_code == 200
    auth.logout()
    assert client.get("/account").status_code == 302
    client.set_cookie("session", stolen)
    response = client.get("/account")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_password_change_ends_other_sessions_but_keeps_this_one(app, auth, client):
    UserFactory(email="lan@example.vn")
    other_device = app.test_client()
    other_device.post("/login", data={"email": "lan@example.vn", "password": DEFAULT_PASSWORD})
    auth.login("lan@example.vn")
    response = client.post(
        "/account/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": "mot-mat-khau-moi",
            "confirm": "mot-mat-khau-moi",
        },
    )
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert other_device.get("/account").status_code == 302


def test_password_change_needs_the_current_password(client, auth):
    user = UserFactory(email="lan@example.vn")
    auth.login("lan@example.vn")
    old_hash = user.password_hash
    response = client.post(
        "/account/password",
        data={"current_password": "sai", "new_password": "x" * 12, "confirm": "x" * 12},
    )
    assert response.status_code == 422
    db.session.refresh(user)
    assert user.password_hash == old_hash


def test_disabling_an_account_ends_its_open_sessions(client, auth):
    user = UserFactory(email="lan@example.vn")
    auth.login("lan@example.vn")
    assert client.get("/account").status_code == 200
    services.set_active(user, False)
    db.session.commit()
    assert client.get("/account").status_code == 302


def test_logout_is_a_post(client, auth):
    UserFactory(email="lan@example.vn")
    auth.login("lan@example.vn")
    assert client.get("/logout").status_code == 405
    assert client.get("/account").status_code == 200


def test_authenticate_service_raises_one_error_type(app):
    UserFactory(email="lan@example.vn")
    with pytest.raises(AuthError):
        services.authenticate("lan@example.vn", "wrong-password")
    with pytest.raises(AuthError):
        services.authenticate("nobody@example.vn", "wrong-password")
    assert services.authenticate("LAN@example.vn", DEFAULT_PASSWORD).email == "lan@example.vn"


def test_register_service_enforces_password_length(app):
    with pytest.raises(ValidationFailed):
        services.register_user("a@example.vn", "short", "A")


def test_login_is_rate_limited_per_address_and_email(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    with app.app_context():
        UserFactory(email="lan@example.vn")
        db.session.commit()
    for _ in range(3):
        client.post("/login", data={"email": "lan@example.vn", "password": "wrong-password"})
    blocked = client.post("/login", data={"email": "lan@example.vn", "password": DEFAULT_PASSWORD})
    assert blocked.status_code == 429
    # The real owner, from another address, is not locked out by the attacker.
    owner = app.test_client()
    response = owner.post(
        "/login",
        data={"email": "lan@example.vn", "password": DEFAULT_PASSWORD},
        environ_base={"REMOTE_ADDR": "203.0.113.7"},
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("decorator", "allowed_role"),
    [("producer_required", "producer"), ("admin_required", "admin")],
)
def test_role_decorators(app_factory, decorator, allowed_role):
    from flask import Flask

    from storefront.auth import decorators

    app: Flask = app_factory()

    @app.get("/_probe")
    @getattr(decorators, decorator)
    def probe():
        return "ok"

    client = app.test_client()
    with app.app_context():
        customer = UserFactory()
        member = ProducerMemberFactory().user
        admin = AdminFactory()
        db.session.commit()
        users = {"customer": customer, "producer": member, "admin": admin}
        ids = {role: user.get_id() for role, user in users.items()}

    assert client.get("/_probe").status_code == 302  # anonymous: to the login page
    for role, user_id in ids.items():
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["mfa_user"] = int(user_id.partition(":")[0])  # second factor passed
        expected = 200 if role == allowed_role else 403
        assert client.get("/_probe").status_code == expected, role
