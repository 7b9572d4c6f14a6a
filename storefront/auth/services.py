"""Accounts: plain functions, the caller commits."""

import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from ..clock import utcnow
from ..core.brand import SHOP
from ..errors import AuthError, ValidationFailed
from ..extensions import db
from ..mail import queue_email
from ..orders.ownership import claim_guest_orders
from . import passwords, tokens
from .models import SignIn, User, UserRole
from .tokens import Links

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


TOO_COMMON = _l("This password is one of the most common and easy to guess. Choose another.")


def check_new_password(password: str) -> None:
    """The one rule every new password meets (sign-up, change, reset)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(_l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    if passwords.is_common(password):
        raise ValidationFailed(TOO_COMMON)


def register_user(
    email: str,
    password: str,
    name: str,
    phone: str | None = None,
    role: UserRole = UserRole.CUSTOMER,
    consented: bool = False,
) -> User:
    check_new_password(password)
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
        privacy_consent_at=utcnow() if consented else None,
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
    return user


def record_sign_in(
    user: User, ip_address: str | None, user_agent: str | None, second_factor: bool
) -> None:
    """Called once the person is fully signed in (after the second factor, if any)."""
    user.last_login_at = utcnow()
    db.session.add(
        SignIn(
            user_id=user.id,
            ip_address=clean_text(ip_address or "", 45) or None,
            user_agent=clean_text(user_agent or "", 255) or None,
            with_second_factor=second_factor,
        )
    )
    if user.email_verified:
        # A guest order placed since with the proven address joins the account too.
        claim_guest_orders(db.session, user.id, user.email)


def recent_sign_ins(user: User, limit: int = 10) -> list[SignIn]:
    return list(
        db.session.scalars(
            select(SignIn)
            .where(SignIn.user_id == user.id)
            .order_by(SignIn.created_at.desc(), SignIn.id.desc())
            .limit(limit)
        )
    )


def clean_text(value: str, max_length: int) -> str:
    """Headers are attacker-chosen: no control characters, bounded length."""
    return "".join(ch for ch in value if ch.isprintable())[:max_length]


# ------------------------------------------------------------------ password reset


def request_password_reset(email: str, links: Links, locale: str) -> None:
    """Email a reset link if the address belongs to an active account. The caller shows the
    same answer either way, so the form does not reveal who has an account."""
    user = find_user_by_email(email)
    if user is None or not user.is_active or user.deleted_at is not None:
        return
    token = tokens.make(
        tokens.PURPOSE_RESET, {"uid": user.id, "fp": tokens.reset_fingerprint(user)}
    )
    queue_email(
        user.email,
        _l("Reset your %(shop)s password", shop=SHOP),
        "password_reset",
        locale=locale,
        user=user,
        reset_url=links.to("auth.reset_password", token=token),
        minutes=tokens.RESET_MAX_AGE // 60,
    )


INVALID_RESET_LINK = _l(
    "This reset link is not valid or was already used. Ask for a new one below."
)
EXPIRED_RESET_LINK = _l("This reset link has expired (links last one hour). Ask for a new one.")


def _user_for_token(
    purpose: str, token: str, max_age: int, fingerprint, invalid, expired
) -> tuple[User, dict]:
    """The active user a signed link was made for, while the state it was made for (its
    fingerprint: password, or email) still holds; else the link's own clear message."""
    try:
        payload = tokens.read(purpose, token, max_age)
    except tokens.TokenExpired as error:
        raise ValidationFailed(expired) from error
    except tokens.TokenInvalid as error:
        raise ValidationFailed(invalid) from error
    user = db.session.get(User, payload["uid"])
    if (
        user is None
        or not user.is_active
        or not secrets.compare_digest(str(payload.get("fp", "")), fingerprint(user))
    ):
        raise ValidationFailed(invalid)
    return user, payload


def user_for_reset_token(token: str) -> User:
    user, _payload = _user_for_token(
        tokens.PURPOSE_RESET,
        token,
        tokens.RESET_MAX_AGE,
        tokens.reset_fingerprint,
        INVALID_RESET_LINK,
        EXPIRED_RESET_LINK,
    )
    return user


def reset_password(token: str, new_password: str) -> User:
    """Set the new password; the token, and every session, stop working at once."""
    user = user_for_reset_token(token)
    check_new_password(new_password)
    new_hash = hash_password(new_password)
    # Conditional on the state the token was made for: of two racing uses, one wins.
    result = db.session.execute(
        update(User)
        .where(
            User.id == user.id,
            User.password_hash == user.password_hash,
            User.session_version == user.session_version,
        )
        .values(password_hash=new_hash, session_version=User.session_version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise ValidationFailed(INVALID_RESET_LINK)
    db.session.refresh(user)
    if user.email_verified_at is None:
        # Following a link sent to the address proves it as well as a verification would.
        mark_email_verified(user)
    return user


# ------------------------------------------------------------------ email verification


def send_email_verification(user: User, links: Links, locale: str) -> None:
    if user.email_verified:
        return
    token = tokens.make(
        tokens.PURPOSE_VERIFY, {"uid": user.id, "fp": tokens.email_fingerprint(user)}
    )
    queue_email(
        user.email,
        _l("Confirm your email address"),
        "verify_email",
        locale=locale,
        user=user,
        verify_url=links.to("auth.verify_email", token=token),
    )


INVALID_EMAIL_LINK = _l("This confirmation link is not valid or was already used.")
EXPIRED_EMAIL_LINK = _l("This confirmation link has expired. Send a new one from your account.")


def _read_email_token(purpose: str, token: str) -> tuple[User, dict]:
    return _user_for_token(
        purpose,
        token,
        tokens.VERIFY_MAX_AGE,
        tokens.email_fingerprint,
        INVALID_EMAIL_LINK,
        EXPIRED_EMAIL_LINK,
    )


def mark_email_verified(user: User) -> int:
    """The address is proven: returns how many guest orders joined the account."""
    user.email_verified_at = utcnow()
    return claim_guest_orders(db.session, user.id, user.email)


def verify_email(token: str) -> tuple[User, int]:
    user, _payload = _read_email_token(tokens.PURPOSE_VERIFY, token)
    return user, mark_email_verified(user)


def request_email_change(
    user: User, password: str, new_email: str, links: Links, locale: str
) -> None:
    if not check_password_hash(user.password_hash, password):
        raise ValidationFailed(_l("Your current password is not correct."))
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise ValidationFailed(_l("That is already your email address."))
    if find_user_by_email(new_email) is not None:
        raise ValidationFailed(_l("Another account already uses this email address."))
    token = tokens.make(
        tokens.PURPOSE_CHANGE,
        {"uid": user.id, "fp": tokens.email_fingerprint(user), "new": new_email},
    )
    queue_email(
        new_email,
        _l("Confirm your new email address"),
        "email_change",
        locale=locale,
        user=user,
        new_email=new_email,
        confirm_url=links.to("auth.confirm_email_change", token=token),
    )


def confirm_email_change(token: str, locale: str) -> tuple[User, int]:
    user, payload = _read_email_token(tokens.PURPOSE_CHANGE, token)
    new_email = normalise_email(str(payload.get("new", "")))
    if not new_email or len(new_email) > 254:
        raise ValidationFailed(INVALID_EMAIL_LINK)
    if find_user_by_email(new_email) is not None:
        raise ValidationFailed(_l("Another account already uses this email address."))
    old_email = user.email
    user.email = new_email
    claimed = mark_email_verified(user)
    db.session.flush()
    queue_email(
        old_email,
        _l("Your %(shop)s email address was changed", shop=SHOP),
        "email_changed_notice",
        locale=locale,
        user=user,
        new_email=new_email,
    )
    return user, claimed


def end_sessions(user: User) -> None:
    """Every cookie issued before this point stops working."""
    user.session_version += 1


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not check_password_hash(user.password_hash, current_password):
        raise ValidationFailed(_l("Your current password is not correct."))
    check_new_password(new_password)
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
