"""The buyer pays by card: in demo mode (no Stripe key), and through the real Stripe code
path against a local fake of Stripe's API, hosted page and webhook."""

import pytest

from .conftest import PHONE
from .fake_stripe import CHECKOUT_ORIGIN
from .journeys import HONEY, checkout_as_guest, order_from_page, search_mint_honey_4_stars, submit
from .live import start_shop, stop_shop

WEBHOOK_SECRET = "whsec_e2e_local_fake"


@pytest.fixture(scope="module")
def stripe_shop(browser, fake_stripe, tmp_path_factory):
    if fake_stripe.host_resolver_rule is None:
        pytest.skip("openssl is needed for the fake checkout.stripe.com certificate")
    live = start_shop(
        tmp_path_factory.mktemp("stripe-shop"),
        {
            "STRIPE_SECRET_KEY": "sk_test_e2e_local_fake",
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "STRIPE_API_BASE": fake_stripe.api_base,
        },
    )
    yield live
    stop_shop(live)


def put_one_jar_in_the_cart(tab) -> None:
    search_mint_honey_4_stars(tab)
    submit(tab, f".product-card-link:has-text('{HONEY}')")
    submit(tab, "form.add-to-cart button[type=submit]")
    tab.shot("cart")


def payment_status(live, number: str) -> str:
    return live.query("SELECT payment_status FROM orders WHERE number = ?", (number,))[0][0]


def test_card_payment_in_demo_mode(shop, open_tab):
    tab = open_tab(shop, viewport=PHONE)
    put_one_jar_in_the_cart(tab)
    tab.goto("/checkout", "checkout")
    assert tab.page.locator("label[for$='payment_method-2'] .pill, .pill-warn").count() >= 1
    checkout_as_guest(tab, "card")

    # The clearly labelled demo page stands in for Stripe.
    tab.shot("demo-payment-page")
    assert "/demo-pay" in tab.page.url
    assert "demo" in tab.page.locator("h1").inner_text().lower()
    number = tab.page.locator(".facts dd").first.inner_text().strip()
    assert payment_status(shop, number) == "pending"

    submit(tab, "button[name=outcome][value=pay]")
    tab.shot("order-paid-demo")
    order = order_from_page(tab)
    assert order.number == number
    assert payment_status(shop, number) == "paid"
    assert tab.page.locator(".order-head .pill-ok").count() == 1


def test_card_payment_through_stripe_checkout(stripe_shop, fake_stripe, open_tab):
    tab = open_tab(stripe_shop, viewport=PHONE, accept_fake_stripe=True)
    put_one_jar_in_the_cart(tab)
    checkout_as_guest(tab, "card")

    # Redirected to Stripe's hosted page (CSP form-action allows exactly that origin).
    assert tab.page.url.startswith(CHECKOUT_ORIGIN + "/c/pay/cs_test_"), tab.page.url
    tab.shot("stripe-hosted-checkout")
    session_id = tab.page.url.rsplit("/", 1)[-1]
    session = fake_stripe.sessions[session_id]
    number = session["client_reference_id"]
    assert session["metadata"] == {"order_number": number}
    sent = next(r for r in fake_stripe.requests if r["path"] == "/v1/checkout/sessions")
    assert sent["headers"]["Idempotency-Key"] == f"order-{number}-checkout"
    items = sent["params"]["line_items"]
    assert {item["price_data"]["currency"] for item in items.values()} == {"vnd"}
    assert items["0"]["price_data"]["unit_amount"] == "350000"  # đồng, never ×100
    grand_total = stripe_shop.query("SELECT grand_total FROM orders WHERE number = ?", (number,))
    assert session["amount_total"] == grand_total[0][0]
    assert payment_status(stripe_shop, number) == "pending"

    # The buyer pays; Stripe calls the webhook, then sends the buyer back.
    tab.page.click("#pay")
    event = fake_stripe.complete(session_id)
    assert fake_stripe.deliver(event, stripe_shop.base_url, WEBHOOK_SECRET) == 200
    assert payment_status(stripe_shop, number) == "paid"
    tab.goto(session["success_url"], "order-paid-stripe")
    order = order_from_page(tab)
    assert order.number == number
    assert tab.page.locator(".order-head .pill-ok").count() == 1

    # Stripe delivers at least once: the same event again is answered 2xx and changes nothing.
    assert fake_stripe.deliver(event, stripe_shop.base_url, WEBHOOK_SECRET) == 200
    assert stripe_shop.query("SELECT count(*) FROM webhook_events") == [(1,)]
    assert payment_status(stripe_shop, number) == "paid"
    assert stripe_shop.query(
        "SELECT count(*) FROM payments p JOIN orders o ON o.id = p.order_id "
        "WHERE o.number = ? AND p.status = 'paid'",
        (number,),
    ) == [(1,)]
