"""Accounts: plain functions, the caller commits."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..clock import utcnow
from ..errors import AuthError, ValidationFailed
from ..extensions import db
from .models import User, UserRole

PASSWORD_METHOD = "scrypt"  # noqa: S105 (a hash algorithm name, not a password)
MIN_PASSWORD_LENGTH = 10
# Checked against when the email is unknown, so both failures cost the same time.
_DUMMY_HASH = generate_password_hash("timing-equaliser-not-a-password", method=PASSWORD_METHOD)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    # Stored lower-cased (a CHECK in the schema), so the unique index on email serves this.
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_METHOD)


def register_user(
    email: str,
    password: str,
    name: str,
    phone: str | None = None,
    role: UserRole = UserRole.CUSTOMER,
) -> User:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(_l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    if find_user_by_email(email) is not None:
        raise ValidationFailed(
            _l("An account with this email already exists. Log in or reset your password.")
        )
    user = User(
        email=normalise_email(email),
        password_hash=hash_password(password),
        name=name.strip(),
        phone=(phone or "").strip() or None,
        role=role,
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User:
    """One error for an unknown email, a wrong password and a disabled account."""
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        raise AuthError()
    if not check_password_hash(user.password_hash, password) or not user.is_active:
        raise AuthError()
    user.last_login_at = utcnow()
    return user


def end_sessions(user: User) -> None:
    """Every cookie issued before this point stops working."""
    user.session_version += 1


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not check_password_hash(user.password_hash, current_password):
        raise ValidationFailed(_l("Your current password is not correct."))
    if len(new_password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(_l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    user.password_hash = hash_password(new_password)
    end_sessions(user)


def set_active(user: User, active: bool) -> None:
    user.is_active_flag = active
    if not active:
        end_sessions(user)


def load_user(user_id: str) -> User | None:
    """Flask-Login loader: the cookie holds "<id>:<session_version>"."""
    raw_id, _, raw_version = user_id.partition(":")
    if not raw_id.isdigit() or not raw_version.isdigit():
        return None
    user = db.session.get(User, int(raw_id))
    if user is None or not user.is_active or user.session_version != int(raw_version):
        return None
    return user
