"""Other people's objects are a 404, on every dashboard route, found from the URL map so a new
route is covered the day it is added; the admin area is closed to everyone else."""

import pytest

from storefront.extensions import db
from storefront.models import (
    Invitation,
    MemberRole,
    Order,
    PaymentMethod,
    PaymentStatus,
    ProducerOrder,
    ProductImage,
    StockMovement,
    StockReason,
    UserRole,
)
from storefront.orders.models import OrderLine, ReturnPhoto, ReturnRequest
from storefront.producers.models import DocumentKind, Payout, ProducerDocument
from storefront.reviews.models import Review
from tests.factories import CertificateFactory, ProducerMemberFactory, ProductFactory, UserFactory


def make_neighbour_objects() -> dict[str, int]:
    """Everything producer B owns that has an id in a dashboard URL."""
    member = ProducerMemberFactory(producer__name="HTX B", role=MemberRole.OWNER)
    producer = member.producer
    product = ProductFactory(producer=producer, name="Mật ong B")
    image = ProductImage(product=product, filename="b.jpg", thumb_filename="b-t.jpg")
    db.session.add(image)
    certificate = CertificateFactory(product=product)
    movement = StockMovement(product_id=product.id, reason=StockReason.INITIAL, delta_on_hand=5)
    order = Order(
        number="OCOP-2026-990001",
        access_token="b-order-token-not-guessable",
        email="buyer-b@example.vn",
        name="Người mua B",
        phone="0912345678",
        province_code=8,
        ward_code=721,
        street="Thôn B",
        payment_method=PaymentMethod.COD,
        payment_status=PaymentStatus.COD,
        items_total=100_000,
        shipping_total=0,
        grand_total=100_000,
    )
    sub_order = ProducerOrder(
        order=order,
        producer_id=producer.id,
        producer_name=producer.name,
        subtotal=100_000,
        shipping_fee=0,
        total=100_000,
        commission_rate_bp=800,
    )
    payout = Payout(producer_id=producer.id, amount=50_000, bank_reference="B-PAYOUT")
    invitation = Invitation(
        producer_id=producer.id, email="new@example.vn", token="b-invitation-token"
    )
    db.session.add_all([image, movement, order, sub_order, payout, invitation])
    db.session.flush()
    return_request = ReturnRequest(
        order_id=order.id,
        producer_order_id=sub_order.id,
        reason_code="damaged",
        photos=[ReturnPhoto(filename="r/b.jpg", thumb_filename="r/b-t.jpg")],
    )
    document = ProducerDocument(
        producer_id=product.producer_id,
        kind=DocumentKind.OTHER,
        filename="documents/b.pdf",
        content_type="application/pdf",
    )
    db.session.add_all([return_request, document])
    line = OrderLine(
        order_id=order.id,
        producer_order_id=sub_order.id,
        product_id=product.id,
        producer_id=producer.id,
        product_name=product.name,
        product_slug=product.slug,
        producer_name=producer.name,
        unit=product.unit,
        unit_price=100_000,
        quantity=1,
        line_total=100_000,
    )
    db.session.add(line)
    db.session.flush()
    review = Review(
        order_line_id=line.id,
        product_id=product.id,
        producer_id=producer.id,
        author_name="B",
        stars=5,
    )
    db.session.add(review)
    db.session.flush()
    from tests.promotions.voucher_helpers import voucher

    their_voucher = voucher(producer_id=producer.id, code="NEIGHBOUR", min_order=0)
    return {
        "voucher_id": their_voucher.id,
        "document_id": document.id,
        "review_id": review.id,
        "product_id": product.id,
        "variant_id": product.variants[0].id,
        "image_id": image.id,
        "certificate_id": certificate.id,
        "movement_id": movement.id,
        "sub_order_id": sub_order.id,
        "payout_id": payout.id,
        "invitation_id": invitation.id,
        "member_id": member.id,
        "return_id": return_request.id,
        "photo_id": return_request.photos[0].id,
        # Accepting an invitation is keyed by its secret token: a guessed one is a 404 too.
        "token": "a-guessed-invitation-token",
    }


@pytest.fixture
def scoped(app_factory):
    app = app_factory()
    with app.app_context():
        mine = ProducerMemberFactory(producer__name="HTX A", role=MemberRole.OWNER)
        ProductFactory(producer=mine.producer, name="Mật ong A")
        theirs = make_neighbour_objects()
        login_id = mine.user.get_id()
        db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = login_id
        session["_fresh"] = True
    return app, client, theirs


def dashboard_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("dashboard.") and rule.arguments
    ]


def test_every_dashboard_url_with_an_id_is_a_404_for_the_neighbours_objects(scoped):
    app, client, theirs = scoped
    rules = dashboard_rules(app)
    assert rules, "the dashboard has routes with ids"
    unknown = sorted({arg for rule in rules for arg in rule.arguments} - theirs.keys() - {"action"})
    assert not unknown, f"add the neighbour's object for {unknown} to this test"
    checked = []
    for rule in rules:
        values = {name: theirs[name] for name in rule.arguments if name in theirs}
        for name in rule.arguments - theirs.keys():
            converter = rule._converters[name]
            values[name] = sorted(getattr(converter, "items", ["x"]))[0]
        url = rule.build(values, append_unknown=False)[1]
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(url, method=method, data={"quantity": "1"})
            assert response.status_code == 404, f"{method} {url} ({rule.endpoint})"
            checked.append(f"{method} {rule.rule}")
    assert any(c.startswith("POST") for c in checked)


def test_the_admin_area_is_closed_to_producers_customers_and_visitors(app_factory):
    app = app_factory()
    with app.app_context():
        customer = UserFactory(role=UserRole.CUSTOMER)
        member = ProducerMemberFactory(role=MemberRole.OWNER)
        db.session.commit()
        people = {"customer": customer.get_id(), "producer": member.user.get_id()}
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.")]
    assert rules
    for who, user_id in [*people.items(), ("visitor", None)]:
        client = app.test_client()
        if user_id:
            with client.session_transaction() as session:
                session["_user_id"] = user_id
        for rule in rules:
            values = {}
            for name in rule.arguments:
                converter = rule._converters[name]
                values[name] = sorted(getattr(converter, "items", ["1"]))[0]
                if type(converter).__name__ == "IntegerConverter":
                    values[name] = 1
            url = rule.build(values, append_unknown=False)[1]
            for method in sorted(rule.methods & {"GET", "POST"}):
                response = client.open(url, method=method)
                if who == "visitor":
                    assert response.status_code in (302, 303, 401, 403, 404), (who, method, url)
                    if response.status_code in (302, 303):
                        assert "/login" in response.headers["Location"]
                else:
                    assert response.status_code in (403, 404), (who, method, url)
