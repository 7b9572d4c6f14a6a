"""Every admin action writes one audit row, in the same transaction as the change."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from storefront.admin import audit
from storefront.catalogue import featuring
from storefront.clock import today_vn
from storefront.extensions import db
from storefront.models import (
    AuditEvent,
    CertificateStatus,
    PaymentMethod,
    PaymentStatus,
    ProducerStatus,
    SubOrderStatus,
)
from tests.admin.factories_admin import make_order
from tests.factories import (
    CertificateFactory,
    ProducerFactory,
    ProductFactory,
    UserFactory,
)


@dataclass
class Case:
    action: str
    object_type: str
    setup: Callable  # () -> (object, url, form data)
    changed: Callable  # (object) -> bool, read after the request


def _certified(**kwargs):
    product = ProductFactory(**kwargs)
    CertificateFactory(product=product)
    return product


def _featured():
    product = _certified()
    product.featured, product.featured_position = True, 1
    return product


def _lapsed():
    from storefront.clock import today_vn

    product = ProductFactory(featured=True, featured_position=1)
    CertificateFactory(
        product=product,
        signed_on=today_vn() - timedelta(days=1200),
        valid_until=today_vn() - timedelta(days=1),
    )
    return product


def _two_featured():
    first = _featured()
    second = _certified(group=first.group)
    second.featured, second.featured_position = True, 2
    return second


def _paid_order():
    return make_order(
        [(ProductFactory(), 2)], method=PaymentMethod.BANK_TRANSFER, status=PaymentStatus.PAID
    )


CASES = [
    Case(
        "producer.approve",
        "producer",
        lambda: (
            p := ProducerFactory(status=ProducerStatus.PENDING),
            f"/admin/producers/{p.id}/status",
            {"status": "approved"},
        ),
        lambda p: p.status is ProducerStatus.APPROVED,
    ),
    Case(
        "producer.suspend",
        "producer",
        lambda: (
            p := ProducerFactory(),
            f"/admin/producers/{p.id}/status",
            {"status": "suspended", "reason": "Giấy phép hết hạn"},
        ),
        lambda p: p.status is ProducerStatus.SUSPENDED,
    ),
    Case(
        "producer.update",
        "producer",
        lambda: (
            p := ProducerFactory(),
            f"/admin/producers/{p.id}/edit",
            {"name": "HTX Mới", "kind": "cooperative", "commission_percent": "6.5"},
        ),
        lambda p: p.name == "HTX Mới" and p.commission_rate_bp == 650,
    ),
    Case(
        "certificate.verify",
        "certificate",
        lambda: (
            c := CertificateFactory(status=CertificateStatus.PENDING),
            f"/admin/certificates/{c.id}/verify",
            {},
        ),
        lambda c: c.status is CertificateStatus.VERIFIED,
    ),
    Case(
        "certificate.reject",
        "certificate",
        lambda: (
            c := CertificateFactory(status=CertificateStatus.PENDING),
            f"/admin/certificates/{c.id}/reject",
            {"reason": "Sai số quyết định"},
        ),
        lambda c: c.status is CertificateStatus.REJECTED,
    ),
    Case(
        "product.feature",
        "product",
        lambda: (p := _certified(), "/admin/featured", {"product_id": p.id}),
        lambda p: p.featured,
    ),
    Case(
        "product.unfeature",
        "product",
        lambda: (p := _featured(), f"/admin/featured/{p.id}/remove", {}),
        lambda p: not p.featured,
    ),
    Case(
        "product.move_featured",
        "product",
        lambda: (p := _two_featured(), f"/admin/featured/{p.id}/move", {"direction": "up"}),
        lambda p: p.featured_position == 1,
    ),
    Case(
        "product.unfeature_lapsed",
        "product",
        lambda: (_lapsed(), "/admin/featured/unfeature-lapsed", {}),
        lambda p: not p.featured,
    ),
    Case(
        "order.confirm_bank_transfer",
        "order",
        lambda: (
            o := make_order([(ProductFactory(), 1)], method=PaymentMethod.BANK_TRANSFER),
            f"/admin/orders/{o.id}/confirm-transfer",
            {},
        ),
        lambda o: o.payment_status is PaymentStatus.PAID,
    ),
    Case(
        "order.resend_emails",
        "order",
        lambda: (
            o := make_order([(ProductFactory(), 1)]),
            f"/admin/orders/{o.id}/resend-emails",
            {"audience": "buyer"},
        ),
        lambda o: True,
    ),
    Case(
        "sub_order.cancel",
        "producer_order",
        lambda: (
            o := make_order([(ProductFactory(), 1)]),
            f"/admin/orders/{o.id}/sub-orders/{o.sub_orders[0].id}/cancel",
            {f"c{o.sub_orders[0].id}-reason": "Hết hàng"},
        ),
        lambda o: o.status is SubOrderStatus.CANCELLED,
    ),
    Case(
        "sub_order.refund",
        "producer_order",
        lambda: (
            o := _paid_order(),
            f"/admin/orders/{o.id}/sub-orders/{o.sub_orders[0].id}/refund",
            {
                f"r{o.sub_orders[0].id}-amount": "10000",
                f"r{o.sub_orders[0].id}-reason": "Hũ bị vỡ",
                f"r{o.sub_orders[0].id}-idempotency_key": "audit-test-key",
                f"r{o.sub_orders[0].id}-bank_reference": "FT-AUDIT-1",
                f"r{o.sub_orders[0].id}-paid_on": today_vn().isoformat(),
            },
        ),
        lambda o: o.refunded_amount == 10_000,
    ),
    Case(
        "payout.record",
        "payout",
        lambda: (
            p := ProducerFactory(),
            f"/admin/payouts/{p.id}",
            {"amount": "500000", "bank_reference": "VCB-123456"},
        ),
        lambda p: True,
    ),
    Case(
        "user.disable",
        "user",
        lambda: (u := UserFactory(), f"/admin/users/{u.id}/active", {"active": "0"}),
        lambda u: not u.is_active,
    ),
    Case(
        "user.enable",
        "user",
        lambda: (
            u := UserFactory(is_active_flag=False),
            f"/admin/users/{u.id}/active",
            {"active": "1"},
        ),
        lambda u: u.is_active,
    ),
    Case(
        "user.promote_admin",
        "user",
        lambda: (u := UserFactory(), f"/admin/users/{u.id}/promote", {}),
        lambda u: u.is_admin,
    ),
]


def _subject(obj, case):
    """The object the audit row is about (a sub-order for sub-order actions)."""
    if case.object_type == "producer_order":
        return obj.sub_orders[0]
    return obj


@pytest.mark.parametrize("case", CASES, ids=[c.action for c in CASES])
def test_every_admin_action_writes_one_audit_row(admin_client, admin, case):
    obj, url, data = case.setup()
    db.session.commit()
    subject = _subject(obj, case)
    response = admin_client.post(url, data=data)
    assert response.status_code == 303, response.data[:800]

    db.session.expire_all()
    events = db.session.scalars(select(AuditEvent)).all()
    assert [e.action for e in events] == [case.action]
    event = events[0]
    assert event.actor_id == admin.id
    assert event.created_at is not None
    if case.object_type == "payout":
        assert event.object_type == "payout"
        assert event.after["producer_id"] == subject.id
    else:
        assert event.object_type == case.object_type
        assert event.object_id == str(subject.id)
        assert case.changed(db.session.get(type(subject), subject.id))
    assert event.after
    if case.action != "order.resend_emails":
        assert event.before is not None
        assert event.before != event.after


@pytest.mark.parametrize("case", CASES, ids=[c.action for c in CASES])
def test_a_refused_action_leaves_no_audit_row(admin_client, app, case, monkeypatch):
    """If the change fails, its audit row goes with it: nothing half-recorded."""
    obj, url, data = case.setup()
    db.session.commit()

    def broken(*args, **kwargs):
        from storefront.errors import ValidationFailed

        raise ValidationFailed("boom")

    # Fail after the audit row was added, at the very end of the action.
    monkeypatch.setattr(audit, "record", _then(audit.record, broken))
    response = admin_client.post(url, data=data)
    assert response.status_code in (303, 422)
    db.session.expire_all()
    assert db.session.scalars(select(AuditEvent)).all() == []


def _then(first, second):
    def run(*args, **kwargs):
        first(*args, **kwargs)
        second()

    return run


def test_snapshot_is_plain_json(app):
    product = ProductFactory()
    snap = audit.snapshot(product, "status", "created_at", "price")
    assert snap["status"] == "active"
    assert isinstance(snap["created_at"], str)
    assert snap["price"] == 250_000


def test_audit_log_page_filters(admin_client, admin):
    product = _certified()
    db.session.commit()
    featuring.feature_product(
        db.session, product, admin.id, product.certificates[0].signed_on + timedelta(days=1)
    )
    db.session.commit()
    html = admin_client.get("/admin/audit?type=product").get_data(as_text=True)
    assert "product.feature" in html and admin.email in html
    rows = html.split("<tbody>")[1]
    # Words, the object's name with a link to its page, no codes.
    assert "Featured the product" in rows or "Đưa sản phẩm lên nổi bật" in rows
    assert f'href="/products/{product.slug}">{product.name}</a>' in rows
    assert "product.feature" not in rows and f"product #{product.id}" not in rows
    assert "featured_position" not in rows
    html = admin_client.get("/admin/audit?type=user").get_data(as_text=True)
    assert "product.feature" not in html.split("<tbody>")[1]
