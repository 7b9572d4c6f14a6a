"""Producer review, editing and commission rate."""

import pytest

from storefront.catalogue.queries import ProductFilters, home_page, search_products
from storefront.clock import today_vn
from storefront.errors import InvalidTransition, ValidationFailed
from storefront.extensions import db
from storefront.mail import outbox
from storefront.models import ProducerKind, ProducerStatus
from storefront.producers import lifecycle
from tests.factories import (
    CertificateFactory,
    ProducerFactory,
    ProducerMemberFactory,
    ProductFactory,
)


def test_pending_applications_are_listed_first(admin_client, app):
    ProducerFactory(name="HTX Đã duyệt")
    ProducerFactory(name="HTX Chờ duyệt", status=ProducerStatus.PENDING)
    db.session.commit()
    html = admin_client.get("/admin/producers").get_data(as_text=True)
    assert html.index("HTX Chờ duyệt") < html.index("HTX Đã duyệt")
    pending_only = admin_client.get("/admin/producers?status=pending").get_data(as_text=True)
    assert "HTX Đã duyệt" not in pending_only


def test_approve_then_suspend_hides_products_from_the_storefront(admin_client, app):
    producer = ProducerFactory(status=ProducerStatus.PENDING, contact_email="htx@example.vn")
    product = ProductFactory(producer=producer, name="Mật ong bạc hà Mèo Vạc")
    CertificateFactory(product=product)
    db.session.commit()
    assert "Mèo Vạc" not in admin_client.get("/products").get_data(as_text=True)

    admin_client.post(f"/admin/producers/{producer.id}/status", data={"status": "approved"})
    db.session.refresh(producer)
    assert producer.status is ProducerStatus.APPROVED
    assert "Mèo Vạc" in admin_client.get("/products").get_data(as_text=True)
    assert outbox()[-1]["To"] == "htx@example.vn"

    product.featured, product.featured_position = True, 1
    db.session.commit()
    response = admin_client.post(
        f"/admin/producers/{producer.id}/status", data={"status": "suspended"}
    )
    assert response.status_code == 422  # a suspension needs a reason
    response = admin_client.post(
        f"/admin/producers/{producer.id}/status",
        data={"status": "suspended", "reason": "Bán hàng không rõ nguồn gốc"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert producer.status is ProducerStatus.SUSPENDED
    assert product.featured is False
    assert "Mèo Vạc" not in admin_client.get("/products").get_data(as_text=True)
    assert home_page(today_vn()).featured == []
    assert "Bán hàng không rõ nguồn gốc" in outbox()[-1].get_content()


def test_status_machine(app, admin):
    producer = ProducerFactory()
    with pytest.raises(InvalidTransition):
        lifecycle.set_producer_status(db.session, producer, ProducerStatus.APPROVED, admin.id)
    with pytest.raises(InvalidTransition):
        lifecycle.set_producer_status(db.session, producer, ProducerStatus.PENDING, admin.id)


def test_detail_shows_members_and_products(admin_client, app):
    member = ProducerMemberFactory(user__name="Giàng Thị Mai")
    ProductFactory(producer=member.producer, name="Khăn lanh thổ cẩm")
    db.session.commit()
    html = admin_client.get(f"/admin/producers/{member.producer.id}").get_data(as_text=True)
    assert "Giàng Thị Mai" in html and member.user.email in html
    assert "Khăn lanh thổ cẩm" in html


def test_edit_producer_and_commission_rate(admin_client, app):
    producer = ProducerFactory(name="HTX Cũ")
    product = ProductFactory(producer=producer)
    db.session.commit()
    response = admin_client.post(
        f"/admin/producers/{producer.id}/edit",
        data={
            "name": "HTX Mật ong Sủng Là",
            "kind": "enterprise",
            "province_code": "8",
            "ward_code": "721",
            "commission_percent": "7.25",
            "contact_email": "SungLa@Example.vn",
            "bank_account": "0123456789",
        },
    )
    assert response.status_code == 303, response.data[:1000]
    db.session.expire_all()
    assert producer.name == "HTX Mật ong Sủng Là"
    assert producer.kind is ProducerKind.ENTERPRISE
    assert producer.commission_rate_bp == 725
    assert producer.contact_email == "sungla@example.vn"
    # The product is found by its producer's new name (the database re-indexes it).
    found = search_products(ProductFilters(q="sung la"), today_vn(), with_facets=False)
    assert product.id in found.ids

    response = admin_client.post(
        f"/admin/producers/{producer.id}/edit",
        data={"name": "HTX Mật ong Sủng Là", "kind": "enterprise", "commission_percent": ""},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert producer.commission_rate_bp is None  # back to the shop-wide rate


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "kind": "cooperative"}, b"name"),
        ({"name": "HTX", "kind": "cooperative", "commission_percent": "120"}, b"100"),
        ({"name": "HTX", "kind": "cooperative", "province_code": "8", "ward_code": "1"}, b"ward"),
        ({"name": "HTX", "kind": "spaceship"}, b"kind"),
    ],
)
def test_edit_errors_keep_the_input(admin_client, app, data, message):
    producer = ProducerFactory(name="HTX Giữ nguyên")
    db.session.commit()
    admin_client.set_cookie("lang", "en")
    response = admin_client.post(f"/admin/producers/{producer.id}/edit", data=data)
    assert response.status_code == 422
    assert message in response.data
    db.session.refresh(producer)
    assert producer.name == "HTX Giữ nguyên"


def test_update_service_records_only_what_changed(app, admin):
    from storefront.models import AuditEvent

    producer = ProducerFactory(name="HTX A", commission_rate_bp=None)
    lifecycle.update_producer(db.session, producer, {"commission_rate_bp": 500}, admin.id)
    event = db.session.query(AuditEvent).one()
    assert event.before == {"commission_rate_bp": None}
    assert event.after == {"commission_rate_bp": 500}
    # Saving without changes records nothing.
    lifecycle.update_producer(db.session, producer, {"commission_rate_bp": 500}, admin.id)
    assert db.session.query(AuditEvent).count() == 1
    with pytest.raises(ValidationFailed):
        lifecycle.update_producer(db.session, producer, {"commission_rate_bp": -1}, admin.id)
