"""A cooperative's carrier accounts and shipping choices, as its members set them."""

import secrets as token_source
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete
from sqlalchemy.orm import Session

from ..admin import audit
from ..clock import utcnow
from ..core.validators import DB_INT_MAX
from ..errors import FieldError, NotFound, ValidationFailed
from ..producers.models import Producer
from . import carriers
from .models import CarrierAccount, ShippingProfile
from .quotes import accounts_of, profile_of
from .secrets import encrypt

MAX_CREDENTIAL_LENGTH = 500


def _clean(value) -> str:
    text = (value or "").strip()
    if len(text) > MAX_CREDENTIAL_LENGTH or any(not ch.isprintable() for ch in text):
        raise ValidationFailed(_l("A credential is too long or holds characters it cannot hold."))
    return text


def save_account(
    session: Session,
    producer: Producer,
    carrier: str,
    credentials: dict,
    config,
    actor_id: int | None,
    now: datetime | None = None,
) -> CarrierAccount:
    """Store (or replace) the cooperative's credentials for one carrier, encrypted."""
    module = carriers.MODULES.get(carrier)
    if module is None:
        raise NotFound()
    values = {}
    for name in module.CREDENTIAL_FIELDS:
        values[name] = _clean(credentials.get(name))
        if not values[name] and carriers.REQUIRED_CREDENTIALS.get(name, True):
            raise FieldError(name, _l("This field is required."))
    account = accounts_of(session, producer.id).get(carrier)
    created = account is None
    if created:
        account = CarrierAccount(
            producer_id=producer.id,
            carrier=carrier,
            webhook_secret=token_source.token_urlsafe(32),
        )
        session.add(account)
    account.credentials_encrypted = encrypt(config, values) if values else ""
    account.updated_at = now or utcnow()
    session.flush()
    # The audit keeps which fields were set, never their values.
    audit.record(
        session,
        actor_id,
        "shipping.account_saved",
        producer,
        None,
        {"carrier": carrier, "fields": sorted(k for k, v in values.items() if v), "new": created},
    )
    return account


def remove_account(session: Session, producer: Producer, carrier: str, actor_id) -> None:
    result = session.execute(
        delete(CarrierAccount).where(
            CarrierAccount.producer_id == producer.id, CarrierAccount.carrier == carrier
        )
    )
    if result.rowcount:
        audit.record(
            session, actor_id, "shipping.account_removed", producer, None, {"carrier": carrier}
        )


def save_profile(
    session: Session,
    producer: Producer,
    carrier: str,
    free_threshold: int | None,
    actor_id: int | None,
) -> ShippingProfile:
    if carrier not in accounts_of(session, producer.id):
        raise FieldError("carrier", _l("Add an account with this carrier first."))
    if free_threshold is not None and not 0 <= free_threshold <= DB_INT_MAX:
        raise FieldError("free_threshold", _l("Enter an amount in đồng, or leave it empty."))
    profile = profile_of(session, producer.id)
    before = None
    if profile is None:
        profile = ShippingProfile(producer_id=producer.id)
        session.add(profile)
    else:
        before = audit.snapshot(profile, "carrier", "free_shipping_threshold")
    profile.carrier = carrier
    profile.free_shipping_threshold = free_threshold
    session.flush()
    audit.record(
        session,
        actor_id,
        "shipping.profile_saved",
        producer,
        before,
        audit.snapshot(profile, "carrier", "free_shipping_threshold"),
    )
    return profile
