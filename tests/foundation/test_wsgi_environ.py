"""What the shop keeps in a request's WSGI environ: PEP 3333 says its keys are strings, and
gunicorn's access log reads every key as one (a tuple key raised in the logger on every
checkout page with a voucher: 8,525 errors in a 10-minute bench)."""

from flask import request, request_finished

from storefront.extensions import db
from tests.checkout.factories_checkout import form_data
from tests.factories import ProductFactory
from tests.promotions.voucher_helpers import ocop10


def test_every_environ_key_is_a_string_through_a_checkout_with_a_voucher(app, client):
    product = ProductFactory(price=150_000, stock_on_hand=10)
    ocop10()
    db.session.commit()
    odd_keys = []

    def look(sender, response, **extra):
        odd_keys.extend(repr(key) for key in request.environ if not isinstance(key, str))

    # A signal, not after_request: the shared test app has served requests already.
    request_finished.connect(look, app)
    try:
        assert client.get(f"/products/{product.slug}").status_code == 200
        client.post("/cart/add", data={"product_id": product.id, "quantity": 2})
        assert client.post("/cart/voucher", data={"code": "OCOP10"}).status_code == 303
        assert client.get("/cart").status_code == 200
        assert client.get("/checkout").status_code == 200
        assert client.post("/checkout", data=form_data("cod")).status_code == 303
    finally:
        request_finished.disconnect(look, app)
    assert odd_keys == []
