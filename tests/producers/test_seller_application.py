"""Issue 15, sellers: a cooperative applies from the public link with its legal identity,
papers and bank account; an admin reviews them side by side, asks for changes or turns the
application down, approves it; the producer keeps its own profile up to date."""

from io import BytesIO

import pytest
from sqlalchemy import select

from storefront.admin.models import AuditEvent
from storefront.errors import InvalidTransition
from storefront.extensions import db
from storefront.mail import outbox
from storefront.producers import applications
from storefront.producers.models import (
    ApplicationReview,
    DocumentKind,
    MemberRole,
    Producer,
    ProducerDocument,
    ProducerStatus,
)
from tests.conftest import AuthActions
from tests.factories import AdminFactory, ProducerFactory, ProducerMemberFactory, UserFactory
from tests.producers.application_data import PDF, application, png_bytes


def _apply(client, auth, **overrides):
    applicant = UserFactory()
    db.session.commit()
    auth.login_as(applicant)
    response = client.post("/dashboard/apply", data=application(**overrides))
    return applicant, response


def _admin_client(app):
    admin = AdminFactory()
    db.session.commit()
    admin_client = app.test_client()
    AuthActions(admin_client).login_as(admin)
    admin_client.set_cookie("lang", "en")
    return admin, admin_client


def _actions(producer_id):
    return db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.object_type == "producer", AuditEvent.object_id == str(producer_id))
        .order_by(AuditEvent.id)
    ).all()


def test_the_public_link_leads_to_the_application(client):
    home = client.get("/").get_data(as_text=True)
    assert 'href="/dashboard/apply"' in home


def test_apply_approve_then_edit_the_bank_account(app, client, auth):
    applicant, response = _apply(client, auth)
    assert response.status_code == 303
    producer = db.session.scalar(select(Producer).where(Producer.legal_name.is_not(None)))
    assert producer.status is ProducerStatus.PENDING
    assert (producer.registration_number, producer.tax_code) == ("08.07.000123", "0101234567")
    assert producer.pending_bank_account == "123456789012" and producer.bank_account is None
    kinds = [d.kind for d in producer.documents]
    assert kinds == [DocumentKind.BUSINESS_REGISTRATION, DocumentKind.OCOP_DECISION]
    pdf, photo = producer.documents
    assert pdf.content_type == "application/pdf" and photo.content_type == "image/jpeg"

    # The papers are private: the applicant's own team reads them through the dashboard.
    own = client.get(f"/dashboard/profile/documents/{pdf.id}")
    assert own.status_code == 200 and own.data == PDF
    assert own.headers["Content-Disposition"].startswith("attachment")
    assert "sandbox" in own.headers["Content-Security-Policy"]
    assert own.headers["X-Content-Type-Options"] == "nosniff"

    admin, admin_client = _admin_client(app)
    page = admin_client.get(f"/admin/producers/{producer.id}").get_data(as_text=True)
    for shown in ("Hợp tác xã Lanh Lùng Tám", "0101234567", "08.07.000123", "123456789012"):
        assert shown in page
    assert f"/admin/producers/{producer.id}/documents/{pdf.id}" in page
    download = admin_client.get(f"/admin/producers/{producer.id}/documents/{photo.id}")
    assert download.status_code == 200 and download.data[:3] == b"\xff\xd8\xff"  # re-encoded

    approved = admin_client.post(
        f"/admin/producers/{producer.id}/status", data={"status": "approved"}
    )
    assert approved.status_code == 303
    db.session.refresh(producer)
    assert producer.status is ProducerStatus.APPROVED
    # The account sent with the application was reviewed with it.
    assert producer.bank_account == "123456789012" and producer.pending_bank_account is None

    # Afterwards the producer changes its own account: that waits for a new approval.
    changed = client.post(
        "/dashboard/bank", data={"bank_bin": "970436", "account": "999888777", "holder": "HTX"}
    )
    assert changed.status_code == 303
    db.session.refresh(producer)
    assert producer.bank_account == "123456789012" and producer.pending_bank_account == "999888777"
    actions = _actions(producer.id)
    assert actions.count("producer.bank_change_requested") == 2
    assert "producer.approve" in actions and actions.count("producer.document_added") == 2


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"tax_code": "12345"}, "tax_code"),
        ({"tax_code": "0101234567-01"}, "tax_code"),
        ({"registration_number": "!!"}, "registration_number"),
        ({"legal_name": ""}, "legal_name"),
        ({"account": "12ab"}, "account"),
        ({"bank_bin": "000000"}, "bank_bin"),
        ({"registration_document": None}, "registration_document"),
    ],
)
def test_bad_applications_are_refused_next_to_the_field(client, auth, override, field):
    client.set_cookie("lang", "en")
    _, response = _apply(client, auth, **override)
    assert response.status_code == 422
    assert f'id="{field}-error"'.encode() in response.data
    assert db.session.scalar(select(Producer)) is None


def test_a_document_that_is_neither_pdf_nor_photo_saves_nothing(client, auth):
    client.set_cookie("lang", "en")
    fake = (BytesIO(b"<html><script>alert(1)</script></html>"), "dkkd.pdf")
    _, response = _apply(client, auth, registration_document=fake)
    assert response.status_code == 422
    assert b"PDF, or a JPEG, PNG or WebP photo" in response.data
    assert db.session.scalar(select(Producer)) is None
    assert db.session.scalar(select(ProducerDocument)) is None


def test_changes_requested_resubmitted_then_rejected(app, client, auth):
    _, response = _apply(client, auth)
    producer = db.session.scalar(select(Producer))
    admin, admin_client = _admin_client(app)
    outbox().clear()
    empty = admin_client.post(
        f"/admin/producers/{producer.id}/application", data={"answer": "changes", "note": ""}
    )
    assert empty.status_code == 422
    note = "Ảnh giấy đăng ký bị mờ, xin gửi lại bản rõ hơn."
    asked = admin_client.post(
        f"/admin/producers/{producer.id}/application", data={"answer": "changes", "note": note}
    )
    assert asked.status_code == 303
    db.session.refresh(producer)
    assert producer.application_review is ApplicationReview.CHANGES_REQUESTED
    [email] = [m for m in outbox() if note in m.get_content()]
    assert email["To"] == producer.contact_email
    # A second click (a stale page) changes nothing and sends nothing.
    again = admin_client.post(
        f"/admin/producers/{producer.id}/application", data={"answer": "reject", "note": "x"}
    )
    assert again.status_code in (303, 409)
    db.session.refresh(producer)
    assert producer.application_review is ApplicationReview.CHANGES_REQUESTED

    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert note in dashboard
    assert (
        client.post(
            "/dashboard/profile/documents",
            data={"kind": "business_registration", "document": (BytesIO(PDF), "ro-hon.pdf")},
        ).status_code
        == 303
    )
    assert client.post("/dashboard/application/resubmit").status_code == 303
    db.session.refresh(producer)
    assert producer.awaits_review and len(producer.documents) == 3
    # Sending it again twice does nothing more.
    assert client.post("/dashboard/application/resubmit").status_code in (303, 409)

    rejected = admin_client.post(
        f"/admin/producers/{producer.id}/application",
        data={"answer": "reject", "note": "Sản phẩm chưa có chứng nhận OCOP."},
    )
    assert rejected.status_code == 303
    db.session.refresh(producer)
    assert producer.application_review is ApplicationReview.REJECTED
    assert "Sản phẩm chưa có chứng nhận OCOP." in client.get("/dashboard").get_data(as_text=True)
    actions = _actions(producer.id)
    for action in (
        "producer.changes_requested",
        "producer.application_resubmitted",
        "producer.application_rejected",
    ):
        assert actions.count(action) == 1


def test_a_stale_answer_is_refused_by_the_service(app):
    producer = ProducerFactory(status=ProducerStatus.PENDING)
    db.session.flush()
    applications.request_changes(db.session, producer, None, "Gửi lại giấy tờ")
    with pytest.raises(InvalidTransition):
        applications.request_changes(db.session, producer, None, "Gửi lại giấy tờ")
    with pytest.raises(InvalidTransition):
        applications.reject_application(db.session, producer, None, "Không")


def test_other_producers_papers_are_not_found(app, client, auth):
    _apply(client, auth)
    document = db.session.scalar(select(ProducerDocument))
    stranger = ProducerMemberFactory(role=MemberRole.OWNER)
    db.session.commit()
    auth.login_as(stranger.user)
    assert client.get(f"/dashboard/profile/documents/{document.id}").status_code == 404
    other = ProducerFactory()
    db.session.commit()
    _, admin_client = _admin_client(app)
    wrong = admin_client.get(f"/admin/producers/{other.id}/documents/{document.id}")
    assert wrong.status_code == 404


def test_the_owner_edits_the_profile_a_member_cannot(app, client, auth):
    owner = ProducerMemberFactory(role=MemberRole.OWNER)
    member = ProducerMemberFactory(producer=owner.producer, role=MemberRole.MEMBER)
    producer = owner.producer
    db.session.commit()
    auth.login_as(owner.user)
    page = client.get("/dashboard/profile")
    assert page.status_code == 200 and b'name="story"' in page.data
    # An approved producer's name and legal identity are not editable here.
    assert b'name="tax_code"' not in page.data
    saved = client.post(
        "/dashboard/profile",
        data={
            "name": "Tên khác",
            "province_code": "8",
            "ward_code": "721",
            "story": "Ong ăn hoa bạc hà trên cao nguyên đá.",
            "contact_phone": "0987 654 321",
            "contact_email": "HTX@Example.VN",
        },
    )
    assert saved.status_code == 303
    db.session.refresh(producer)
    assert producer.story == "Ong ăn hoa bạc hà trên cao nguyên đá."
    assert producer.contact_email == "htx@example.vn" and producer.name != "Tên khác"
    assert "producer.profile_updated" in _actions(producer.id)
    bad_ward = client.post(
        "/dashboard/profile", data={"province_code": "8", "ward_code": "1", "story": "x"}
    )
    assert bad_ward.status_code == 422 and b'id="ward_code-error"' in bad_ward.data

    client.post("/logout")
    auth.login_as(member.user)
    assert client.get("/dashboard/profile").status_code == 200
    refused = client.post("/dashboard/profile", data={"province_code": "8", "story": "hack"})
    assert refused.status_code == 403
    db.session.refresh(producer)
    assert producer.story != "hack"


def test_the_owner_sets_a_photo_shown_on_the_public_page(app, client, auth):
    owner = ProducerMemberFactory(role=MemberRole.OWNER)
    producer = owner.producer
    db.session.commit()
    auth.login_as(owner.user)
    client.set_cookie("lang", "en")
    refused = client.post("/dashboard/profile/photo", data={"photo": (BytesIO(b"<svg/>"), "x.jpg")})
    assert refused.status_code == 422 and b'id="photo-error"' in refused.data
    assert (
        client.post(
            "/dashboard/profile/photo", data={"photo": (BytesIO(png_bytes()), "htx.png")}
        ).status_code
        == 303
    )
    db.session.refresh(producer)
    first = producer.photo_filename
    assert first and first.startswith("producers/")
    page = client.get(f"/producers/{producer.slug}").get_data(as_text=True)
    assert first in page
    client.post("/dashboard/profile/photo", data={"photo": (BytesIO(png_bytes()), "b.png")})
    db.session.refresh(producer)
    assert producer.photo_filename != first
    assert "producer.photo_changed" in _actions(producer.id)
