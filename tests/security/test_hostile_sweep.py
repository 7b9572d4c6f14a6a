"""Walk the whole URL map with hostile values, as four kinds of visitor: nothing answers 500.

Every rule is requested with its ids pointing at real rows (so the views run) and
its other path arguments, query string and form fields set to each hostile value;
then with methods it does not take. Found on PostgreSQL: huge ids and prices,
"--5" and "²" quantities, a non-ASCII token, NUL bytes, CR/LF and anonymous
OPTIONS on /admin all answered 500.
"""

import re
from urllib.parse import quote

import pytest

from storefront.cart import services as cart_services
from storefront.extensions import db
from storefront.models import MemberRole, StockReason
from storefront.orders.checkout import place_order
from storefront.producers import inventory, ledger
from tests.checkout.factories_checkout import details
from tests.conftest import AuthActions
from tests.factories import (
    AdminFactory,
    CertificateFactory,
    ProducerMemberFactory,
    ProductFactory,
    UserFactory,
    vid,
)

HOSTILE = {
    "huge": "99999999999999999999",
    "above_int": "3204925181",
    "negative": "-1",
    "double_minus": "--5",
    "superscript": "²",
    "non_ascii": "é",
    "nul": "OCOP\x00",
    "crlf": "HTX X\r\nBcc: x@evil.example",
    "long": "x" * 10_000,
}
# The names the shop's forms, filters and API arguments use.
FIELDS = [
    "q",
    "page",
    "per_page",
    "sort",
    "group",
    "stars",
    "producer",
    "province",
    "price_min",
    "price_max",
    "in_stock",
    "product_id",
    "quantity",
    "line_id",
    "price",
    "currency",
    "token",
    "reason",
    "amount",
    "idempotency_key",
    "name",
    "email",
    "phone",
    "street",
    "note",
    "password",
    "confirm",
    "next",
    "carrier",
    "tracking_number",
    "cash_received",
    "count",
    "threshold",
    "status",
    "role",
    "days",
    "type",
    "action",
    "audience",
    "tab",
    "lang",
    "description",
    "unit",
    "alt",
    "number",
    "bank_reference",
    "signed_on",
    "valid_until",
    "address_id",
    "ward",
    "payment_method",
    "producer_id",
    "kind",
    "story",
    "contact_name",
    "contact_email",
    "contact_phone",
]
WRONG_METHODS = ("PUT", "OPTIONS")
SKIP = {"static", "auth.logout"}  # logging out would change the visitor, not probe it
ARGUMENT = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")


@pytest.fixture
def world(app):
    membership = ProducerMemberFactory(role=MemberRole.OWNER)
    product = ProductFactory(producer=membership.producer, stock_on_hand=50)
    certificate = CertificateFactory(product=product)
    inventory.adjust(db.session, vid(product), 5, StockReason.HARVEST)
    ledger.record_payout(db.session, membership.producer, 10_000, "VCB-1", None)
    customer = UserFactory()
    cart = cart_services.create_anonymous_cart(db.session)
    cart_services.add_item(db.session, cart, product.id, 1)
    order = place_order(db.session, cart, details(), user=customer)
    admin = AdminFactory()
    db.session.commit()
    return {
        "visitors": {
            "guest": None,
            "customer": customer,
            "member": membership.user,
            "admin": admin,
        },
        "ids": {
            "product_id": product.id,
            "producer_id": membership.producer_id,
            "certificate_id": certificate.id,
            "order_id": order.id,
            "sub_order_id": order.sub_orders[0].id,
            "user_id": customer.id,
        },
        "strings": {"number": order.number},
    }


def _url(rule: str, world: dict, value: str) -> str:
    """The rule with real ids and order numbers, every other argument set to `value`."""

    def fill(match: re.Match) -> str:
        converter, args, name = match.groups()
        if converter == "int":
            return str(world["ids"].get(name, 1))
        if converter == "any":
            return args.split(",")[0].strip().strip("'\"")
        return quote(world["strings"].get(name, value), safe="")

    return ARGUMENT.sub(fill, rule)


def _probe(client, method: str, url: str, value: str | None):
    fields = {} if value is None else dict.fromkeys(FIELDS, value)
    if method in ("GET", "HEAD", "OPTIONS", "DELETE"):
        return client.open(url, method=method, query_string=fields)
    return client.open(url, method=method, data=fields)


# Each visitor's walk is cut into shards of the URL map (every SHARDS-th rule), so the
# workers share the sweep evenly instead of one worker ending the run with a whole walk.
SHARDS = 3


@pytest.mark.parametrize("shard", range(SHARDS))
@pytest.mark.parametrize("visitor", ["guest", "customer", "member", "admin"])
def test_no_hostile_value_makes_a_server_error(app, world, visitor, shard):
    client = app.test_client()
    user = world["visitors"][visitor]
    failures = []
    rules = sorted(app.url_map.iter_rules(), key=lambda rule: (rule.rule, rule.endpoint))
    for rule in rules[shard::SHARDS]:
        if rule.endpoint in SKIP:
            continue
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        attempts = [(method, _url(rule.rule, world, "1"), None) for method in WRONG_METHODS]
        for value in HOSTILE.values():
            url = _url(rule.rule, world, value)
            attempts += [(method, url, value) for method in methods]
        for method, url, value in attempts:
            if user is not None:
                AuthActions(client).login_as(user)
            try:
                status = _probe(client, method, url, value).status_code
            except Exception as error:  # the testing app propagates what would be a 500
                db.session.rollback()
                status = f"{type(error).__name__}: {str(error)[:120]}"
            if status == 500 or not isinstance(status, int):
                failures.append((method, url[:120], (value or "")[:30], status))
    assert failures == [], "\n".join(map(repr, failures))
