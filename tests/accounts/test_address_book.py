"""The address book at /account/addresses, and checkout offering it."""

import re

from sqlalchemy import select

from storefront.auth.models import Address
from storefront.extensions import db
from tests.checkout.factories_checkout import PROVINCE, WARD
from tests.factories import ProductFactory, UserFactory

FORM = {
    "recipient_name": "Lò Thị Mai",
    "phone": "0912 345 678",
    "province": str(PROVINCE),
    "ward": str(WARD),
    "street": "Thôn Lũng Cẩm",
}


def addresses_of(user):
    return db.session.scalars(
        select(Address).where(Address.user_id == user.id).order_by(Address.id)
    ).all()


def test_add_edit_default_and_delete(client, auth):
    user = UserFactory()
    db.session.commit()
    auth.login_as(user)
    assert client.get("/account/addresses").status_code == 200
    assert client.post("/account/addresses/new", data=FORM).status_code == 303
    assert (
        client.post(
            "/account/addresses/new", data={**FORM, "street": "Số 5 phố Hàng Bạc"}
        ).status_code
        == 303
    )
    first, second = addresses_of(user)
    assert first.is_default and not second.is_default  # the first one is the default

    edit = client.post(
        f"/account/addresses/{second.id}/edit",
        data={**FORM, "street": "Số 7 phố Hàng Bạc", "make_default": "y"},
    )
    assert edit.status_code == 303
    db.session.expire_all()
    first, second = addresses_of(user)
    assert second.street == "Số 7 phố Hàng Bạc" and second.is_default and not first.is_default

    assert client.post(f"/account/addresses/{first.id}/default").status_code == 303
    db.session.expire_all()
    assert [a.is_default for a in addresses_of(user)] == [True, False]

    assert client.post(f"/account/addresses/{first.id}/delete").status_code == 303
    db.session.expire_all()
    (left,) = addresses_of(user)
    assert left.id == second.id and left.is_default  # the default moved to the one left


def test_bad_input_is_refused_with_field_errors(client, auth):
    user = UserFactory()
    db.session.commit()
    auth.login_as(user)
    client.set_cookie("lang", "en")
    for bad in (
        {**FORM, "ward": "1"},
        {**FORM, "province": "99999999999999"},
        {**FORM, "street": ""},
        {**FORM, "phone": "abc"},
        {**FORM, "recipient_name": "x" * 121},
    ):
        response = client.post("/account/addresses/new", data=bad)
        assert response.status_code == 422, bad
    assert addresses_of(user) == []


def test_another_persons_address_is_not_found(client, auth):
    owner = UserFactory()
    other = UserFactory()
    db.session.add(
        Address(
            user_id=owner.id,
            recipient_name="Chủ",
            phone="0912345678",
            province_code=PROVINCE,
            ward_code=WARD,
            street="Nhà chủ",
            is_default=True,
        )
    )
    db.session.commit()
    (address,) = addresses_of(owner)
    auth.login_as(other)
    assert client.get(f"/account/addresses/{address.id}/edit").status_code == 404
    assert client.post(f"/account/addresses/{address.id}/delete").status_code == 404
    assert client.post(f"/account/addresses/{address.id}/default").status_code == 404
    assert client.post(f"/account/addresses/{address.id}/edit", data=FORM).status_code == 404
    db.session.expire_all()
    assert addresses_of(owner)[0].street == "Nhà chủ"


def test_checkout_offers_saved_addresses_default_first(client, auth):
    user = UserFactory()
    db.session.commit()
    auth.login_as(user)
    client.post("/account/addresses/new", data={**FORM, "street": "Nhà thứ nhất"})
    client.post(
        "/account/addresses/new", data={**FORM, "street": "Nhà mặc định", "make_default": "y"}
    )
    product = ProductFactory()
    db.session.commit()
    client.post("/cart/add", data={"product_id": product.id, "quantity": 1})
    page = client.get("/checkout").get_data(as_text=True)
    assert "Nhà thứ nhất" in page and "Nhà mặc định" in page
    default = next(a for a in addresses_of(user) if a.is_default)
    checked = re.findall(r'<input checked[^>]*name="address_id"[^>]*value="(\d+)"', page)
    assert checked == [str(default.id)]
    assert page.index("Nhà mặc định") < page.index("Nhà thứ nhất")


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get("/account/addresses").status_code == 302
    assert client.get("/account/export").status_code == 302
    assert client.get("/account/2fa").status_code == 302
