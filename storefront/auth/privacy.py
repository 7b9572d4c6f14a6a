"""Personal data (Decree 13/2023/NĐ-CP): a person can take their data with them, and can
have their account deleted. Deletion blanks the person; their orders stay, because the
shop must keep its accounting records (and the cooperatives their sales)."""

import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from werkzeug.security import check_password_hash

from ..clock import utcnow
from ..errors import ValidationFailed
from ..extensions import db
from ..orders.ownership import orders_for_export
from ..reviews.models import Review
from ..wishlist.models import StockAlert, WishlistItem
from . import services
from .models import Address, RecoveryCode, SignIn, User


def _iso(value):
    return value.isoformat() if value is not None else None


def export(user: User) -> dict:
    """Everything the shop holds about the person, as JSON-ready data."""
    addresses = db.session.scalars(
        select(Address).where(Address.user_id == user.id).order_by(Address.id)
    ).all()
    sign_ins = services.recent_sign_ins(user, limit=100)
    return {
        "profile": {
            "name": user.name,
            "email": user.email,
            "email_verified_at": _iso(user.email_verified_at),
            "phone": user.phone,
            "role": user.role.value,
            "created_at": _iso(user.created_at),
            "privacy_consent_at": _iso(user.privacy_consent_at),
            "second_factor_enabled": user.totp_enabled,
        },
        "addresses": [
            {
                "recipient_name": a.recipient_name,
                "phone": a.phone,
                "province_code": a.province_code,
                "ward_code": a.ward_code,
                "street": a.street,
                "is_default": a.is_default,
            }
            for a in addresses
        ],
        "sign_ins": [
            {
                "at": _iso(s.created_at),
                "ip_address": s.ip_address,
                "user_agent": s.user_agent,
            }
            for s in sign_ins
        ],
        "orders": orders_for_export(db.session, user.id),
        "reviews": [
            {
                "product": r.product.name,
                "stars": r.stars,
                "text": r.body,
                "shown_as": r.author_name,
                "written_at": _iso(r.created_at),
                "cooperative_reply": r.reply,
            }
            for r in db.session.scalars(
                select(Review).where(Review.user_id == user.id).order_by(Review.id)
            )
        ],
        "wishlist": [
            {"product": w.product.name, "added_at": _iso(w.created_at)}
            for w in db.session.scalars(
                select(WishlistItem)
                .where(WishlistItem.user_id == user.id)
                .order_by(WishlistItem.id)
            )
        ],
        "stock_alerts": [
            {"product": a.product.name, "email": a.email, "status": a.status.value}
            for a in db.session.scalars(
                select(StockAlert).where(StockAlert.user_id == user.id).order_by(StockAlert.id)
            )
        ],
    }


def delete_account(user: User, password: str) -> None:
    """Anonymise the person. Their orders keep the delivery details printed on the invoice."""
    if not check_password_hash(user.password_hash, password):
        raise ValidationFailed(_l("Your current password is not correct."))
    if user.is_admin:
        raise ValidationFailed(
            _l("An administrator account cannot delete itself; ask another administrator.")
        )
    db.session.execute(delete(Address).where(Address.user_id == user.id))
    db.session.execute(delete(SignIn).where(SignIn.user_id == user.id))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(WishlistItem).where(WishlistItem.user_id == user.id))
    db.session.execute(delete(StockAlert).where(StockAlert.user_id == user.id))
    # Published reviews stay (other buyers relied on them) but no longer name the person.
    db.session.execute(
        update(Review).where(Review.user_id == user.id).values(author_name="—", user_id=None)
    )
    user.email = f"deleted-{user.id}@deleted.invalid"
    user.name = "—"
    user.phone = None
    # Nobody knows this password: the account can never be entered again.
    user.password_hash = services.hash_password(secrets.token_urlsafe(32))
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.email_verified_at = None
    user.is_active_flag = False
    user.deleted_at = utcnow()
    services.end_sessions(user)
