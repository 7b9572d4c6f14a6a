"""Becoming a producer, switching producers, and inviting members."""

import re

from sqlalchemy import select

from storefront.extensions import db
from storefront.mail import outbox
from storefront.models import (
    Invitation,
    MemberRole,
    Producer,
    ProducerMember,
    ProducerStatus,
    Product,
    ProductStatus,
    User,
    UserRole,
)
from tests.factories import AdminFactory, ProducerMemberFactory, UserFactory
from tests.producers.application_data import application

APPLICATION = application(registration_document=None, ocop_documents=None)


def test_customer_applies_and_prepares_drafts(client, auth, app):
    customer = UserFactory()
    db.session.commit()
    auth.login_as(customer)
    assert client.get("/dashboard").status_code == 403
    assert client.get("/dashboard/apply").status_code == 200
    response = client.post("/dashboard/apply", data={**application(), "status": "approved"})
    assert response.status_code == 303
    producer = db.session.scalar(select(Producer).where(Producer.name == APPLICATION["name"]))
    assert producer.status is ProducerStatus.PENDING  # posting status=approved did nothing
    assert producer.historical_address == APPLICATION["historical_address"]
    db.session.expire_all()
    assert db.session.get(User, customer.id).role is UserRole.PRODUCER
    [membership] = db.session.scalars(
        select(ProducerMember).where(ProducerMember.producer_id == producer.id)
    )
    assert membership.user_id == customer.id and membership.role is MemberRole.OWNER

    assert client.get("/dashboard").status_code == 200
    created = client.post(
        "/dashboard/products/new",
        data={
            "name": "Khăn lanh",
            "group": "handicraft",
            "unit": "chiếc",
            "price": "350000",
            "made_to_order": "y",
            "lead_time_days": "30",
        },
    )
    assert created.status_code == 303
    product = db.session.scalar(select(Product).where(Product.name == "Khăn lanh"))
    assert product.made_to_order and product.lead_time_days == 30
    client.post(f"/dashboard/products/{product.id}/status", data={"status": "active"})
    db.session.expire_all()
    assert db.session.get(Product, product.id).status is ProductStatus.DRAFT


def test_application_errors_are_shown(client, auth, app):
    client.set_cookie("lang", "en")
    auth.login_as(UserFactory())
    db.session.commit()
    wrong_ward = client.post("/dashboard/apply", data={**application(), "ward_code": "1"})
    assert wrong_ward.status_code == 422
    assert b'id="ward_code-error"' in wrong_ward.data
    assert "Lùng Tám".encode() in wrong_ward.data  # what was typed is kept
    missing = client.post("/dashboard/apply", data={**application(), "name": ""})
    assert missing.status_code == 422 and b'id="name-error"' in missing.data
    # "Show wards" without JavaScript re-renders with the province's wards.
    refresh = client.post("/dashboard/apply", data={"province_code": "8", "refresh_wards": "1"})
    assert refresh.status_code == 200 and "Xã Đồng Văn".encode() in refresh.data
    assert db.session.scalar(select(Producer)) is None


def test_admin_cannot_apply(client, auth, app):
    admin = AdminFactory()
    db.session.commit()
    auth.login_as(admin)
    assert client.post("/dashboard/apply", data=application()).status_code == 422
    db.session.expire_all()
    assert db.session.get(User, admin.id).role is UserRole.ADMIN


def test_switching_between_producers(client, auth, side_a):
    second = ProducerMemberFactory(user=side_a.owner, producer__name="HTX Thứ Hai")
    db.session.commit()
    auth.login_as(side_a.owner)
    first_page = client.get("/dashboard").get_data(as_text=True)
    assert 'name="producer_id"' in first_page
    client.post("/dashboard/switch", data={"producer_id": second.producer_id})
    assert (
        "HTX Thứ Hai"
        in client.get("/dashboard/products")
        .get_data(as_text=True)
        .split("dash-producer-name")[1][:200]
    )
    assert side_a.product.name not in client.get("/dashboard/products").get_data(as_text=True)


def _invite(client, email):
    return client.post("/dashboard/team/invite", data={"email": email})


def test_owner_invites_and_the_invitee_joins(client, auth, app, login_a):
    client.set_cookie("lang", "en")
    outbox().clear()
    assert _invite(client, "Chi.Hoa@Example.vn").status_code == 303
    [message] = outbox()
    assert message["To"] == "chi.hoa@example.vn"
    token = re.search(r"/dashboard/invitations/([\w-]+)", message.get_content()).group(1)
    invitation = db.session.scalar(select(Invitation))
    assert invitation.token != token  # only a hash is stored

    stranger = UserFactory(email="someone@example.vn")
    invitee = UserFactory(email="chi.hoa@example.vn")
    db.session.commit()
    auth.login_as(stranger)
    assert client.get(f"/dashboard/invitations/{token}").status_code == 403
    assert client.post(f"/dashboard/invitations/{token}").status_code == 403
    auth.login_as(invitee)
    assert client.get(f"/dashboard/invitations/{token}").status_code == 200
    assert client.post(f"/dashboard/invitations/{token}").status_code == 303
    db.session.expire_all()
    assert db.session.get(User, invitee.id).role is UserRole.PRODUCER
    membership = db.session.scalar(
        select(ProducerMember).where(ProducerMember.user_id == invitee.id)
    )
    assert membership.producer_id == login_a.producer.id and membership.role is MemberRole.MEMBER
    assert client.get("/dashboard").status_code == 200
    # A member cannot invite; a used token is dead.
    assert _invite(client, "more@example.vn").status_code == 403
    assert client.post(f"/dashboard/invitations/{token}").status_code == 404
    assert client.get("/dashboard/invitations/not-a-token").status_code == 404


def test_invitation_errors(client, login_a):
    client.set_cookie("lang", "en")
    assert _invite(client, "not-an-email").status_code == 422
    response = _invite(client, login_a.owner.email)
    assert response.status_code == 422 and b"already a member" in response.data


def test_revoke_invitation_and_remove_member(client, auth, login_a):
    _invite(client, "x@example.vn")
    invitation = db.session.scalar(select(Invitation))
    assert client.post(f"/dashboard/team/invitations/{invitation.id}/revoke").status_code == 303
    assert db.session.scalar(select(Invitation)) is None
    member = ProducerMemberFactory(producer=login_a.producer, role=MemberRole.MEMBER)
    db.session.commit()
    assert client.post(f"/dashboard/team/members/{login_a.membership.id}/remove").status_code == 303
    assert db.session.get(ProducerMember, login_a.membership.id) is not None  # not yourself
    assert client.post(f"/dashboard/team/members/{member.id}/remove").status_code == 303
    db.session.expire_all()
    assert db.session.get(ProducerMember, member.id) is None
