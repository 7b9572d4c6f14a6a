import pytest
from sqlalchemy import select

from storefront.cart import services
from storefront.cart.models import Cart, CartLine
from storefront.catalogue.models import ProductStatus
from storefront.errors import NotFound, OutOfStock, ValidationFailed
from storefront.extensions import db
from storefront.producers.models import ProducerStatus
from tests.checkout.factories_checkout import cart_with
from tests.factories import ProducerFactory, ProductFactory, UserFactory, variant_of

POLICY = services.ShippingPolicy(fee=30_000, free_threshold=500_000)


def test_add_uses_database_price_and_sums_quantities(app):
    honey = ProductFactory(price=250_000)
    cart = services.create_anonymous_cart(db.session)
    services.add_item(db.session, cart, honey.id, "2")
    services.add_item(db.session, cart, str(honey.id), 1)
    assert len(cart.lines) == 1
    assert cart.lines[0].quantity == 3
    assert cart.lines[0].price_seen == 250_000


@pytest.mark.parametrize("quantity", ["0", "-1", "1.5", "abc", "", "1e3", "100", 10**9, True])
def test_bad_quantities_are_rejected_and_nothing_changes(app, quantity):
    honey = ProductFactory()
    cart = cart_with({honey: 2})
    with pytest.raises(ValidationFailed):
        services.add_item(db.session, cart, honey.id, quantity)
    db.session.expire_all()
    assert [line.quantity for line in cart.lines] == [2]


def test_tampered_price_or_currency_is_rejected(app):
    honey = ProductFactory(price=250_000)
    cart = services.create_anonymous_cart(db.session)
    with pytest.raises(ValidationFailed):
        services.add_item(db.session, cart, honey.id, 1, price="1000")
    with pytest.raises(ValidationFailed):
        services.add_item(db.session, cart, honey.id, 1, currency="USD")
    assert cart.lines == []
    # An honest echo is fine.
    services.add_item(db.session, cart, honey.id, 1, price="250000", currency="vnd")
    assert cart.lines[0].price_seen == 250_000


def test_unpublished_or_suspended_products_cannot_be_added(app):
    draft = ProductFactory(status=ProductStatus.DRAFT)
    archived = ProductFactory(status=ProductStatus.ARCHIVED)
    suspended = ProductFactory(producer=ProducerFactory(status=ProducerStatus.SUSPENDED))
    cart = services.create_anonymous_cart(db.session)
    for product_id in (draft.id, archived.id, suspended.id, 999_999, "x"):
        with pytest.raises(NotFound):
            services.add_item(db.session, cart, product_id, 1)
    assert cart.lines == []


def test_stock_caps_the_cart_but_made_to_order_does_not(app):
    honey = ProductFactory(stock_on_hand=3, stock_reserved=1)
    linen = ProductFactory(stock_on_hand=0, made_to_order=True, lead_time_days=10)
    cart = services.create_anonymous_cart(db.session)
    with pytest.raises(OutOfStock, match="2"):
        services.add_item(db.session, cart, honey.id, 3)
    services.add_item(db.session, cart, honey.id, 2)
    services.add_item(db.session, cart, linen.id, 5)
    assert sorted(line.quantity for line in cart.lines) == [2, 5]


def test_set_quantity_and_remove_only_touch_own_lines(app):
    honey = ProductFactory()
    mine = cart_with({honey: 1})
    other = cart_with({honey: 4})
    other_line = other.lines[0]
    with pytest.raises(NotFound):
        services.set_quantity(db.session, mine, other_line.id, 2)
    with pytest.raises(NotFound):
        services.remove_line(db.session, mine, other_line.id)
    services.set_quantity(db.session, mine, mine.lines[0].id, 5)
    assert mine.lines[0].quantity == 5
    with pytest.raises(ValidationFailed):
        services.set_quantity(db.session, mine, mine.lines[0].id, 0)
    services.remove_line(db.session, mine, mine.lines[0].id)
    assert mine.lines == []
    assert other_line.quantity == 4


def test_summary_groups_by_producer_with_shipping_and_flags(app):
    coop_a, coop_b = ProducerFactory(), ProducerFactory()
    honey = ProductFactory(producer=coop_a, price=250_000)
    tea = ProductFactory(producer=coop_a, price=100_000)
    linen = ProductFactory(producer=coop_b, price=600_000)
    cart = cart_with({honey: 1, tea: 1, linen: 1})
    summary = services.summarize(db.session, cart, POLICY)
    assert [g.producer.id for g in summary.groups] == sorted([coop_a.id, coop_b.id])
    by_producer = {g.producer.id: g for g in summary.groups}
    assert by_producer[coop_a.id].subtotal == 350_000
    assert by_producer[coop_a.id].shipping_fee == 30_000
    assert by_producer[coop_b.id].shipping_fee == 0  # free from 500.000 ₫
    assert summary.grand_total == 350_000 + 30_000 + 600_000
    assert not summary.has_problems

    variant_of(honey).price = 260_000
    tea.status = ProductStatus.ARCHIVED
    db.session.flush()
    summary = services.summarize(db.session, cart, POLICY)
    views = {v.product.id: v for v in summary.all_lines}
    assert views[honey.id].price_changed and views[honey.id].previous_price == 250_000
    assert views[tea.id].unavailable
    assert summary.has_problems
    assert by_producer[coop_a.id].producer.id == coop_a.id
    assert summary.items_total == 260_000 + 600_000  # archived line not counted

    services.accept_changes(db.session, cart)
    summary = services.summarize(db.session, cart, POLICY)
    assert not summary.has_problems
    assert {v.product.id for v in summary.all_lines} == {honey.id, linen.id}


def test_merge_sums_and_caps_at_stock(app):
    user = UserFactory()
    honey = ProductFactory(stock_on_hand=5)
    tea = ProductFactory(stock_on_hand=10)
    gone = ProductFactory()
    user_cart = cart_with({honey: 3}, user=user)
    anonymous = cart_with({honey: 4, tea: 2, gone: 1})
    gone.status = ProductStatus.ARCHIVED
    db.session.flush()
    services.merge_carts(db.session, anonymous.token, user)
    db.session.expire_all()
    quantities = {line.product_id: line.quantity for line in user_cart.lines}
    assert quantities == {honey.id: 5, tea.id: 2}
    assert db.session.scalar(select(Cart).where(Cart.token == anonymous.token)) is None


def test_merge_adopts_the_cart_when_the_user_has_none(app):
    user = UserFactory()
    honey = ProductFactory()
    anonymous = cart_with({honey: 2})
    old_token = anonymous.token
    services.merge_carts(db.session, old_token, user)
    cart = services.find_user_cart(db.session, user)
    assert cart.id == anonymous.id and cart.token != old_token
    assert [line.quantity for line in cart.lines] == [2]
    services.merge_carts(db.session, "no-such-token", user)  # harmless
    assert db.session.scalar(select(CartLine.quantity)) == 2
