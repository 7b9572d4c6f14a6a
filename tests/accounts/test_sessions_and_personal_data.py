"""Recent sign-ins, sign out everywhere, the JSON export and account deletion."""

import json

from sqlalchemy import select

from storefront.auth.models import Address, SignIn, User
from storefront.extensions import db
from storefront.orders.models import Order
from tests.admin.factories_admin import make_order
from tests.checkout.factories_checkout import PROVINCE, WARD
from tests.factories import DEFAULT_PASSWORD, ProductFactory, UserFactory


def login(client, email, agent="Firefox trên Android"):
    return client.post(
        "/login",
        data={"email": email, "password": DEFAULT_PASSWORD},
        headers={"User-Agent": agent},
        environ_base={"REMOTE_ADDR": "203.0.113.5"},
    )


def test_account_lists_recent_sign_ins_and_signs_out_everywhere(app, client):
    UserFactory(email="lan@example.vn")
    db.session.commit()
    phone = app.test_client()
    login(phone, "lan@example.vn", agent="Điện thoại\x00\x07 Safari")
    login(client, "lan@example.vn")
    page = client.get("/account").get_data(as_text=True)
    assert "Firefox trên Android" in page and "203.0.113.5" in page
    agents = db.session.scalars(select(SignIn.user_agent)).all()
    assert "Điện thoại Safari" in agents  # control characters dropped

    assert client.post("/account/sessions/end").status_code == 303
    assert client.get("/account").status_code == 302
    assert phone.get("/account").status_code == 302


def test_export_contains_only_my_data(client, auth):
    me = UserFactory(email="toi@example.vn", name="Tôi")
    other = UserFactory(email="ban@example.vn", name="Bạn")
    db.session.add(
        Address(
            user_id=me.id,
            recipient_name="Tôi",
            phone="0912345678",
            province_code=PROVINCE,
            ward_code=WARD,
            street="Nhà tôi",
            is_default=True,
        )
    )
    product = ProductFactory()
    db.session.flush()
    mine = make_order([(product, 1)], email="toi@example.vn")
    mine.user_id = me.id
    theirs = make_order([(product, 1)], email="ban@example.vn")
    theirs.user_id = other.id
    db.session.commit()
    auth.login_as(me)
    # There is no id to change: ?user= is ignored and the data is always the caller's own.
    response = client.get(f"/account/export?user_id={other.id}")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["profile"]["email"] == "toi@example.vn"
    assert [a["street"] for a in data["addresses"]] == ["Nhà tôi"]
    assert [o["number"] for o in data["orders"]] == [mine.number]
    assert theirs.number not in response.get_data(as_text=True)
    assert "ban@example.vn" not in response.get_data(as_text=True)
    assert data["reviews"] == [] and data["wishlist"] == [] and data["stock_alerts"] == []


def test_delete_anonymises_the_person_and_keeps_orders(app, client, auth):
    me = UserFactory(email="xoa@example.vn", name="Người Xoá", phone="0912000111")
    product = ProductFactory()
    db.session.flush()
    order = make_order([(product, 1)], email="xoa@example.vn")
    order.user_id = me.id
    db.session.commit()
    other_device = app.test_client()
    login(other_device, "xoa@example.vn")
    auth.login_as(me)
    wrong = client.post("/account/delete", data={"password": "sai", "understood": "y"})
    assert wrong.status_code == 422
    unticked = client.post("/account/delete", data={"password": DEFAULT_PASSWORD})
    assert unticked.status_code == 422
    db.session.refresh(me)
    assert me.deleted_at is None

    done = client.post("/account/delete", data={"password": DEFAULT_PASSWORD, "understood": "y"})
    assert done.status_code == 303
    db.session.expire_all()
    me = db.session.get(User, me.id)
    assert me.deleted_at is not None and not me.is_active
    assert "xoa@example.vn" not in me.email and me.name != "Người Xoá" and me.phone is None
    assert db.session.scalars(select(SignIn).where(SignIn.user_id == me.id)).all() == []
    assert db.session.get(Order, order.id) is not None  # kept for accounting
    assert other_device.get("/account").status_code == 302
    relogin = client.post("/login", data={"email": "xoa@example.vn", "password": DEFAULT_PASSWORD})
    assert relogin.status_code == 422
    # The address can be used for a new account.
    UserFactory(email="xoa@example.vn")
    db.session.commit()


def test_export_and_deletion_cover_reviews_wishlist_and_alerts(client, auth):
    from storefront.reviews.models import Review
    from storefront.wishlist.models import StockAlert, WishlistItem

    me = UserFactory(email="danhgia@example.vn", name="Chị Hoa")
    product = ProductFactory(name="Mật ong bạc hà")
    db.session.flush()
    order = make_order([(product, 1)], email="danhgia@example.vn")
    order.user_id = me.id
    db.session.flush()
    db.session.add_all(
        [
            Review(
                order_line_id=order.lines[0].id,
                product_id=product.id,
                producer_id=product.producer_id,
                user_id=me.id,
                author_name="Chị Hoa",
                stars=5,
                body="Thơm mùi bạc hà.",
            ),
            WishlistItem(user_id=me.id, product_id=product.id, price_seen=product.price),
            StockAlert(product_id=product.id, user_id=me.id, email=me.email),
        ]
    )
    db.session.commit()
    auth.login_as(me)
    data = json.loads(client.get("/account/export").get_data(as_text=True))
    assert [(r["product"], r["stars"], r["text"]) for r in data["reviews"]] == [
        ("Mật ong bạc hà", 5, "Thơm mùi bạc hà.")
    ]
    assert [w["product"] for w in data["wishlist"]] == ["Mật ong bạc hà"]
    assert [a["email"] for a in data["stock_alerts"]] == ["danhgia@example.vn"]

    done = client.post("/account/delete", data={"password": DEFAULT_PASSWORD, "understood": "y"})
    assert done.status_code == 303
    db.session.expire_all()
    [review] = db.session.scalars(select(Review)).all()
    assert review.user_id is None and review.author_name != "Chị Hoa"  # kept, no longer named
    assert db.session.scalars(select(WishlistItem)).all() == []
    assert db.session.scalars(select(StockAlert)).all() == []
