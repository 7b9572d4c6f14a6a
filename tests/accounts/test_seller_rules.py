"""Seller rules from issue 15: a certificate is verified only with its scan attached."""

from storefront.catalogue.models import CertificateStatus
from storefront.extensions import db
from tests.factories import AdminFactory, CertificateFactory


def test_a_certificate_without_a_scan_cannot_be_verified(client, auth):
    admin = AdminFactory()
    certificate = CertificateFactory(status=CertificateStatus.PENDING, scan_filename=None)
    db.session.commit()
    auth.login_as(admin)
    client.set_cookie("lang", "en")
    response = client.post(f"/admin/certificates/{certificate.id}/verify")
    assert response.status_code in (303, 409)
    db.session.refresh(certificate)
    assert certificate.status is CertificateStatus.PENDING
    assert certificate.verified_at is None
    page = client.get(f"/admin/certificates/{certificate.id}").get_data(as_text=True)
    assert "no scan attached" in page


def test_a_certificate_with_its_scan_can_be_verified(client, auth):
    admin = AdminFactory()
    certificate = CertificateFactory(status=CertificateStatus.PENDING)
    db.session.commit()
    auth.login_as(admin)
    assert client.post(f"/admin/certificates/{certificate.id}/verify").status_code == 303
    db.session.refresh(certificate)
    assert certificate.status is CertificateStatus.VERIFIED


def test_demo_certificates_all_have_a_scan(app, runner):
    from sqlalchemy import select

    from storefront.catalogue.models import Certificate

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    scans = db.session.scalars(select(Certificate.scan_filename)).all()
    assert scans and all(scans)
