"""A producer's team: owners invite people by email, remove members and revoke invitations;
an invited person accepts with the emailed token.

Plain functions with explicit arguments; they flush, never commit, and raise DomainError.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..admin import audit
from ..auth.models import User, UserRole
from ..core.brand import SHOP
from ..errors import FieldError, NotFound, PermissionDenied, ValidationFailed
from ..mail import queue_email
from .models import Invitation, MemberRole, Producer, ProducerMember
from .scoping import ensure_own

INVITATION_VALID_DAYS = 14


def _token_hash(token: str) -> str:
    # Only the hash is stored: a leaked database row cannot be used to join a producer.
    return hashlib.sha256(token.encode()).hexdigest()


def _require_owner(producer: Producer, actor: ProducerMember) -> None:
    if actor.producer_id != producer.id or actor.role is not MemberRole.OWNER:
        raise PermissionDenied(_l("Only the producer's owners can manage the team."))


def invite_member(
    session: Session, producer: Producer, actor: ProducerMember, email: str, locale: str = "vi"
) -> tuple[Invitation, str]:
    """Create an invitation and email its link after the commit. Returns it and the raw token."""
    _require_owner(producer, actor)
    email = email.strip().lower()
    already = session.scalar(
        select(func.count())
        .select_from(ProducerMember)
        .join(User, User.id == ProducerMember.user_id)
        .where(ProducerMember.producer_id == producer.id, User.email == email)
    )
    if already:
        raise FieldError("email", _l("This person is already a member."))
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        producer_id=producer.id,
        email=email,
        token=_token_hash(token),
        invited_by_id=actor.user_id,
    )
    session.add(invitation)
    session.flush()
    audit.record(session, actor.user_id, "member.invite", producer, None, {"email": email})
    queue_email(
        email,
        _l("Join %(producer)s on %(shop)s", producer=producer.name, shop=SHOP),
        "dashboard_invitation",
        locale=locale,
        producer=producer,
        token=token,
        valid_days=INVITATION_VALID_DAYS,
    )
    return invitation, token


def find_open_invitation(session: Session, token: str, now: datetime) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    invitation = session.scalar(select(Invitation).where(Invitation.token == _token_hash(token)))
    if invitation is None or invitation.accepted_at is not None:
        return None
    if invitation.created_at < now - timedelta(days=INVITATION_VALID_DAYS):
        return None
    return invitation


def accept_invitation(session: Session, user: User, token: str, now: datetime) -> ProducerMember:
    invitation = find_open_invitation(session, token, now)
    if invitation is None:
        raise NotFound(_l("This invitation has expired or was already used."))
    if invitation.email.lower() != user.email.lower():
        raise PermissionDenied(
            _l("This invitation was sent to another email address. Log in with that address.")
        )
    if user.role is UserRole.ADMIN:
        raise PermissionDenied(
            _l("Shop administrators cannot run a producer. Use a separate account.")
        )
    existing = session.scalar(
        select(ProducerMember).where(
            ProducerMember.producer_id == invitation.producer_id,
            ProducerMember.user_id == user.id,
        )
    )
    invitation.accepted_at = now
    if existing is not None:
        session.flush()
        return existing
    membership = ProducerMember(
        producer_id=invitation.producer_id, user_id=user.id, role=MemberRole.MEMBER
    )
    session.add(membership)
    user.role = UserRole.PRODUCER
    session.flush()
    audit.record(
        session,
        user.id,
        "member.join",
        invitation.producer,
        None,
        {"email": user.email},
    )
    return membership


def revoke_invitation(
    session: Session, producer: Producer, actor: ProducerMember, invitation: Invitation
) -> None:
    _require_owner(producer, actor)
    ensure_own(producer, invitation.producer_id)
    session.delete(invitation)
    session.flush()
    audit.record(
        session, actor.user_id, "invitation.revoke", producer, {"email": invitation.email}, None
    )


def remove_member(
    session: Session, producer: Producer, actor: ProducerMember, member: ProducerMember
) -> None:
    _require_owner(producer, actor)
    ensure_own(producer, member.producer_id)
    if member.id == actor.id:
        raise ValidationFailed(_l("You cannot remove yourself. Ask another owner."))
    email = member.user.email
    session.delete(member)
    session.flush()
    audit.record(session, actor.user_id, "member.remove", producer, {"email": email}, None)
