"""The dashboard's variants page: add, edit, archive and restore sizes; stock per variant."""

import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Product, ProductVariant, StockMovement, VariantStatus

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"


def _variant_form(**changes):
    return {
        "sku": "MAT-ONG-500",
        "price": "350000",
        "weight_grams": "650",
        "volume": "500 ml",
        "low_stock_threshold": "2",
        "initial_stock": "0",
        **changes,
    }


def _variants(product_id):
    db.session.expire_all()
    return db.session.get(Product, product_id).variants


def test_a_member_gives_a_product_two_sizes_and_archives_one(client, login_a):
    client.set_cookie("lang", "en")
    product = login_a.product  # one form, 20 on hand
    first = product.variants[0]
    page = client.get(f"/dashboard/products/{product.id}/variants")
    assert page.status_code == 200 and "First give the existing variant" in page.text

    # The only form gets its option first, then a second size is added with its own stock.
    edited = client.post(f"/dashboard/variants/{first.id}", data=_variant_form())
    assert edited.status_code == 303
    added = client.post(
        f"/dashboard/products/{product.id}/variants",
        data=_variant_form(sku="MAT-ONG-250", volume="250 ml", price="190000", initial_stock="8"),
    )
    assert added.status_code == 303
    small, large = sorted(_variants(product.id), key=lambda v: v.price)
    assert (small.sku, small.stock_on_hand, small.weight_grams) == ("MAT-ONG-250", 8, 650)
    product = db.session.get(Product, product.id)
    assert (product.price, product.price_max, product.stock_on_hand) == (190_000, 350_000, 28)

    # Stock per variant from the stock page.
    moved = client.post(
        f"/dashboard/products/{product.id}/stock",
        data={"variant_id": str(small.id), "reason": "harvest", "quantity": "5"},
    )
    assert moved.status_code == 303
    assert db.session.get(ProductVariant, small.id).stock_on_hand == 13
    no_choice = client.post(
        f"/dashboard/products/{product.id}/stock", data={"reason": "harvest", "quantity": "5"}
    )
    assert no_choice.status_code == 422 and "Choose which variant" in no_choice.text

    archived = client.post(f"/dashboard/variants/{small.id}/status", data={"status": "archived"})
    assert archived.status_code == 303
    db.session.expire_all()
    assert db.session.get(ProductVariant, small.id).status is VariantStatus.ARCHIVED
    product = db.session.get(Product, product.id)
    assert (product.price, product.stock_on_hand) == (350_000, 20)
    refused = client.post(f"/dashboard/variants/{large.id}/status", data={"status": "archived"})
    assert refused.status_code == 303
    assert db.session.get(ProductVariant, large.id).status is VariantStatus.ACTIVE
    ledger = db.session.scalars(
        select(StockMovement.variant_id).where(StockMovement.product_id == product.id)
    ).all()
    assert set(ledger) == {small.id}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"weight_grams": "0"}, "Enter a weight from 1 to 50.000 grams."),
        ({"weight_grams": "50001"}, "Enter a weight from 1 to 50.000 grams."),
        ({"weight_grams": "99999999999999999999"}, "Enter a weight from 1 to 50.000 grams."),
        ({"weight_grams": ""}, "Enter the weight in grams."),
        ({"price": "-5"}, "Enter a price from 1 to 99.999.999 đồng."),
        ({"price": "99999999999999"}, "Enter a price from 1 to 99.999.999 đồng."),
        ({"sku": ""}, "Enter a SKU."),
        ({"sku": "mã có dấu"}, "A SKU is 1 to 64 letters"),
        ({"barcode": "12"}, "A barcode is 8 to 14 digits"),
        ({"initial_stock": "-1"}, "Number must be between 0 and 1000000."),
        ({"initial_stock": "5000000"}, "Number must be between 0 and 1000000."),
        ({"volume": "x" * 41}, "Field cannot be longer than 40 characters."),
    ],
)
def test_bad_variant_input_gets_a_clear_message(client, login_a, changes, message):
    client.set_cookie("lang", "en")
    product = login_a.product
    client.post(f"/dashboard/variants/{product.variants[0].id}", data=_variant_form())
    response = client.post(
        f"/dashboard/products/{product.id}/variants",
        data=_variant_form(**{"sku": "MAT-ONG-250", "volume": "250 ml", **changes}),
    )
    assert response.status_code == 422
    assert message in response.text
    assert len(_variants(product.id)) == 1


@pytest.mark.parametrize("user_agent", [PHONE, None])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_variant_pages_render_on_phone_and_desktop(client, login_a, user_agent, lang):
    client.set_cookie("lang", lang)
    headers = {"User-Agent": user_agent} if user_agent else {}
    product = login_a.product
    texts = []
    for url in (
        f"/dashboard/products/{product.id}/variants",
        f"/dashboard/variants/{product.variants[0].id}",
        f"/dashboard/products/{product.id}/stock",
    ):
        response = client.get(url, headers=headers)
        assert response.status_code == 200, url
        assert 'name="viewport"' in response.text
        texts.append(response.text)
    weight = "Khối lượng cả bao bì" if lang == "vi" else "Weight with packaging"
    assert weight in texts[0] and weight in texts[1]
