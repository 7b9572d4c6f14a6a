"""A cooperative's carrier accounts and shipping profile: refused input, replacing and
removing an account, and the profile's carrier and free-shipping threshold, each audited."""

import pytest
from flask import current_app
from sqlalchemy import func, select

from storefront.admin.models import AuditEvent
from storefront.errors import FieldError, NotFound, ValidationFailed
from storefront.extensions import db
from storefront.shipping import accounts
from storefront.shipping.models import CarrierAccount, ShippingProfile
from storefront.shipping.secrets import decrypt

from .helpers import cooperative


def _audited(action: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    )


def _save(producer, carrier, credentials):
    return accounts.save_account(
        db.session, producer, carrier, credentials, current_app.config, None
    )


def test_refused_credentials_store_nothing(app):
    membership, _ = cooperative(None)
    producer = membership.producer
    with pytest.raises(NotFound):
        _save(producer, "no-such-carrier", {"token": "x"})
    with pytest.raises(ValidationFailed):
        _save(producer, "ghn", {"token": "tok\x00en", "shop_id": "885"})
    with pytest.raises(ValidationFailed):
        _save(producer, "ghn", {"token": "x" * 501, "shop_id": "885"})
    with pytest.raises(FieldError) as missing:
        _save(producer, "ghn", {"token": "ghn-token", "shop_id": "  "})
    assert missing.value.field == "shop_id"
    assert db.session.scalar(select(func.count()).select_from(CarrierAccount)) == 0


def test_saving_again_replaces_the_credentials_and_keeps_the_webhook_secret(app):
    membership, _ = cooperative("ghn")
    first = db.session.scalar(select(CarrierAccount))
    secret = first.webhook_secret
    again = _save(membership.producer, "ghn", {"token": "new-token", "shop_id": "990"})
    assert again.id == first.id and again.webhook_secret == secret
    assert decrypt(current_app.config, again.credentials_encrypted) == {
        "shop_id": "990",
        "token": "new-token",
    }
    assert _audited("shipping.account_saved") == 2


def test_removing_an_account_is_audited_once(app):
    membership, _ = cooperative("ghtk")
    accounts.remove_account(db.session, membership.producer, "ghtk", None)
    accounts.remove_account(db.session, membership.producer, "ghtk", None)
    assert db.session.scalar(select(func.count()).select_from(CarrierAccount)) == 0
    assert _audited("shipping.account_removed") == 1


def test_the_profile_needs_an_account_and_a_sane_threshold(app):
    membership, _ = cooperative("ghn")
    producer = membership.producer
    with pytest.raises(FieldError) as no_account:
        accounts.save_profile(db.session, producer, "ghtk", None, None)
    assert no_account.value.field == "carrier"
    with pytest.raises(FieldError) as bad_threshold:
        accounts.save_profile(db.session, producer, "ghn", -1, None)
    assert bad_threshold.value.field == "free_threshold"

    accounts.save_profile(db.session, producer, "ghn", 300_000, None)
    profile = accounts.save_profile(db.session, producer, "ghn", None, None)
    assert db.session.scalar(select(func.count()).select_from(ShippingProfile)) == 1
    assert profile.free_shipping_threshold is None
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "shipping.profile_saved")
        .order_by(AuditEvent.id)
    ).all()
    assert len(events) == 2
    assert events[1].before["free_shipping_threshold"] == 300_000
