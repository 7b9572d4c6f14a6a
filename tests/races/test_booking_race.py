"""Ten "Gửi hàng" clicks at once book the carrier once: one shipment, one booking with the
(fake) carrier, one move to shipped, one audit record. PostgreSQL only (SQLite serialises
every writer)."""

from flask import current_app
from sqlalchemy import func, select

from storefront.admin.models import AuditEvent
from storefront.extensions import db
from storefront.orders import routing
from storefront.orders.models import OrderEvent, ProducerOrder, SubOrderStatus
from storefront.producers.models import StockMovement, StockReason
from storefront.shipping import accounts
from storefront.shipping.models import Shipment, ShipmentStatus
from tests.conftest import AuthActions, requires_postgres
from tests.factories import ProducerMemberFactory, ProductFactory, place_test_order
from tests.shipping.helpers import HCM, HCM_WARD

from .racing import RACERS, post_all, statuses

pytestmark = requires_postgres


def test_ten_clicks_at_once_book_the_parcel_once(app):
    membership = ProducerMemberFactory()
    product = ProductFactory(producer=membership.producer, stock_on_hand=5)
    db.session.flush()
    accounts.save_account(
        db.session,
        membership.producer,
        "ghn",
        {"token": "t", "shop_id": "1"},
        current_app.config,
        None,
    )
    order = place_test_order([(product, 2)], province_code=HCM, ward_code=HCM_WARD)
    sub_order = order.sub_orders[0]
    routing.confirm(db.session, sub_order, None)
    routing.pack(db.session, sub_order, None)
    db.session.commit()
    clients = [app.test_client() for _ in range(RACERS)]
    for client in clients:
        AuthActions(client).login_as(membership.user)

    outcomes = post_all(app, clients, f"/dashboard/orders/{sub_order.id}/book")

    assert statuses(outcomes) == [303] * RACERS
    db.session.expire_all()
    shipments = db.session.scalars(select(Shipment)).all()
    assert len(shipments) == 1 and shipments[0].status is ShipmentStatus.BOOKED
    assert db.session.get(ProducerOrder, sub_order.id).status is SubOrderStatus.SHIPPED
    count = lambda model, *where: db.session.scalar(  # noqa: E731
        select(func.count()).select_from(model).where(*where)
    )
    assert count(AuditEvent, AuditEvent.action == "shipment.book") == 1
    assert count(OrderEvent, OrderEvent.kind == "sub_order_shipped") == 1
    assert count(StockMovement, StockMovement.reason == StockReason.SHIP) == 1
