"""Cooperatives manage their own vouchers and sales; admins manage the shop's and stop any;
buyers see sale prices and the vouchers that apply. Every change is audited."""

from datetime import timedelta

from sqlalchemy import select

from storefront.admin.models import AuditEvent
from storefront.clock import utcnow
from storefront.extensions import db
from storefront.models import MemberRole
from storefront.promotions.models import Voucher, VoucherStatus
from tests.factories import AdminFactory, ProducerMemberFactory, ProductFactory
from tests.promotions.voucher_helpers import ocop10, voucher

FORM = {
    "code": " tet2027 ",
    "kind": "fixed",
    "value": "20000",
    "min_order": "300000",
    "scope": "shop",
    "starts_at": "2026-12-01T00:00",
    "ends_at": "2027-02-01T00:00",
    "per_buyer": "1",
    "show_on_product": "y",
}


def test_a_cooperative_creates_pauses_and_sees_its_voucher(client, auth, app):
    member = ProducerMemberFactory(role=MemberRole.OWNER)
    db.session.commit()
    auth.login_as(member.user)
    client.set_cookie("lang", "en")

    response = client.post("/dashboard/vouchers/new", data=FORM)
    assert response.status_code == 303
    made = db.session.scalar(select(Voucher).where(Voucher.code == "TET2027"))
    assert made.producer_id == member.producer_id and made.amount == 20_000
    # 1 Dec 2026 00:00 in Hà Nội is 30 Nov 17:00 UTC.
    assert made.starts_at.isoformat() == "2026-11-30T17:00:00"

    page = client.get("/dashboard/vouchers")
    assert page.status_code == 200 and "TET2027" in page.text and "20.000" in page.text
    assert client.post(f"/dashboard/vouchers/{made.id}/pause").status_code == 303
    db.session.refresh(made)
    assert made.status is VoucherStatus.PAUSED
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == str(made.id))
    ).all()
    assert {"voucher.create", "voucher.paused"} <= set(actions)


def test_bad_voucher_forms_say_why_and_save_nothing(client, auth, app):
    member = ProducerMemberFactory(role=MemberRole.OWNER)
    db.session.commit()
    auth.login_as(member.user)
    client.set_cookie("lang", "en")
    for change, message in (
        ({"kind": "percent", "value": "150"}, "from 1 to 100"),
        ({"value": "-5"}, "Number must be between"),
        ({"code": "Mã giảm"}, "without accents"),
        ({"ends_at": "2026-11-01T00:00"}, "end after it starts"),
        ({"value": "99999999999999"}, "Number must be between"),
        ({"starts_at": "not a date"}, "Not a valid datetime"),
    ):
        response = client.post("/dashboard/vouchers/new", data={**FORM, **change})
        assert response.status_code == 422, change
        assert message in response.text, change
    assert db.session.scalar(select(Voucher.id)) is None


def test_a_cooperative_sets_a_sale_price_shown_struck_through(client, auth, app):
    member = ProducerMemberFactory(role=MemberRole.OWNER)
    product = ProductFactory(producer=member.producer, price=200_000, name="Mật ong Tết")
    db.session.commit()
    auth.login_as(member.user)
    client.set_cookie("lang", "en")
    refused = client.post(
        f"/dashboard/products/{product.id}/sale",
        data={
            "sale_price": "250000",
            "starts_at": "2026-01-01T00:00",
            "ends_at": "2030-01-01T00:00",
        },
    )
    assert refused.status_code == 422 and "below the price" in refused.text
    response = client.post(
        f"/dashboard/products/{product.id}/sale",
        data={
            "sale_price": "150000",
            "starts_at": "2026-01-01T00:00",
            "ends_at": "2030-01-01T00:00",
        },
    )
    assert response.status_code == 303
    page = client.get(f"/products/{product.slug}")
    assert "<s" in page.text and "200.000" in page.text and "150.000" in page.text
    assert "−25%" in page.text
    listing = client.get("/products")
    assert "−25%" in listing.text


def test_a_sale_that_ended_is_flagged_in_the_cart(client, app):
    from storefront.cart import services as cart_services

    product = ProductFactory(price=200_000)
    product.sale_price = 150_000
    product.sale_starts_at = utcnow() - timedelta(days=1)
    product.sale_ends_at = utcnow() + timedelta(days=1)
    db.session.commit()
    client.set_cookie("lang", "en")
    client.post("/cart/add", data={"product_id": product.id, "quantity": 1})
    product.sale_ends_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    page = client.get("/cart")
    assert "The sale ended" in page.text and "was 150.000" in page.text
    assert client.get("/checkout").status_code == 303  # back to the cart to accept
    cart = db.session.scalar(select(cart_services.Cart))
    assert cart_services.summarize(
        db.session, cart, cart_services.ShippingPolicy(0, 1)
    ).has_problems


def test_admin_manages_shop_vouchers_and_stops_a_cooperatives(client, auth, app):
    admin = AdminFactory()
    member = ProducerMemberFactory(role=MemberRole.OWNER)
    theirs = voucher(producer_id=member.producer_id, code="HONEY5", min_order=0)
    db.session.commit()
    auth.login_as(admin)
    client.set_cookie("lang", "en")
    shop_form = {**FORM, "code": "SHOPFREE", "kind": "free_shipping", "value": ""}
    assert client.post("/admin/vouchers/new", data=shop_form).status_code == 303
    shop = db.session.scalar(select(Voucher).where(Voucher.code == "SHOPFREE"))
    assert shop.producer_id is None
    page = client.get("/admin/vouchers/")
    assert "SHOPFREE" in page.text and "HONEY5" in page.text
    assert client.get(f"/admin/vouchers/{theirs.id}").status_code == 404  # the cooperative's
    assert client.post(f"/admin/vouchers/{theirs.id}/stop").status_code == 303
    db.session.refresh(theirs)
    assert theirs.status is VoucherStatus.STOPPED
    # Stopped is final, for its owner too.
    auth.login_as(member.user)
    assert client.post(f"/dashboard/vouchers/{theirs.id}/resume").status_code == 303
    db.session.refresh(theirs)
    assert theirs.status is VoucherStatus.STOPPED
    audit = db.session.scalars(select(AuditEvent.action)).all()
    assert "voucher.stopped" in audit and "voucher.create" in audit


def test_vouchers_shown_on_product_pages(client, app):
    product = ProductFactory(price=250_000)
    ocop10()
    db.session.commit()
    client.set_cookie("lang", "vi")
    page = client.get(f"/products/{product.slug}")
    assert "OCOP10" in page.text and "Giảm 10%" in page.text and "cho đơn từ 200.000" in page.text
