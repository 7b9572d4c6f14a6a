from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def producer_required(view):
    """Logged in, with the producer role and at least one producer membership."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not (current_user.is_producer and current_user.memberships):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
