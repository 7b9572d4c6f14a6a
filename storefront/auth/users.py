"""Accounts an admin manages: enabling, disabling and promoting users.

Plain functions with explicit arguments; they flush, never commit, and raise DomainError.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ..admin import audit
from ..errors import InvalidTransition, ValidationFailed
from .models import User, UserRole
from .services import set_active

USER_FIELDS = ("is_active_flag", "role", "session_version")


def set_user_active(session: Session, user: User, active: bool, actor_id: int | None) -> None:
    """Disable or enable an account. Disabling ends the user's open sessions at once."""
    if not active and user.id == actor_id:
        raise ValidationFailed(_l("You cannot disable your own account."))
    if user.is_active_flag == active:
        raise InvalidTransition(
            _l("This account is already enabled.")
            if active
            else _l("This account is already disabled.")
        )
    before = audit.snapshot(user, *USER_FIELDS)
    set_active(user, active)
    session.flush()
    audit.record(
        session,
        actor_id,
        "user.enable" if active else "user.disable",
        user,
        before,
        audit.snapshot(user, *USER_FIELDS),
    )


def promote_to_admin(session: Session, user: User, actor_id: int | None) -> None:
    if user.role is UserRole.ADMIN:
        raise InvalidTransition(_l("This user is already an admin."))
    if not user.is_active_flag:
        raise ValidationFailed(_l("Enable the account before promoting it."))
    if user.role is UserRole.PRODUCER:
        # One role per account: promoting would take the producer dashboard away.
        raise ValidationFailed(
            _l("Producer accounts cannot become admins; use a separate admin account.")
        )
    before = audit.snapshot(user, *USER_FIELDS)
    user.role = UserRole.ADMIN
    session.flush()
    audit.record(
        session, actor_id, "user.promote_admin", user, before, audit.snapshot(user, *USER_FIELDS)
    )
