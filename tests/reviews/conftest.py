import pytest

from storefront.extensions import db
from storefront.models import MemberRole
from storefront.orders import routing
from storefront.orders.checkout import place_order
from tests.checkout.factories_checkout import cart_with, details
from tests.conftest import AuthActions
from tests.factories import AdminFactory, ProducerMemberFactory, ProductFactory, UserFactory


@pytest.fixture
def shop(app):
    coop = ProducerMemberFactory(producer__name="HTX Mật ong", role=MemberRole.OWNER)
    honey = ProductFactory(
        producer=coop.producer, name="Mật ong bạc hà", slug="mat-ong", price=350_000
    )
    buyer = UserFactory(email="mai@example.vn", name="Lò Thị Mai")
    stranger = UserFactory(email="lan@example.vn", name="Trần Lan")
    admin = AdminFactory(email="admin@example.vn")
    db.session.commit()
    return {
        "honey": honey,
        "owner": coop.user,
        "producer": coop.producer,
        "buyer": buyer,
        "stranger": stranger,
        "admin": admin,
    }


def order_for(shop, buyer=None, deliver=True, quantity=1):
    buyer = buyer or shop["buyer"]
    order = place_order(
        db.session,
        cart_with({shop["honey"]: quantity}, user=buyer),
        details(email=buyer.email),
        user=buyer,
    )
    db.session.commit()
    sub_order = order.sub_orders[0]
    routing.confirm(db.session, sub_order, None)
    routing.pack(db.session, sub_order, None)
    routing.ship(db.session, sub_order, None, "GHN", "G1")
    if deliver:
        routing.deliver(db.session, sub_order, None, cash_received=True)
    db.session.commit()
    return order, sub_order.lines[0]


def client_as(app, user):
    client = app.test_client()
    AuthActions(client).login_as(user)
    return client
