"""Signed links sent by email: password reset, email verification, email change.

Each token is signed with the app's secret and a purpose of its own (a verification link
cannot reset a password) and carries a fingerprint of the state it may change, so it dies
as soon as it has been used: a reset token names the password hash and session version it
replaces, an email token the address it moves from.
"""

import hashlib
from dataclasses import dataclass

from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from .models import User

RESET_MAX_AGE = 60 * 60  # one hour
VERIFY_MAX_AGE = 60 * 60 * 24 * 3  # three days: people read mail late

PURPOSE_RESET = "password-reset"
PURPOSE_VERIFY = "email-verify"
PURPOSE_CHANGE = "email-change"


class TokenInvalid(Exception):
    """Tampered, for another purpose, or already used."""


class TokenExpired(TokenInvalid):
    pass


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"storefront.{purpose}")


def _fingerprint(*parts) -> str:
    joined = "\x1f".join(str(part) for part in parts)
    return hashlib.sha256(joined.encode()).hexdigest()[:24]


def reset_fingerprint(user: User) -> str:
    return _fingerprint(user.password_hash, user.session_version)


def email_fingerprint(user: User) -> str:
    return _fingerprint(user.email, user.email_verified_at)


def make(purpose: str, payload: dict) -> str:
    return _serializer(purpose).dumps(payload)


def read(purpose: str, token: str, max_age: int) -> dict:
    if not token or len(token) > 1000:
        raise TokenInvalid()
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise TokenExpired() from error
    except BadSignature as error:
        raise TokenInvalid() from error
    if not isinstance(payload, dict) or not isinstance(payload.get("uid"), int):
        raise TokenInvalid()
    return payload


@dataclass(frozen=True)
class Links:
    """Absolute links for emails, always from PUBLIC_BASE_URL: a request's Host header is
    chosen by whoever sends it, and a reset link pointing at their host would leak the token."""

    base: str

    @classmethod
    def from_config(cls, config) -> "Links":
        return cls(config["PUBLIC_BASE_URL"].rstrip("/"))

    def to(self, endpoint: str, **values) -> str:
        return self.base + url_for(endpoint, _external=False, **values)
