"""Product variants (issue 16): sizes, colours and bags, each with its own SKU, price, stock
and weight; stock, carts, checkout snapshots and the product page work per variant."""

import re

import pytest
from sqlalchemy import func, select

from storefront.cart import services as cart_services
from storefront.cart.models import CartLine
from storefront.catalogue import variants as variant_services
from storefront.catalogue.models import Product, ProductVariant, VariantStatus
from storefront.errors import FieldError, InvalidTransition, NotFound, OutOfStock, ValidationFailed
from storefront.extensions import db
from storefront.orders.checkout import place_order
from storefront.producers import inventory
from storefront.producers.models import StockMovement, StockReason
from tests.checkout.factories_checkout import details
from tests.factories import ProductFactory, product_with_variants

SIZES = {"S": (890_000, 2), "M": (890_000, 3), "L": (920_000, 2), "XL": (950_000, 1)}


def shirt(**fields):
    return product_with_variants(SIZES, name="Áo lanh nam", slug="ao-lanh-nam", **fields)


def by_size(product) -> dict[str, ProductVariant]:
    return {v.options[0]["value"]: v for v in product.variants}


def sums(product_id: int) -> tuple[int, int]:
    """What the variants say the product's summary columns should hold."""
    return db.session.execute(
        select(
            func.coalesce(func.sum(ProductVariant.stock_on_hand), 0),
            func.coalesce(func.sum(ProductVariant.stock_reserved), 0),
        ).where(
            ProductVariant.product_id == product_id,
            ProductVariant.status == VariantStatus.ACTIVE,
        )
    ).one()


def assert_summary_agrees(product: Product) -> None:
    db.session.refresh(product)
    assert (product.stock_on_hand, product.stock_reserved) == sums(product.id)


# ---------------------------------------------------------------- model and services


def test_every_new_product_gets_one_variant_carrying_its_price_and_stock(app):
    honey = ProductFactory(slug="mat-ong-bac-ha", price=350_000, stock_on_hand=12)
    db.session.flush()
    [variant] = honey.variants
    assert (variant.sku, variant.options, variant.label) == ("MAT-ONG-BAC-HA", [], "")
    assert (variant.price, variant.stock_on_hand, variant.weight_grams) == (350_000, 12, 500)
    assert honey.price_max == 350_000 and not honey.has_price_range


def test_add_variant_keeps_the_products_lowest_and_highest_price(app):
    product = shirt()
    producer = product.producer
    variant_services.add_variant(
        db.session,
        producer,
        product,
        variant_services.VariantInput(
            sku="AO-LANH-NAM-XXL", price=990_000, weight_grams=320, options={"size": "XXL"}
        ),
        initial_stock=4,
    )
    db.session.refresh(product)
    assert (product.price, product.price_max) == (890_000, 990_000)
    assert product.has_price_range
    assert_summary_agrees(product)
    xxl = product.variant_by_sku("AO-LANH-NAM-XXL")
    assert xxl.stock_on_hand == 4 and xxl.label in ("Cỡ XXL", "Size XXL")
    ledger = db.session.scalars(
        select(StockMovement).where(StockMovement.variant_id == xxl.id)
    ).all()
    assert [(m.reason, m.delta_on_hand, m.product_id) for m in ledger] == [
        (StockReason.INITIAL, 4, product.id)
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"weight_grams": 0}, "weight_grams"),
        ({"weight_grams": -5}, "weight_grams"),
        ({"weight_grams": 50_001}, "weight_grams"),
        ({"weight_grams": 10**12}, "weight_grams"),
        ({"price": 0}, "price"),
        ({"price": -1}, "price"),
        ({"price": 2**31}, "price"),
        ({"sku": "có dấu"}, "sku"),
        ({"sku": "AO-LANH-NAM-M"}, "sku"),  # another variant's
        ({"barcode": "12ab"}, "barcode"),
        ({"options": {"size": "M"}}, "size"),  # the same options as the M
        ({"options": {}}, "size"),
    ],
)
def test_bad_variant_input_is_refused_with_the_field_named(app, changes, field):
    product = shirt()
    data = {
        "sku": "AO-LANH-NAM-3XL",
        "price": 990_000,
        "weight_grams": 330,
        "options": {"size": "3XL"},
        **changes,
    }
    with pytest.raises(FieldError) as refused:
        variant_services.add_variant(
            db.session, product.producer, product, variant_services.VariantInput(**data)
        )
    assert refused.value.field == field
    assert len(product.variants) == 4


def test_huge_initial_stock_is_refused(app):
    product = shirt()
    data = variant_services.VariantInput(
        sku="AO-3XL", price=990_000, weight_grams=330, options={"size": "3XL"}
    )
    with pytest.raises(FieldError):
        variant_services.add_variant(
            db.session, product.producer, product, data, initial_stock=inventory.MAX_STOCK + 1
        )


def test_another_producers_variant_is_not_found(app):
    product = shirt()
    stranger = ProductFactory().producer
    with pytest.raises(NotFound):
        variant_services.set_variant_status(
            db.session, stranger, product.variants[0], VariantStatus.ARCHIVED
        )


def test_archiving_takes_the_variants_stock_out_of_the_summary_and_back(app):
    product = shirt()
    xl = by_size(product)["XL"]
    variant_services.set_variant_status(db.session, product.producer, xl, VariantStatus.ARCHIVED)
    db.session.refresh(product)
    assert (product.stock_on_hand, product.price_max) == (7, 920_000)
    assert_summary_agrees(product)
    variant_services.set_variant_status(db.session, product.producer, xl, VariantStatus.ACTIVE)
    db.session.refresh(product)
    assert (product.stock_on_hand, product.price_max) == (8, 950_000)


def test_the_last_variant_on_sale_cannot_be_archived(app):
    honey = ProductFactory()
    with pytest.raises(InvalidTransition):
        variant_services.set_variant_status(
            db.session, honey.producer, honey.variants[0], VariantStatus.ARCHIVED
        )


# ---------------------------------------------------------------- inventory per variant


def test_reserving_one_size_leaves_the_other_sizes_alone(app):
    product = shirt()
    sizes = by_size(product)
    inventory.reserve(db.session, {sizes["M"].id: 3, sizes["L"].id: 1})
    db.session.commit()
    db.session.refresh(sizes["M"])
    assert (sizes["M"].available, sizes["L"].available, sizes["S"].available) == (0, 1, 2)
    with pytest.raises(OutOfStock):
        inventory.reserve(db.session, {sizes["M"].id: 1})
    db.session.rollback()
    inventory.reserve(db.session, {sizes["S"].id: 2})
    inventory.release(db.session, sizes["M"].id, 1)
    inventory.consume(db.session, sizes["M"].id, 2)
    assert_summary_agrees(product)
    db.session.refresh(product)
    assert (product.stock_on_hand, product.stock_reserved) == (6, 3)


def test_archived_variant_cannot_be_reserved_but_its_orders_still_release(app):
    product = shirt()
    m = by_size(product)["M"]
    inventory.reserve(db.session, {m.id: 2})
    variant_services.set_variant_status(db.session, product.producer, m, VariantStatus.ARCHIVED)
    db.session.commit()
    with pytest.raises(OutOfStock):
        inventory.reserve(db.session, {m.id: 1})
    db.session.rollback()
    inventory.release(db.session, m.id, 2)  # the open order is cancelled: fine
    db.session.refresh(m)
    assert (m.stock_on_hand, m.stock_reserved) == (3, 0)
    assert_summary_agrees(product)


# ---------------------------------------------------------------- cart and checkout


def test_an_m_and_an_l_in_one_cart_become_two_snapshotted_order_lines(app):
    product = shirt()
    sizes = by_size(product)
    cart = cart_services.create_anonymous_cart(db.session)
    cart_services.add_item(db.session, cart, product.id, 1, variant_id=sizes["M"].id)
    cart_services.add_item(db.session, cart, product.id, 2, variant_id=str(sizes["L"].id))
    cart_services.add_item(db.session, cart, product.id, 1, variant_id=sizes["M"].id)
    assert sorted((line.variant_id, line.quantity) for line in cart.lines) == sorted(
        [(sizes["M"].id, 2), (sizes["L"].id, 2)]
    )
    summary = cart_services.summarize(db.session, cart, cart_services.ShippingPolicy(0, 1))
    assert summary.items_total == 2 * 890_000 + 2 * 920_000
    db.session.commit()

    order = place_order(db.session, cart, details())
    db.session.commit()
    lines = {line.sku: line for line in order.lines}
    assert set(lines) == {"AO-LANH-NAM-M", "AO-LANH-NAM-L"}
    m, l_line = lines["AO-LANH-NAM-M"], lines["AO-LANH-NAM-L"]
    assert (m.variant_id, m.unit_price, m.quantity, m.weight_grams) == (
        sizes["M"].id,
        890_000,
        2,
        sizes["M"].weight_grams,
    )
    assert l_line.unit_price == 920_000 and l_line.variant_label in ("Cỡ L", "Size L")
    assert l_line.title.startswith("Áo lanh nam (")
    db.session.refresh(sizes["M"])
    db.session.refresh(sizes["S"])
    assert (sizes["M"].stock_reserved, sizes["S"].stock_reserved) == (2, 0)
    reserved = db.session.scalars(
        select(StockMovement).where(StockMovement.reason == StockReason.RESERVE)
    ).all()
    assert {(m.variant_id, m.delta_reserved) for m in reserved} == {
        (sizes["M"].id, 2),
        (sizes["L"].id, 2),
    }
    assert_summary_agrees(product)

    # Later edits never rewrite the order's snapshot.
    sizes["L"].price, sizes["L"].sku = 1_000_000, "AO-L-MOI"
    db.session.commit()
    db.session.refresh(l_line)
    assert (l_line.sku, l_line.unit_price) == ("AO-LANH-NAM-L", 920_000)


def test_a_product_with_several_variants_needs_a_choice(app):
    product = shirt()
    cart = cart_services.create_anonymous_cart(db.session)
    with pytest.raises(ValidationFailed) as refused:
        cart_services.add_item(db.session, cart, product.id, 1)
    assert "Áo lanh nam" in str(refused.value.message)


@pytest.mark.parametrize("which", ["unknown", "archived", "other_product", "garbage", "huge"])
def test_a_bad_variant_id_in_add_to_cart_is_refused(app, which):
    product = shirt()
    other = ProductFactory()
    xl = by_size(product)["XL"]
    variant_services.set_variant_status(db.session, product.producer, xl, VariantStatus.ARCHIVED)
    variant_id = {
        "unknown": 999_999,
        "archived": xl.id,
        "other_product": other.variants[0].id,
        "garbage": "1; DROP TABLE",
        "huge": str(2**40),
    }[which]
    cart = cart_services.create_anonymous_cart(db.session)
    with pytest.raises(NotFound):
        cart_services.add_item(db.session, cart, product.id, 1, variant_id=variant_id)
    assert cart.lines == []


def test_only_what_is_left_of_the_chosen_size_can_be_added(app):
    product = shirt()
    cart = cart_services.create_anonymous_cart(db.session)
    with pytest.raises(OutOfStock) as refused:
        cart_services.add_item(
            db.session, cart, product.id, 2, variant_id=by_size(product)["XL"].id
        )
    assert "Only 1" in str(refused.value.message) or "Chỉ còn 1" in str(refused.value.message)


def test_a_variant_archived_in_the_cart_is_flagged_and_blocks_checkout(client):
    product = shirt()
    sizes = by_size(product)
    db.session.commit()
    client.set_cookie("lang", "en")
    for size in ("M", "L"):
        response = client.post(
            "/cart/add",
            data={"product_id": product.id, "variant_id": sizes[size].id, "quantity": 1},
        )
        assert response.status_code == 303
    variant_services.set_variant_status(
        db.session, product.producer, sizes["L"], VariantStatus.ARCHIVED
    )
    db.session.commit()

    text = client.get("/cart").get_data(as_text=True)
    assert "This option is no longer sold" in text
    assert client.get("/checkout").headers["Location"].endswith("/cart")
    client.post("/cart/accept-changes")
    lines = db.session.scalars(select(CartLine)).all()
    assert [line.variant_id for line in lines] == [sizes["M"].id]
    assert "no longer sold" not in client.get("/cart").get_data(as_text=True)


# ---------------------------------------------------------------- product page and API


def test_product_page_picks_a_variant_without_javascript(client):
    product = shirt(name_en="Men's linen shirt")
    sizes = by_size(product)
    db.session.commit()
    client.set_cookie("lang", "en")
    page = client.get("/products/ao-lanh-nam").get_data(as_text=True)
    radios = re.findall(r'<input type="radio" name="variant_id" value="(\d+)"', page)
    assert sorted(map(int, radios)) == sorted(v.id for v in product.variants)
    for size in SIZES:
        assert f"?variant=AO-LANH-NAM-{size}" in page

    chosen = client.get("/products/ao-lanh-nam?variant=AO-LANH-NAM-XL").get_data(as_text=True)
    assert "950.000" in chosen.split('class="product-price"')[1].split("</p>")[0]
    checked = re.search(r'value="(\d+)" checked', chosen)
    assert checked and int(checked.group(1)) == sizes["XL"].id
    # JSON-LD: one Offer per variant, each with its SKU and price.
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', chosen, re.S).group(1)
    assert ld.count('"@type": "Offer"') == 4 and '"sku": "AO-LANH-NAM-L"' in ld

    # The form posts the radio button's value: the L goes in the cart.
    response = client.post(
        "/cart/add", data={"product_id": product.id, "variant_id": sizes["L"].id, "quantity": 1}
    )
    assert response.status_code == 303
    assert db.session.scalar(select(CartLine.variant_id)) == sizes["L"].id


def test_a_bad_variant_in_the_add_to_cart_form_gets_a_message_not_a_500(client):
    product = shirt()
    db.session.commit()
    client.set_cookie("lang", "en")
    for bad in ("999999", "x", "-1", str(2**40), ""):
        response = client.post(
            "/cart/add", data={"product_id": product.id, "variant_id": bad, "quantity": 1}
        )
        assert response.status_code in (404, 422), bad
    assert db.session.scalar(select(func.count()).select_from(CartLine)) == 0


def test_card_says_from_the_lowest_price_when_prices_differ(client):
    shirt()
    ProductFactory(name="Mật ong", price=350_000)
    db.session.commit()
    client.set_cookie("lang", "en")
    text = client.get("/products").get_data(as_text=True)
    assert "from 890.000" in text
    assert "from 350.000" not in text and "350.000" in text


def test_api_lists_every_variant(client):
    shirt()
    db.session.commit()
    data = client.get("/api/v1/products/ao-lanh-nam").get_json()
    assert [v["sku"] for v in data["variants"]] == [f"AO-LANH-NAM-{s}" for s in SIZES]
    assert data["variants"][1] == {
        "sku": "AO-LANH-NAM-M",
        "options": {"size": "M"},
        "label": data["variants"][1]["label"],
        "price": 890_000,
        "available": 3,
        "weight_grams": 260,
    }
    assert (data["price"], data["price_max"]) == (890_000, 950_000)
    listing = client.get("/api/v1/products").get_json()
    assert len(listing["items"][0]["variants"]) == 4


# ---------------------------------------------------------------- the demo


def test_demo_sells_the_shirt_in_four_sizes_the_scarf_in_three_colours_and_bags(runner, client):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    shirt_json = client.get("/api/v1/products/ao-lanh-nam").get_json()
    assert [v["options"] for v in shirt_json["variants"]] == [
        {"size": size} for size in ("S", "M", "L", "XL")
    ]
    assert sum(v["available"] for v in shirt_json["variants"]) == shirt_json["available"]
    scarf = client.get("/api/v1/products/khan-tho-cam-pho-bang").get_json()
    assert len({v["options"]["colour"] for v in scarf["variants"]}) == 3
    chestnuts = client.get("/api/v1/products/hat-de-sang-tung").get_json()
    assert [v["weight_grams"] for v in chestnuts["variants"]] == [520, 1_030, 2_050]
    assert chestnuts["price"] == 65_000 and chestnuts["price_max"] == 230_000
    # Every other product sells in its one form; the summary columns agree with the variants.
    for product in db.session.scalars(select(Product)):
        assert product.active_variants
        assert_summary_agrees(product)
    client.set_cookie("lang", "vi")
    assert "từ 65.000" in client.get("/products?q=hat+de").get_data(as_text=True)


def test_the_products_sale_gives_every_variant_the_same_share_off(app):
    from datetime import timedelta

    from storefront.clock import utcnow
    from storefront.promotions.pricing import variant_price_now

    bags = product_with_variants(
        {"500 g": (100_000, 5), "2 kg": (350_000, 5)}, kind="weight", slug="hat-de"
    )
    small, big = bags.variants
    bags.sale_price, bags.sale_starts_at = 80_000, utcnow() - timedelta(hours=1)
    bags.sale_ends_at = utcnow() + timedelta(days=1)
    assert (variant_price_now(small), variant_price_now(big)) == (80_000, 280_000)
    bags.sale_ends_at = utcnow() - timedelta(minutes=1)
    assert (variant_price_now(small), variant_price_now(big)) == (100_000, 350_000)


def test_a_parcel_weighs_its_variants(app):
    from storefront.shipping.quotes import parcel_weight_grams

    product = shirt()
    sizes = by_size(product)
    cart = cart_services.create_anonymous_cart(db.session)
    cart_services.add_item(db.session, cart, product.id, 2, variant_id=sizes["S"].id)
    cart_services.add_item(db.session, cart, product.id, 1, variant_id=sizes["XL"].id)
    [group] = cart_services.summarize(db.session, cart, cart_services.ShippingPolicy(0, 1)).groups
    weight = parcel_weight_grams(group.lines)
    assert weight == 2 * sizes["S"].weight_grams + sizes["XL"].weight_grams == 780
    # A line's weight_grams is per unit, as on the order line (shipping multiplies).
    assert sorted(view.weight_grams for view in group.lines) == [250, 280]


def test_a_variant_with_its_own_photo_shows_it_when_chosen(client):
    from storefront.catalogue.models import ProductImage

    product = shirt()
    images = [
        ProductImage(
            product=product, position=i, filename=f"p/{n}.jpg", thumb_filename=f"p/{n}-t.jpg"
        )
        for i, n in enumerate(("ao-trang", "ao-cham"))
    ]
    db.session.add_all(images)
    db.session.flush()
    by_size(product)["L"].image_id = images[1].id
    db.session.commit()
    plain = client.get("/products/ao-lanh-nam?variant=AO-LANH-NAM-M").get_data(as_text=True)
    chosen = client.get("/products/ao-lanh-nam?variant=AO-LANH-NAM-L").get_data(as_text=True)
    main = re.compile(r'id="gallery-main" src="([^"]+)"')
    assert main.search(plain).group(1).endswith("p/ao-trang.jpg")
    assert main.search(chosen).group(1).endswith("p/ao-cham.jpg")
