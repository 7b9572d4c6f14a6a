"""Two producers, A (the logged-in member) and B (the neighbour whose ids A must never reach)."""

from dataclasses import dataclass

import pytest

from storefront.extensions import db
from storefront.models import (
    MemberRole,
    Producer,
    ProducerMember,
    Product,
    StockReason,
    User,
)
from storefront.orders.models import ReturnLine, ReturnPhoto, ReturnRequest
from storefront.producers import inventory, ledger, team
from storefront.producers.models import DocumentKind, ProducerDocument
from storefront.reviews.models import Review
from tests.factories import CertificateFactory, ProducerMemberFactory, ProductFactory, vid

from .factories_dashboard import make_image, make_order


@dataclass
class Side:
    producer: Producer
    owner: User
    membership: ProducerMember
    product: Product


def make_side(name: str) -> Side:
    membership = ProducerMemberFactory(producer__name=f"HTX {name}", role=MemberRole.OWNER)
    product = ProductFactory(producer=membership.producer, name=f"Mật ong {name}")
    return Side(membership.producer, membership.user, membership, product)


@pytest.fixture
def side_a(app):
    side = make_side("A")
    db.session.commit()
    return side


@pytest.fixture
def side_b(app):
    """Producer B with one of everything the dashboard has a URL for."""
    side = make_side("B")
    side.image = make_image(side.product)
    side.certificate = CertificateFactory(product=side.product)
    side.sub_order = make_order(side.producer, [(side.product, 2)])
    side.movement = inventory.adjust(db.session, vid(side.product), 5, StockReason.HARVEST)
    side.member = ProducerMemberFactory(producer=side.producer, role=MemberRole.MEMBER)
    side.invitation, side.invitation_token = team.invite_member(
        db.session, side.producer, side.membership, "friend-of-b@example.vn"
    )
    side.payout = ledger.record_payout(db.session, side.producer, 100_000, "VCB-B-1", None)
    side.return_request = ReturnRequest(
        order_id=side.sub_order.order_id,
        producer_order_id=side.sub_order.id,
        reason_code="damaged",
        lines=[ReturnLine(order_line_id=side.sub_order.lines[0].id, quantity=1)],
        photos=[ReturnPhoto(filename="r/b.jpg", thumb_filename="r/b-thumb.jpg")],
    )
    db.session.add(side.return_request)
    from tests.promotions.voucher_helpers import voucher

    side.voucher = voucher(producer_id=side.producer.id, code="BVOUCHER", min_order=0)
    line = side.sub_order.lines[0]
    side.review = Review(
        order_line_id=line.id,
        product_id=line.product_id,
        producer_id=side.producer.id,
        author_name="Mai L.",
        stars=4,
    )
    db.session.add(side.review)
    side.document = ProducerDocument(
        producer=side.producer,
        kind=DocumentKind.BUSINESS_REGISTRATION,
        filename="documents/b.pdf",
        content_type="application/pdf",
        original_name="b.pdf",
    )
    db.session.add(side.document)
    db.session.commit()
    return side


@pytest.fixture
def login_a(client, auth, side_a):
    auth.login_as(side_a.owner)
    return side_a
