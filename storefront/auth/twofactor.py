"""TOTP second factor (RFC 6238, via pyotp) and one-time recovery codes.

A code is accepted for the current 30-second step and one step either side (clock drift),
and never twice: the last accepted step is stored and moved forward by a conditional UPDATE,
so two requests racing with the same code cannot both win.
"""

import hashlib
import hmac
import io
import secrets
import time

import pyotp
import segno
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update

from ..clock import utcnow
from ..errors import ValidationFailed
from ..extensions import db
from .models import RecoveryCode, User

# The session key naming the user whose second factor this browser has passed.
MFA_SESSION_KEY = "mfa_user"
RECOVERY_CODE_COUNT = 10
VALID_WINDOW = 1
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(
        name=user.email, issuer_name=current_app.config["SHOP_NAME_EN"]
    )


def qr_svg(uri: str) -> str:
    """The enrolment QR as inline SVG (no image request, nothing leaves the page)."""
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(
        buffer, kind="svg", scale=5, border=2, xmldecl=False, svgns=True, nl=False
    )
    return buffer.getvalue().decode()


def _matching_step(secret: str, code: str, at=None) -> int | None:
    """The time step whose code equals `code`, within the window; None if none does."""
    code = (code or "").strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = time.time() if at is None else at
    current = totp.timecode(now)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _claim_step(user: User, step: int) -> bool:
    """Record `step` as used, only if no later or equal step was used before."""
    result = db.session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    user.totp_last_step = step
    return True


def _hash_code(code: str) -> str:
    normalised = code.strip().lower().replace("-", "").replace(" ", "")
    return hashlib.sha256(normalised.encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(RecoveryCode.__table__.delete().where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash_code(raw)))
    return codes


WRONG_CODE = _l("That code is not right, or it was already used. Wait for the next code.")


def start_enrolment(user: User) -> str:
    """A fresh secret kept on the user until a code proves the app has it."""
    if user.totp_enabled:
        raise ValidationFailed(_l("The second factor is already on."))
    user.totp_secret = new_secret()
    user.totp_last_step = None
    return user.totp_secret


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Turn the second factor on; returns the recovery codes to show once."""
    if user.totp_enabled or not user.totp_secret:
        raise ValidationFailed(_l("Start the set-up again."))
    step = _matching_step(user.totp_secret, code)
    if step is None or not _claim_step(user, step):
        raise ValidationFailed(WRONG_CODE)
    user.totp_enabled_at = utcnow()
    return _new_recovery_codes(user)


def verify(user: User, code: str) -> bool:
    """A current authenticator code, or an unused recovery code (spent on success)."""
    if not user.totp_enabled or not user.totp_secret:
        return False
    code = (code or "").strip()
    if len(code) > 20:
        return False
    step = _matching_step(user.totp_secret, code)
    if step is not None:
        return _claim_step(user, step)
    recovery = db.session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_code(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if recovery is None:
        return False
    spent = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.id == recovery.id, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return spent.rowcount == 1


def require(user: User, code: str) -> None:
    if not verify(user, code):
        raise ValidationFailed(WRONG_CODE)


def regenerate_recovery_codes(user: User, code: str) -> list[str]:
    require(user, code)
    return _new_recovery_codes(user)


def disable(user: User, code: str) -> None:
    if user.is_admin:
        raise ValidationFailed(_l("Administrators must keep the second factor on."))
    require(user, code)
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(RecoveryCode.__table__.delete().where(RecoveryCode.user_id == user.id))


def unused_recovery_codes(user: User) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )
