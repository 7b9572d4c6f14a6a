"""The address book: a person's saved delivery addresses, one of them the default."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ..core import places
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from .models import Address, User

MAX_ADDRESSES = 20


@dataclass(frozen=True)
class AddressDetails:
    recipient_name: str
    phone: str
    province_code: int
    ward_code: int
    street: str


def list_for(user: User) -> list[Address]:
    return list(
        db.session.scalars(
            select(Address)
            .where(Address.user_id == user.id)
            .order_by(Address.is_default.desc(), Address.id)
        )
    )


def get_own(user: User, address_id: int) -> Address:
    """Another person's address is simply not found."""
    address = db.session.scalar(
        select(Address).where(Address.id == address_id, Address.user_id == user.id)
    )
    if address is None:
        raise NotFound()
    return address


def _check(details: AddressDetails) -> None:
    if not places.is_valid_place(details.province_code, details.ward_code):
        raise ValidationFailed(_l("This ward is not in the chosen province; choose again."))
    if not details.recipient_name.strip() or not details.street.strip():
        raise ValidationFailed(_l("Please check the values you entered."))


def _apply(address: Address, details: AddressDetails) -> None:
    address.recipient_name = details.recipient_name.strip()
    address.phone = details.phone.strip()
    address.province_code = details.province_code
    address.ward_code = details.ward_code
    address.street = details.street.strip()


def add(user: User, details: AddressDetails, make_default: bool) -> Address:
    _check(details)
    existing = list_for(user)
    if len(existing) >= MAX_ADDRESSES:
        raise ValidationFailed(
            _l("You can keep up to %(n)d addresses. Delete one first.", n=MAX_ADDRESSES)
        )
    address = Address(user_id=user.id, is_default=False)
    _apply(address, details)
    db.session.add(address)
    db.session.flush()
    if make_default or not existing:
        set_default(user, address.id)
    return address


def edit(user: User, address_id: int, details: AddressDetails, make_default: bool) -> Address:
    _check(details)
    address = get_own(user, address_id)
    _apply(address, details)
    if make_default:
        set_default(user, address.id)
    return address


def remove(user: User, address_id: int) -> None:
    address = get_own(user, address_id)
    was_default = address.is_default
    db.session.delete(address)
    db.session.flush()
    if was_default:
        # The oldest remaining address takes over, so there is always a default.
        remaining = list_for(user)
        if remaining:
            set_default(user, remaining[0].id)


def set_default(user: User, address_id: int) -> None:
    get_own(user, address_id)
    db.session.execute(
        update(Address)
        .where(Address.user_id == user.id)
        .values(is_default=(Address.id == address_id))
        .execution_options(synchronize_session="fetch")
    )
