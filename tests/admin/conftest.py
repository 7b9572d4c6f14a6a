"""Admin fixtures: an admin logged in, and a controllable 'today'."""

import pytest

from storefront.extensions import db
from tests.factories import AdminFactory


@pytest.fixture
def admin(app):
    user = AdminFactory(email="admin@example.vn", name="Quản trị viên")
    db.session.commit()
    return user


@pytest.fixture
def admin_client(client, auth, admin):
    auth.login_as(admin)
    return client


@pytest.fixture
def set_today(monkeypatch):
    """Make the admin pages believe it is `day` in Vietnam."""

    def set_(day):
        monkeypatch.setattr("storefront.admin.routes.today_vn", lambda: day)
        monkeypatch.setattr("storefront.admin.commands.today_vn", lambda: day)

    return set_


@pytest.fixture
def world(app, admin):
    """A small marketplace with something on every admin page."""
    from datetime import timedelta

    from storefront.clock import today_vn
    from storefront.models import (
        CertificateStatus,
        LedgerEntry,
        LedgerKind,
        PaymentMethod,
        ProducerStatus,
    )
    from tests.admin.factories_admin import make_order
    from tests.factories import (
        CertificateFactory,
        ProducerFactory,
        ProducerMemberFactory,
        ProductFactory,
        UserFactory,
    )

    today = today_vn()
    producer = ProducerFactory(
        name="HTX Mật ong Đồng Văn", contact_email="htx@example.vn", commission_rate_bp=650
    )
    member = ProducerMemberFactory(producer=producer)
    applicant = ProducerFactory(name="HTX Lanh Lùng Tám", status=ProducerStatus.PENDING)
    honey = ProductFactory(producer=producer, name="Mật ong bạc hà", group="food")
    linen = ProductFactory(producer=producer, name="Vải lanh", group="handicraft")
    CertificateFactory(product=honey, stars=4)
    CertificateFactory(
        product=linen,
        stars=3,
        signed_on=today - timedelta(days=1000),
        valid_until=today + timedelta(days=20),
    )
    expired = CertificateFactory(
        product=ProductFactory(producer=producer, name="Rượu ngô"),
        signed_on=today - timedelta(days=1200),
        valid_until=today - timedelta(days=3),
    )
    pending = CertificateFactory(
        product=ProductFactory(producer=applicant, name="Khăn lanh"),
        status=CertificateStatus.PENDING,
        scan_filename="cert-scan.png",
    )
    honey.featured, honey.featured_position = True, 1
    customer = UserFactory(name="Lê Văn Khách", phone="0987654321")
    cod = make_order([(honey, 2), (linen, 1)], email=customer.email)
    transfer = make_order([(honey, 1)], method=PaymentMethod.BANK_TRANSFER, phone="0901 222 333")
    db.session.add(LedgerEntry(producer_id=producer.id, kind=LedgerKind.ADJUSTMENT, amount=120_000))
    db.session.commit()
    return {
        "producer": producer,
        "member": member,
        "applicant": applicant,
        "honey": honey,
        "linen": linen,
        "expired": expired,
        "pending": pending,
        "customer": customer,
        "cod": cod,
        "transfer": transfer,
        "today": today,
    }
