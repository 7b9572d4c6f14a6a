"""`flask create-admin EMAIL`: the password comes from ADMIN_PASSWORD or a prompt, never a
default."""

from werkzeug.security import check_password_hash

from storefront.auth.models import UserRole
from storefront.auth.services import find_user_by_email
from storefront.extensions import db
from tests.factories import UserFactory

GOOD = "mat-ong-bac-ha-2026"


def test_password_from_the_environment(runner, monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", GOOD)
    result = runner.invoke(args=["create-admin", "Boss@Example.vn", "--name", "Chủ shop"])
    assert result.exit_code == 0, result.output
    user = find_user_by_email("boss@example.vn")
    assert user.role is UserRole.ADMIN
    assert user.email == "boss@example.vn"
    assert user.name == "Chủ shop"
    assert check_password_hash(user.password_hash, GOOD)
    assert GOOD not in result.output


def test_password_from_the_prompt_with_confirmation(runner, monkeypatch):
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    result = runner.invoke(args=["create-admin", "boss@example.vn"], input=f"{GOOD}\n{GOOD}\n")
    assert result.exit_code == 0, result.output
    assert "Password" in result.output
    user = find_user_by_email("boss@example.vn")
    assert check_password_hash(user.password_hash, GOOD)


def test_no_default_password(runner, monkeypatch):
    """Without the environment variable and without input, nothing is created."""
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    result = runner.invoke(args=["create-admin", "boss@example.vn"], input="")
    assert result.exit_code != 0
    db.session.remove()
    assert find_user_by_email("boss@example.vn") is None


def test_mismatched_confirmation_is_asked_again(runner, monkeypatch):
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    result = runner.invoke(
        args=["create-admin", "boss@example.vn"], input=f"{GOOD}\nother-password-1\n"
    )
    assert result.exit_code != 0
    db.session.remove()
    assert find_user_by_email("boss@example.vn") is None


def test_short_password_is_refused_with_a_clear_message(runner, monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "short")
    result = runner.invoke(args=["create-admin", "boss@example.vn"])
    assert result.exit_code != 0
    assert "10" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    db.session.remove()
    assert find_user_by_email("boss@example.vn") is None


def test_existing_user_is_promoted_with_the_new_password(runner, monkeypatch):
    user = UserFactory(email="khach@example.vn")
    db.session.commit()
    monkeypatch.setenv("ADMIN_PASSWORD", GOOD)
    result = runner.invoke(args=["create-admin", "KHACH@example.vn"])
    assert result.exit_code == 0, result.output
    db.session.remove()
    user = find_user_by_email("khach@example.vn")
    assert user.role is UserRole.ADMIN
    assert check_password_hash(user.password_hash, GOOD)


def test_existing_user_short_password_is_refused(runner, monkeypatch):
    UserFactory(email="khach@example.vn")
    db.session.commit()
    monkeypatch.setenv("ADMIN_PASSWORD", "short")
    result = runner.invoke(args=["create-admin", "khach@example.vn"])
    assert result.exit_code != 0
    db.session.remove()
    assert find_user_by_email("khach@example.vn").role is UserRole.CUSTOMER
