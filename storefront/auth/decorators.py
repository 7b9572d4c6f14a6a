from functools import wraps

from flask import abort, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_login.config import EXEMPT_METHODS

from .twofactor import MFA_SESSION_KEY


def _exempt() -> bool:
    """OPTIONS is answered by Flask itself and reveals nothing; login_required lets it through,
    and so must the role checks (an anonymous user has no roles to read)."""
    return request.method in EXEMPT_METHODS


def producer_required(view):
    """Logged in, with the producer role and at least one producer membership."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if _exempt():
            return view(*args, **kwargs)
        if not (current_user.is_producer and current_user.memberships):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if _exempt():
            return view(*args, **kwargs)
        if not current_user.is_admin:
            abort(403)
        # Administrators must use a second factor, and this browser must have passed it.
        if not current_user.totp_enabled:
            flash(
                _("Administrators must turn on the second factor before using admin pages."),
                "warning",
            )
            return redirect(url_for("account.two_factor", next=request.full_path), code=303)
        if session.get(MFA_SESSION_KEY) != current_user.id:
            return redirect(url_for("auth.second_factor", next=request.full_path), code=303)
        return view(*args, **kwargs)

    return wrapped
