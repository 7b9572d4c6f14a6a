from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..core.types import LabelledEnum, TimestampMixin, enum_column
from ..extensions import db


class UserRole(LabelledEnum):
    CUSTOMER = "customer", _l("Customer")
    PRODUCER = "producer", _l("Producer")
    ADMIN = "admin", _l("Administrator")


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"
    # Emails are stored lower-cased (auth.services.normalise_email), so a plain UNIQUE is
    # unique regardless of case; the CHECK keeps any other writer to that rule. (Was a
    # unique index on lower(email): SQLite cannot reflect expression indexes, so every
    # migration check on it warned and compared nothing.)
    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lower_case"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20))
    role: Mapped[UserRole] = mapped_column(enum_column(UserRole), default=UserRole.CUSTOMER)
    is_active_flag: Mapped[bool] = mapped_column("is_active", default=True)
    # Bumped on logout, password change and disabling: every cookie carrying an
    # older version stops working at once.
    session_version: Mapped[int] = mapped_column(default=1)
    last_login_at: Mapped[datetime | None]
    # Null until the owner follows the link sent to this address; claiming guest orders
    # placed with the address needs it.
    email_verified_at: Mapped[datetime | None]
    # When the person agreed to the privacy notice (Decree 13/2023/NĐ-CP) at sign-up.
    privacy_consent_at: Mapped[datetime | None]
    # Set when the account was deleted: the person's details are blanked, orders kept.
    deleted_at: Mapped[datetime | None]
    # TOTP second factor: the base32 secret is stored while enrolment is being confirmed
    # and stays once enabled; the last accepted time step refuses a code used twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None]

    memberships: Mapped[list["ProducerMember"]] = relationship(  # noqa: F821
        back_populates="user", cascade="all, delete-orphan"
    )
    addresses: Mapped[list["Address"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="Address.id"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login reads this
        return self.is_active_flag

    @property
    def is_admin(self) -> bool:
        return self.role is UserRole.ADMIN

    @property
    def is_producer(self) -> bool:
        return self.role is UserRole.PRODUCER

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def totp_enabled(self) -> bool:
        return self.totp_enabled_at is not None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


class Address(TimestampMixin, db.Model):
    """A saved delivery address: province, then ward (two tiers since July 2025)."""

    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    recipient_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(20))
    province_code: Mapped[int]
    ward_code: Mapped[int]
    street: Mapped[str] = mapped_column(String(255))
    is_default: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship(back_populates="addresses")


class SignIn(db.Model):
    """One successful sign-in, listed on the account page so a stranger's stands out."""

    __tablename__ = "sign_ins"
    __table_args__ = (Index("ix_sign_ins_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(255))
    with_second_factor: Mapped[bool] = mapped_column(default=False)


class RecoveryCode(db.Model):
    """A one-time code for when the authenticator app is lost. Only its hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]
