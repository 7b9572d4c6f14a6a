"""The audit log's values and objects as people read them: labels from the enums, đồng,
places, Vietnam's dates and times, and each object's name with its page."""

from types import SimpleNamespace

from flask_babel import force_locale

from storefront.admin.audit_view import object_refs, value_text
from storefront.extensions import db
from tests.factories import (
    CertificateFactory,
    ProducerFactory,
    ProductFactory,
    UserFactory,
    place_test_order,
)


def test_recorded_values_read_as_words(app):
    with app.test_request_context(), force_locale("en"):

        def text(object_type, key, value):
            return str(value_text(object_type, key, value))

        assert text("producer", "status", "approved") == "Approved"
        assert text("product", "status", "no-such-status") == "no-such-status"
        assert text("producer", "kind", "ocop_decision") == "OCOP recognition decision"
        assert text("producer", "kind", "cooperative") == "Cooperative (HTX)"
        assert text("user", "role", "admin") == "Administrator"
        assert text("order", "payment_status", "cod") == "Cash on delivery"
        assert "M" in text("product", "options", [{"kind": "size", "value": "M"}])
        assert text("refund", "method", "manual") == "Paid back by hand"
        assert "250" in text("payout", "amount", 250_000) and "₫" in text("payout", "amount", 1)
        assert text("producer", "commission_rate_bp", 550) == "5.5 %"
        assert text("producer", "province_code", 8) not in ("8", "")
        assert text("producer", "ward_code", 999_999_999) == "999999999"
        assert text("certificate", "signed_on", "2026-01-02") != "2026-01-02"
        assert "T" not in text("order", "paid_at", "2026-01-02T03:04:05")
        assert text("order", "paid_at", "not a time") == "not a time"
        assert text("producer", "photos", ["a.webp", "b.webp"]) == "a.webp, b.webp"
        assert text("producer", "lines", {"7": 2}) == "7: 2"
        assert text("producer", "note", None) == "—"
        assert text("producer", "featured", True) == "Yes"


def test_each_object_is_named_with_a_link_and_a_deleted_one_by_its_kind(app):
    producer = ProducerFactory(name="HTX Mật ong Đồng Văn")
    product = ProductFactory(producer=producer, name="Mật ong bạc hà")
    certificate = CertificateFactory(product=product, number="QĐ-1/2026")
    user = UserFactory(email="khach@example.vn")
    order = place_test_order([(product, 1)])
    db.session.commit()
    events = [
        SimpleNamespace(object_type=kind, object_id=str(object_id))
        for kind, object_id in [
            ("producer", producer.id),
            ("product", product.id),
            ("certificate", certificate.id),
            ("user", user.id),
            ("order", order.id),
            ("producer_order", order.sub_orders[0].id),
            ("product", 987_654),
        ]
    ]
    with app.test_request_context(), force_locale("en"):
        refs = object_refs(db.session, events)
    assert refs[("producer", str(producer.id))].text == "HTX Mật ong Đồng Văn"
    assert refs[("product", str(product.id))].url.endswith(product.slug)
    assert "QĐ-1/2026" in refs[("certificate", str(certificate.id))].text
    assert refs[("user", str(user.id))].text == "khach@example.vn"
    assert order.number in refs[("order", str(order.id))].text
    assert order.number in refs[("producer_order", str(order.sub_orders[0].id))].text
    gone = refs[("product", "987654")]
    assert gone.url is None and "deleted" in gone.text
