"""Vouchers for the promotion tests, made through the service (as the dashboard and admin do)."""

from datetime import timedelta

from storefront.clock import utcnow
from storefront.extensions import db
from storefront.promotions import services
from storefront.promotions.services import VoucherTerms, utc_to_vn


def terms(**overrides) -> VoucherTerms:
    now_vn = utc_to_vn(utcnow())
    values = {
        "code": "OCOP10",
        "kind": "percent",
        "value": 10,
        "max_discount": 50_000,
        "min_order": 200_000,
        "scope": "shop",
        "scope_producer_id": None,
        "scope_group": None,
        "scope_stars": None,
        "product_ids": [],
        "starts_at": now_vn - timedelta(days=1),
        "ends_at": now_vn + timedelta(days=30),
        "total_uses": None,
        "per_buyer": None,
        "show_on_product": True,
    }
    values.update(overrides)
    return VoucherTerms(**values)


def voucher(producer_id=None, **overrides):
    made = services.create_voucher(db.session, terms(**overrides), producer_id, actor_id=None)
    db.session.flush()
    return made


def ocop10(**overrides):
    return voucher(**overrides)


def matong20k(producer, **overrides):
    values = {
        "code": "MATONG20K",
        "kind": "fixed",
        "value": 20_000,
        "max_discount": None,
        "min_order": 300_000,
    }
    values.update(overrides)
    return voucher(producer_id=producer.id, **values)
