"""Every producer action goes through the one audit call, like the admins' (admin.audit)."""

import pytest
from sqlalchemy import select

from storefront.admin import audit
from storefront.admin.models import AuditEvent
from storefront.catalogue import products
from storefront.clock import utcnow
from storefront.extensions import db
from storefront.models import MemberRole, ProductStatus, StockReason
from storefront.producers import stock, team
from tests.factories import ProducerMemberFactory, UserFactory


def _actions():
    return [(e.action, e.actor_id) for e in db.session.scalars(select(AuditEvent).order_by("id"))]


def test_product_edits_stock_and_status_are_audited(login_a):
    side, uid = login_a, login_a.owner.id
    data = products.ProductInput(
        name="Trà shan tuyết", group="beverage", subgroup="non_alcoholic", unit="gói", price=90_000
    )
    created = products.create_product(db.session, side.producer, data, user_id=uid)
    products.update_product(
        db.session,
        side.producer,
        created,
        data.__class__(**{**data.__dict__, "price": 95_000}),
        uid,
    )
    products.set_product_status(db.session, side.producer, created, ProductStatus.ARCHIVED, uid)
    stock.adjust_stock(db.session, side.producer, side.product, StockReason.HARVEST, 4, "", uid)
    stock.set_low_stock_threshold(db.session, side.producer, side.product, 9, uid)
    assert _actions() == [
        ("product.create", uid),
        ("product.update", uid),
        ("product.set_status", uid),
        ("product.adjust_stock", uid),
        ("product.set_low_stock_threshold", uid),
    ]
    update = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "product.update"))
    assert update.one().after == {"price": 95_000}


def test_an_edit_that_changes_nothing_records_nothing(login_a):
    side = login_a
    unchanged = products.ProductInput(
        name=side.product.name,
        group=side.product.group,
        subgroup=side.product.subgroup,
        unit=side.product.unit,
        price=side.product.price,
        description=side.product.description,
        low_stock_threshold=side.product.low_stock_threshold,
    )
    products.update_product(db.session, side.producer, side.product, unchanged, side.owner.id)
    assert _actions() == []


def test_team_changes_are_audited(login_a):
    side = login_a
    invited = UserFactory(email="ban-moi@example.vn")
    leaving = ProducerMemberFactory(producer=side.producer, role=MemberRole.MEMBER)
    _, token = team.invite_member(db.session, side.producer, side.membership, invited.email)
    team.accept_invitation(db.session, invited, token, utcnow())
    team.remove_member(db.session, side.producer, side.membership, leaving)
    assert _actions() == [
        ("member.invite", side.owner.id),
        ("member.join", invited.id),
        ("member.remove", side.owner.id),
    ]


def test_an_action_without_words_cannot_be_recorded(app):
    """The registry is what keeps the log readable: an unlabelled action is refused."""
    with pytest.raises(ValueError):
        audit.record(db.session, None, "product.teleport", UserFactory(), None, None)
    assert all(str(label) for label in audit.ACTIONS.values())
