"""New passwords: at least 10 characters and not among the most common (a list shipped with
the project), at registration, reset, change and for `flask create-admin`.

Found: `1234567890` and `password12` were accepted.
"""

import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from storefront.auth import passwords, services, tokens
from storefront.auth.models import User
from storefront.errors import ValidationFailed
from storefront.extensions import db
from tests.factories import DEFAULT_PASSWORD, UserFactory

COMMON = ["1234567890", "password12", "Password12", " qwertyuiop "]
TOO_COMMON_VI = "Mật khẩu này nằm trong số những mật khẩu phổ biến nhất"
TOO_COMMON_EN = "This password is one of the most common"


def _users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_the_list_is_shipped_and_read_as_django_compares():
    assert passwords.COMMON_PASSWORDS_FILE.exists()
    assert passwords.is_common("1234567890") and passwords.is_common("PASSWORD12")
    assert not passwords.is_common(DEFAULT_PASSWORD)
    assert not passwords.is_common("mật khẩu của Lan ở Hà Giang")


@pytest.mark.parametrize("password", COMMON)
def test_the_service_refuses_a_common_password(app, password):
    with pytest.raises(ValidationFailed):
        services.check_new_password(password)
    with pytest.raises(ValidationFailed):
        services.register_user("lan@example.vn", password, "Lan")


@pytest.mark.parametrize(("lang", "words"), [("vi", TOO_COMMON_VI), ("en", TOO_COMMON_EN)])
@pytest.mark.parametrize("password", ["1234567890", "password12"])
def test_registration_refuses_it_with_a_clear_message(client, password, lang, words):
    client.set_cookie("lang", lang)
    response = client.post(
        "/register",
        data={
            "name": "Trần Thị Lan",
            "email": "lan@example.vn",
            "password": password,
            "confirm": password,
            "consent": "y",
        },
    )
    assert response.status_code == 422
    assert words in response.get_data(as_text=True)
    assert _users() == 0


@pytest.mark.parametrize("password", ["1234567890", "password12"])
def test_a_reset_refuses_it_and_the_link_still_works(client, password):
    user = UserFactory(email="ngan@example.vn")
    db.session.commit()
    token = tokens.make(
        tokens.PURPOSE_RESET, {"uid": user.id, "fp": tokens.reset_fingerprint(user)}
    )

    response = client.post(
        f"/password/reset/{token}", data={"password": password, "confirm": password}
    )

    assert response.status_code == 422
    assert TOO_COMMON_VI in response.get_data(as_text=True)
    db.session.refresh(user)
    assert check_password_hash(user.password_hash, DEFAULT_PASSWORD)
    ok = client.post(
        f"/password/reset/{token}",
        data={"password": "mot-mat-khau-moi-dai", "confirm": "mot-mat-khau-moi-dai"},
    )
    assert ok.status_code == 303


@pytest.mark.parametrize("password", ["1234567890", "password12"])
def test_a_change_refuses_it(client, auth, password):
    user = UserFactory(email="ha@example.vn")
    db.session.commit()
    auth.login_as(user)
    client.set_cookie("lang", "en")

    response = client.post(
        "/account/password",
        data={"current_password": DEFAULT_PASSWORD, "new_password": password, "confirm": password},
    )

    assert response.status_code == 422
    assert TOO_COMMON_EN in response.get_data(as_text=True)
    db.session.refresh(user)
    assert check_password_hash(user.password_hash, DEFAULT_PASSWORD)


def test_create_admin_refuses_it(runner, monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "1234567890")
    result = runner.invoke(args=["create-admin", "boss@example.vn"])
    assert result.exit_code != 0
    assert TOO_COMMON_VI in result.output
    db.session.remove()
    assert services.find_user_by_email("boss@example.vn") is None
