"""A producer changes its own bank account; payouts wait for an admin's approval (audited)."""

from sqlalchemy import select

from storefront.admin.models import AuditEvent
from storefront.extensions import db
from storefront.producers.models import MemberRole, Payout
from tests.factories import AdminFactory, ProducerFactory, ProducerMemberFactory

NEW = {"bank_bin": "970446", "account": "0123 456 789", "holder": "Hợp tác xã Mật ong"}


def owner_of(producer):
    member = ProducerMemberFactory(producer=producer, role=MemberRole.OWNER)
    return member.user


def test_owner_changes_the_account_admin_approves_and_payouts_use_it(app, client, auth):
    producer = ProducerFactory(
        bank_name="Vietcombank", bank_account="0011001", bank_account_name="HTX CU"
    )
    owner = owner_of(producer)
    admin = AdminFactory()
    db.session.commit()
    auth.login_as(owner)
    assert client.get("/dashboard/bank").status_code == 200
    assert client.post("/dashboard/bank", data=NEW).status_code == 303
    db.session.refresh(producer)
    # Not live yet: payouts still see the approved account, and none can be recorded.
    assert producer.bank_account == "0011001"
    assert producer.pending_bank_account == "0123456789"
    assert producer.pending_bank_account_name == "HOP TAC XA MAT ONG"

    admin_client = app.test_client()
    from tests.conftest import AuthActions

    AuthActions(admin_client).login_as(admin)
    admin_client.set_cookie("lang", "en")
    refused = admin_client.post(
        f"/admin/payouts/{producer.id}", data={"amount": "100000", "bank_reference": "FT1"}
    )
    assert refused.status_code in (303, 409, 422)
    assert db.session.scalars(select(Payout)).all() == []

    page = admin_client.get("/admin/bank-changes/").get_data(as_text=True)
    assert "0123456789" in page and producer.name in page
    assert admin_client.post(f"/admin/bank-changes/{producer.id}/approve").status_code == 303
    db.session.refresh(producer)
    assert producer.bank_account == "0123456789" and producer.bank_bin == "970446"
    assert producer.pending_bank_account is None
    # A second click changes nothing.
    admin_client.post(f"/admin/bank-changes/{producer.id}/approve")
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions.count("producer.bank_change_requested") == 1
    assert actions.count("producer.bank_change_approved") == 1


def test_reject_keeps_the_old_account(app, client, auth):
    producer = ProducerFactory(bank_account="0011001", bank_account_name="HTX CU")
    owner = owner_of(producer)
    admin = AdminFactory()
    db.session.commit()
    auth.login_as(owner)
    client.post("/dashboard/bank", data=NEW)
    from tests.conftest import AuthActions

    admin_client = app.test_client()
    AuthActions(admin_client).login_as(admin)
    assert admin_client.post(f"/admin/bank-changes/{producer.id}/reject").status_code == 303
    db.session.refresh(producer)
    assert producer.bank_account == "0011001" and producer.pending_bank_account is None
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "producer.bank_change_rejected")
    )


def test_bad_bank_details_are_refused(client, auth):
    producer = ProducerFactory()
    owner = owner_of(producer)
    db.session.commit()
    auth.login_as(owner)
    for bad in (
        {**NEW, "bank_bin": "999999"},
        {**NEW, "account": "12ab"},
        {**NEW, "account": "1" * 30},
        {**NEW, "holder": "<script>"},
        {**NEW, "holder": ""},
    ):
        assert client.post("/dashboard/bank", data=bad).status_code == 422, bad
    db.session.refresh(producer)
    assert producer.pending_bank_account is None


def test_only_the_owner_changes_it_and_only_admins_approve(client, auth):
    producer = ProducerFactory()
    member = ProducerMemberFactory(producer=producer, role=MemberRole.MEMBER).user
    db.session.commit()
    auth.login_as(member)
    assert client.get("/dashboard/bank").status_code == 200
    client.post("/dashboard/bank", data=NEW)
    db.session.refresh(producer)
    assert producer.pending_bank_account is None
    assert client.post(f"/admin/bank-changes/{producer.id}/approve").status_code == 403


def test_new_cooperative_applies_from_the_public_link_is_approved_and_edits_its_bank(app, client):
    """Done when #4: the public link, the full application, approval, then a bank change."""
    import re

    from storefront.producers.models import Producer, ProducerStatus

    home = client.get("/").get_data(as_text=True)
    link = re.search(r'<a class="sell-link" href="([^"]+)">Bán hàng cùng Chợ OCOP</a>', home)
    assert link, "the seller link is on every page"
    assert client.get(link.group(1)).status_code == 302  # log in or register first
    client.post(
        "/register",
        data={
            "name": "Vàng Thị Dệt",
            "email": "det@example.vn",
            "password": "mat-khau-dai-du",
            "confirm": "mat-khau-dai-du",
            "consent": "y",
        },
    )
    from tests.producers.application_data import application as full_application

    application = full_application()
    assert client.post(link.group(1), data=application).status_code == 303
    producer = db.session.scalar(select(Producer).where(Producer.name == "HTX Lanh Lùng Tám"))
    assert producer.status is ProducerStatus.PENDING

    from tests.conftest import AuthActions

    admin = AdminFactory()
    db.session.commit()
    admin_client = app.test_client()
    AuthActions(admin_client).login_as(admin)
    admin_client.post(f"/admin/producers/{producer.id}/status", data={"status": "approved"})
    db.session.refresh(producer)
    assert producer.status is ProducerStatus.APPROVED

    # The account sent with the application was approved with it ...
    assert producer.bank_account == "123456789012"
    # ... and a change afterwards waits for a new approval.
    assert client.post("/dashboard/bank", data=NEW).status_code == 303
    db.session.refresh(producer)
    assert producer.bank_account == "123456789012"
    assert producer.pending_bank_account == "0123456789"
    assert "0123456789" in admin_client.get("/admin/bank-changes/").get_data(as_text=True)
