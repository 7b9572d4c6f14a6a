"""Certificate queue, expiry lists and their boundary, and the expiry reminders."""

from datetime import date, timedelta

import pytest

from storefront.catalogue import certificates
from storefront.extensions import db
from storefront.mail import outbox
from storefront.models import Certificate, CertificateStatus
from tests.factories import CertificateFactory, ProducerFactory, ProductFactory

TODAY = date(2026, 6, 15)


def cert(valid_until, producer=None, **kwargs):
    product = ProductFactory(producer=producer or ProducerFactory(contact_email="htx@example.vn"))
    return CertificateFactory(
        product=product,
        signed_on=valid_until - timedelta(days=1000),
        valid_until=valid_until,
        **kwargs,
    )


# --- the boundary ----------------------------------------------------------------------------


def test_stars_show_on_the_last_valid_day_and_vanish_the_day_after(app):
    certificate = cert(valid_until=TODAY)
    product = certificate.product
    assert product.stars_on(TODAY) == certificate.stars
    assert product.stars_on(TODAY + timedelta(days=1)) is None


def test_expiry_lists_move_a_certificate_on_the_day_after(admin_client, set_today):
    certificate = cert(valid_until=TODAY)
    db.session.commit()

    set_today(TODAY)
    expiring = admin_client.get("/admin/certificates?tab=expiring").get_data(as_text=True)
    expired = admin_client.get("/admin/certificates?tab=expired").get_data(as_text=True)
    assert certificate.number in expiring
    assert certificate.number not in expired

    set_today(TODAY + timedelta(days=1))
    expiring = admin_client.get("/admin/certificates?tab=expiring").get_data(as_text=True)
    expired = admin_client.get("/admin/certificates?tab=expired").get_data(as_text=True)
    assert certificate.number not in expiring
    assert certificate.number in expired


def test_expiring_window_is_60_days_inclusive(app):
    inside = cert(valid_until=TODAY + timedelta(days=60))
    outside = cert(valid_until=TODAY + timedelta(days=61))
    pending = cert(valid_until=TODAY + timedelta(days=5), status=CertificateStatus.PENDING)
    found = db.session.scalars(certificates.expiring_certificates_stmt(TODAY)).all()
    assert inside in found
    assert outside not in found
    assert pending not in found


# --- the queue -------------------------------------------------------------------------------


def test_pending_queue_lists_only_pending_with_their_scan(admin_client, app):
    pending = cert(
        valid_until=TODAY + timedelta(days=900),
        status=CertificateStatus.PENDING,
        scan_filename="scan-1.png",
    )
    verified = cert(valid_until=TODAY + timedelta(days=900))
    db.session.commit()
    html = admin_client.get("/admin/certificates").get_data(as_text=True)
    assert pending.number in html and verified.number not in html
    detail = admin_client.get(f"/admin/certificates/{pending.id}").get_data(as_text=True)
    assert f"/admin/certificates/{pending.id}/scan" in detail


def test_scan_is_served_to_admins_from_the_upload_folder(admin_client, app):
    from pathlib import Path

    folder = Path(app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scan-2.png").write_bytes(b"\x89PNG fake scan")
    certificate = cert(
        valid_until=TODAY, status=CertificateStatus.PENDING, scan_filename="scan-2.png"
    )
    no_scan = cert(valid_until=TODAY, status=CertificateStatus.PENDING)
    db.session.commit()
    response = admin_client.get(f"/admin/certificates/{certificate.id}/scan")
    assert response.status_code == 200
    assert response.data == b"\x89PNG fake scan"
    assert "no-store" in response.headers["Cache-Control"]
    assert admin_client.get(f"/admin/certificates/{no_scan.id}/scan").status_code == 404


def test_verify_sets_reviewer_and_time_and_emails_the_producer(admin_client, admin, app):
    certificate = cert(valid_until=TODAY + timedelta(days=900), status=CertificateStatus.PENDING)
    db.session.commit()
    response = admin_client.post(f"/admin/certificates/{certificate.id}/verify")
    assert response.status_code == 303
    db.session.refresh(certificate)
    assert certificate.status is CertificateStatus.VERIFIED
    assert certificate.verified_by_id == admin.id
    assert certificate.verified_at is not None
    assert [m["To"] for m in outbox()] == ["htx@example.vn"]
    # A second click is refused and changes nothing.
    admin_client.post(f"/admin/certificates/{certificate.id}/verify")
    assert len(outbox()) == 1


def test_reject_needs_a_reason_and_keeps_what_was_typed(admin_client, app):
    certificate = cert(valid_until=TODAY + timedelta(days=900), status=CertificateStatus.PENDING)
    db.session.commit()
    response = admin_client.post(
        f"/admin/certificates/{certificate.id}/reject", data={"reason": "   "}
    )
    assert response.status_code == 422
    db.session.refresh(certificate)
    assert certificate.status is CertificateStatus.PENDING

    reason = "Bản scan không đọc được"
    response = admin_client.post(
        f"/admin/certificates/{certificate.id}/reject", data={"reason": reason}
    )
    assert response.status_code == 303
    db.session.refresh(certificate)
    assert certificate.status is CertificateStatus.REJECTED
    assert certificate.rejection_reason == reason
    assert certificate.verified_at is not None
    assert reason in outbox()[-1].get_content()


def test_service_refuses_rejecting_twice(app, admin):
    certificate = cert(valid_until=TODAY, status=CertificateStatus.REJECTED)
    from storefront.errors import InvalidTransition

    with pytest.raises(InvalidTransition):
        certificates.reject_certificate(db.session, certificate, admin.id, "again", TODAY)


# --- reminders -------------------------------------------------------------------------------


def test_notify_expiring_emails_each_producer_once(runner, app, set_today):
    set_today(TODAY)
    producer = ProducerFactory(contact_email="htx@example.vn")
    first = cert(valid_until=TODAY + timedelta(days=10), producer=producer)
    second = cert(valid_until=TODAY + timedelta(days=60), producer=producer)
    other = cert(
        valid_until=TODAY + timedelta(days=30),
        producer=ProducerFactory(contact_email="other@example.vn"),
    )
    cert(valid_until=TODAY + timedelta(days=61), producer=producer)  # not yet
    cert(valid_until=TODAY - timedelta(days=1), producer=producer)  # already expired
    db.session.commit()

    result = runner.invoke(args=["notify-expiring-certificates"])
    assert result.exit_code == 0, result.output
    assert "2" in result.output
    assert sorted(m["To"] for m in outbox()) == ["htx@example.vn", "other@example.vn"]
    htx_mail = next(m for m in outbox() if m["To"] == "htx@example.vn").get_content()
    assert first.number in htx_mail and second.number in htx_mail
    assert other.number not in htx_mail

    db.session.expire_all()
    for certificate in (first, second, other):
        assert certificate.expiry_reminder_sent_for == certificate.valid_until

    # Cron runs it again: nothing new to say.
    result = runner.invoke(args=["notify-expiring-certificates"])
    assert result.exit_code == 0
    assert len(outbox()) == 2


def test_renewed_certificate_is_reminded_again(app):
    certificate = cert(valid_until=TODAY + timedelta(days=10))
    assert certificates.send_expiry_reminders(db.session, TODAY) == 1
    db.session.commit()
    assert certificates.send_expiry_reminders(db.session, TODAY) == 0
    certificate.valid_until = TODAY + timedelta(days=40)  # corrected date from the authority
    db.session.commit()
    assert certificates.send_expiry_reminders(db.session, TODAY) == 1
    db.session.commit()
    assert len(outbox()) == 2


def test_reminder_is_not_sent_when_the_transaction_rolls_back(app):
    certificate = cert(valid_until=TODAY + timedelta(days=10))
    db.session.commit()
    assert certificates.send_expiry_reminders(db.session, TODAY) == 1
    db.session.rollback()
    assert outbox() == []
    db.session.refresh(certificate)
    assert certificate.expiry_reminder_sent_for is None


def test_producer_without_address_falls_back_to_owners(app):
    from tests.factories import ProducerMemberFactory

    member = ProducerMemberFactory(producer=ProducerFactory(contact_email=None))
    cert(valid_until=TODAY + timedelta(days=3), producer=member.producer)
    assert certificates.send_expiry_reminders(db.session, TODAY) == 1
    db.session.commit()
    assert [m["To"] for m in outbox()] == [member.user.email]


@pytest.mark.real_commits
def test_claims_are_atomic_across_sessions(app):
    """Two overlapping cron runs: the second finds every certificate already claimed."""
    from sqlalchemy.orm import Session

    certificate = cert(valid_until=TODAY + timedelta(days=10))
    db.session.commit()
    with Session(db.engine) as other:
        first = certificates.send_expiry_reminders(other, TODAY)
        other.commit()
    assert first == 1
    assert certificates.send_expiry_reminders(db.session, TODAY) == 0
    db.session.refresh(certificate)
    assert certificate.expiry_reminder_sent_for == certificate.valid_until


def test_certificate_model_is_the_only_source_of_validity(app):
    """default_valid_until is 36 months: the lists agree with Certificate.is_valid_on."""
    signed = date(2023, 6, 15)
    assert Certificate.default_valid_until(signed) == date(2026, 6, 15)


# --- review is conditional -------------------------------------------------------------------


@pytest.mark.real_commits
def test_a_stale_review_changes_nothing_and_sends_nothing(app):
    """Two admins open the same pending certificate; one verifies, then the other rejects
    from the page it loaded before. The UPDATE names the status the second admin saw, so
    the rejection is refused: no change, no audit row, no email."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from storefront.admin.models import AuditEvent
    from storefront.errors import InvalidTransition

    certificate = cert(valid_until=TODAY + timedelta(days=300), status=CertificateStatus.PENDING)
    db.session.commit()
    with Session(db.engine, expire_on_commit=False) as other:
        stale = other.get(Certificate, certificate.id)
        assert stale.status is CertificateStatus.PENDING  # what the second admin saw
        stale.product.producer.members  # noqa: B018 (loaded while the page was built)
        other.commit()  # the page was rendered; its read transaction is over

        certificates.verify_certificate(db.session, certificate, None)
        db.session.commit()
        sent = len(outbox())

        with pytest.raises(InvalidTransition):
            certificates.reject_certificate(other, stale, None, "Scan is blurry", TODAY)
        other.rollback()

    db.session.expire_all()
    assert db.session.get(Certificate, certificate.id).status is CertificateStatus.VERIFIED
    assert len(outbox()) == sent
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == str(certificate.id))
    ).all()
    assert actions == ["certificate.verify"]
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 1


def test_verify_refuses_a_certificate_without_its_scan(app):
    from storefront.errors import InvalidTransition

    certificate = cert(valid_until=TODAY + timedelta(days=300), status=CertificateStatus.PENDING)
    certificate.scan_filename = None
    db.session.flush()
    with pytest.raises(InvalidTransition):
        certificates.verify_certificate(db.session, certificate, None)
    assert certificate.status is CertificateStatus.PENDING
