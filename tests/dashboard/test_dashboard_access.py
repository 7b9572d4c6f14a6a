"""Scoping: producer A walks every dashboard URL with producer B's ids and gets nowhere."""

import io

import pytest
from sqlalchemy import func, select

from storefront import create_app
from storefront.extensions import db
from storefront.models import (
    Certificate,
    Invitation,
    LedgerEntry,
    Payout,
    ProducerMember,
    ProducerOrder,
    Product,
    ProductImage,
    StockMovement,
)
from storefront.orders.models import ReturnRequest
from storefront.producers import ledger
from storefront.promotions.models import Voucher
from tests.conftest import make_config
from tests.factories import ProducerMemberFactory, UserFactory

_url_map_app = create_app(make_config())
DASHBOARD_RULES = sorted(
    (rule for rule in _url_map_app.url_map.iter_rules() if rule.endpoint.startswith("dashboard.")),
    key=lambda rule: rule.rule,
)
RULES_WITH_IDS = [rule for rule in DASHBOARD_RULES if rule.arguments]
ACTIONS = ("confirm", "pack", "ship", "deliver", "cancel")
RETURN_ACTIONS = ("accept", "refuse", "receive")
VOUCHER_ACTIONS = ("pause", "resume")
# Logged-in customers may reach these (to become or join a producer); the rest need the role.
OPEN_TO_CUSTOMERS = {"dashboard.apply", "dashboard.invitation_accept"}


def b_values(side_b) -> dict:
    return {
        "product_id": side_b.product.id,
        "variant_id": side_b.product.variants[0].id,
        "image_id": side_b.image.id,
        "certificate_id": side_b.certificate.id,
        "sub_order_id": side_b.sub_order.id,
        "movement_id": side_b.movement.id,
        "payout_id": side_b.payout.id,
        "invitation_id": side_b.invitation.id,
        "member_id": side_b.member.id,
        "token": side_b.invitation_token,
        "return_id": side_b.return_request.id,
        "photo_id": side_b.return_request.photos[0].id,
        "voucher_id": side_b.voucher.id,
        "review_id": side_b.review.id,
        "document_id": side_b.document.id,
    }


def urls_for(rule, side_b) -> list[str]:
    values = b_values(side_b)
    missing = rule.arguments - set(values) - {"action"}
    assert not missing, f"map the URL argument(s) {missing} of {rule.rule} to B's objects"
    by_endpoint = {
        "dashboard.return_action": RETURN_ACTIONS,
        "dashboard.voucher_status": VOUCHER_ACTIONS,
    }
    actions = by_endpoint.get(rule.endpoint, ACTIONS) if "action" in rule.arguments else (None,)
    urls = []
    for action in actions:
        args = {name: values[name] for name in rule.arguments if name != "action"}
        if action:
            args["action"] = action
        with _url_map_app.test_request_context():
            urls.append(_url_map_app.url_for(rule.endpoint, **args))
    return urls


def snapshot(side_b) -> dict:
    """Everything of B's that any dashboard URL could change."""
    db.session.expire_all()
    product = db.session.get(Product, side_b.product.id)
    sub_order = db.session.get(ProducerOrder, side_b.sub_order.id)
    invitation = db.session.get(Invitation, side_b.invitation.id)

    def count(model, *where):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))

    return {
        "product": (
            product.name,
            product.price,
            product.status,
            product.featured,
            product.stock_on_hand,
            product.stock_reserved,
            product.low_stock_threshold,
            product.producer_id,
        ),
        "images": count(ProductImage, ProductImage.product_id == product.id),
        "return": db.session.get(ReturnRequest, side_b.return_request.id).status,
        "certificates": [
            (c.status, c.number)
            for c in db.session.scalars(
                select(Certificate).where(Certificate.product_id == product.id)
            )
        ],
        "sub_order": (sub_order.status, sub_order.cancel_reason, sub_order.carrier),
        "movements": count(StockMovement, StockMovement.product_id == product.id),
        "payouts": count(Payout, Payout.producer_id == side_b.producer.id),
        "ledger": (
            count(LedgerEntry, LedgerEntry.producer_id == side_b.producer.id),
            ledger.balance(db.session, side_b.producer.id),
        ),
        "invitation": (invitation.accepted_at if invitation else "gone"),
        "members": count(ProducerMember, ProducerMember.producer_id == side_b.producer.id),
        "voucher": (lambda v: (v.status, v.version, v.code, v.percent, v.min_order))(
            db.session.get(Voucher, side_b.voucher.id)
        ),
        "sale": (product.sale_price, product.sale_starts_at, product.sale_ends_at),
    }


def test_every_dashboard_rule_is_walked():
    assert len(DASHBOARD_RULES) >= 25
    assert {"dashboard.index", "dashboard.apply"} <= {r.endpoint for r in DASHBOARD_RULES}
    assert "/dashboard" in {r.rule for r in DASHBOARD_RULES}


@pytest.mark.parametrize("rule", RULES_WITH_IDS, ids=lambda rule: rule.endpoint)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_producer_a_cannot_reach_producer_b(client, login_a, side_b, rule, method):
    before = snapshot(side_b)
    hostile_form = {
        "status": "active",
        "reason": "hostile",
        "carrier": "GHN",
        "tracking_number": "X1",
        "cash_received": "y",
        "quantity": "1",
        "threshold": "0",
        "email": "x@example.vn",
        "producer_id": str(login_a.producer.id),
        "name": "Hijacked",
        "price": "1",
        "code": "HIJACK",
        "kind": "percent",
        "value": "99",
        "scope": "shop",
        "starts_at": "2026-01-01T00:00",
        "sale_price": "1",
        "ends_at": "2030-01-01T00:00",
    }
    for url in urls_for(rule, side_b):
        response = client.open(url, method=method, data=hostile_form)
        if method not in rule.methods:
            expected = {405}
        elif rule.endpoint == "dashboard.invitation_accept":
            expected = {403, 404}  # the invitation names another email address
        else:
            expected = {404}
        assert response.status_code in expected, (method, url, response.status_code)
        assert side_b.product.name.encode() not in response.data
    assert snapshot(side_b) == before


def test_mixed_ids_are_404(client, login_a, side_b):
    """A's own product with B's image id must not delete B's image."""
    a = login_a
    before = snapshot(side_b)
    response = client.post(f"/dashboard/products/{a.product.id}/images/{side_b.image.id}/delete")
    assert response.status_code == 404
    assert snapshot(side_b) == before


def test_lists_and_exports_show_only_own_data(client, login_a, side_b):
    b_name = side_b.product.name.encode()
    b_number = side_b.sub_order.order.number.encode()
    for rule in DASHBOARD_RULES:
        if rule.arguments or "GET" not in rule.methods:
            continue
        response = client.get(rule.rule)
        assert response.status_code == 200, rule.rule
        assert b_name not in response.data and b_number not in response.data, rule.rule
    assert client.get(f"/dashboard/stock/movements?product={side_b.product.id}").status_code == 404


def test_form_fields_naming_b_change_nothing(client, login_a, side_b):
    client.set_cookie("lang", "en")
    before = snapshot(side_b)
    assert (
        client.post("/dashboard/switch", data={"producer_id": side_b.producer.id}).status_code
        == 404
    )
    response = client.post(
        "/dashboard/stock/import/apply",
        data={"csv_text": f"product_id,count\n{side_b.product.id},999\n"},
    )
    assert response.status_code == 422
    assert f"No product with id {side_b.product.id} in your shop".encode() in response.data
    assert snapshot(side_b) == before


def test_non_producer_gets_403(client, auth, side_b):
    customer = UserFactory()
    db.session.commit()
    auth.login_as(customer)
    for rule in DASHBOARD_RULES:
        if rule.endpoint in OPEN_TO_CUSTOMERS:
            continue
        for url in urls_for(rule, side_b):
            method = "GET" if "GET" in rule.methods else "POST"
            response = client.open(url, method=method)
            assert response.status_code == 403, (url, response.status_code)


def test_member_removed_from_producer_loses_access(client, auth, side_a):
    """The producer in the session is re-checked on every request, not trusted."""
    other = ProducerMemberFactory(user=side_a.owner)
    db.session.commit()
    auth.login_as(side_a.owner)
    assert (
        client.post("/dashboard/switch", data={"producer_id": other.producer_id}).status_code == 303
    )
    assert other.producer.name.encode() in client.get("/dashboard/products").data
    db.session.delete(other)
    db.session.commit()
    page = client.get("/dashboard/products")
    assert page.status_code == 200
    assert other.producer.name.encode() not in page.data
    assert side_a.producer.name.encode() in page.data


def test_anonymous_is_sent_to_login(client, side_b):
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_producer_role_without_membership_is_403(client, auth, app):
    from storefront.models import UserRole

    user = UserFactory(role=UserRole.PRODUCER)
    db.session.commit()
    auth.login_as(user)
    assert client.get("/dashboard").status_code == 403


def _logged_in_client(app, side):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = side.owner.get_id()
    client.set_cookie("lang", "en")
    return client


def test_post_without_csrf_token_fails(app_factory, side_a):
    app = app_factory(WTF_CSRF_ENABLED=True, MAX_CONTENT_LENGTH=1024 * 1024)
    with app.app_context():
        from tests.dashboard.conftest import make_side

        side = make_side("Csrf")
        db.session.commit()
        client = _logged_in_client(app, side)
        response = client.post(
            f"/dashboard/products/{side.product.id}/status", data={"status": "archived"}
        )
        assert response.status_code == 400
        db.session.expire_all()
        assert db.session.get(Product, side.product.id).status.value == "active"
        # An oversized upload is still a clear 413, even before the CSRF check reads the form.
        big = client.post(
            f"/dashboard/products/{side.product.id}/images",
            data={"photo": (io.BytesIO(b"\xff" * (1024 * 1024 + 1)), "a.jpg")},
            content_type="multipart/form-data",
        )
        assert big.status_code == 413
        assert b"larger than 1 MB" in big.data
