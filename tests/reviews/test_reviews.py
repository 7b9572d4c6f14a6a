"""Verified reviews: only the buyer of a delivered line reviews it, once; the rating shows on
the product page, the cards, the API and the JSON-LD; the cooperative replies once; reports
and admin moderation (audited); the invitation email after delivery is sent once."""

import io
import json
import re

import pytest
from PIL import Image
from sqlalchemy import func, select

from storefront.admin.models import AuditEvent
from storefront.extensions import db
from storefront.mail import outbox
from storefront.reviews import services
from storefront.reviews.models import Review, ReviewPhoto, ReviewStatus
from tests.dashboard.factories_dashboard import image_bytes
from tests.reviews.conftest import client_as, order_for


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (120, 90), (200, 150, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make and a description: metadata to strip
    exif[0x010E] = "Nhà của Mai, Đồng Văn"
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    data = buffer.getvalue()
    assert Image.open(io.BytesIO(data)).getexif()
    return data


def _post(client, line, stars="5", body="Thơm, sánh, đúng vị bạc hà.", photos=()):
    data = {"stars": stars, "body": body}
    if photos:
        data["photos"] = [(io.BytesIO(p), f"p{i}.jpg") for i, p in enumerate(photos)]
    return client.post(f"/reviews/new/{line.id}", data=data, content_type="multipart/form-data")


def _json_ld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def test_delivered_buyer_leaves_a_five_star_review_with_a_photo(app, shop):
    order, line = order_for(shop)
    client = client_as(app, shop["buyer"])
    detail = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert f"/reviews/new/{line.id}" in detail  # the order page offers it

    assert client.get(f"/reviews/new/{line.id}").status_code == 200
    response = _post(client, line, photos=[_jpeg_with_gps()])
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/products/mat-ong#reviews")

    review = db.session.scalar(select(Review))
    assert (review.stars, review.author_name) == (5, "Mai L.")
    assert review.status is ReviewStatus.PUBLISHED
    [photo] = review.photos
    # Re-encoded: the stored file has no EXIF (no GPS) and a random name.
    from storefront.storage import storage

    stored = Image.open(io.BytesIO(storage().read(photo.filename)))
    assert not stored.getexif()
    assert photo.filename.startswith(f"reviews/{review.id}/")
    assert photo.processed and photo.thumb_filename.endswith("-thumb.jpg")  # the task ran

    page = client.get("/products/mat-ong").get_data(as_text=True)
    assert "Thơm, sánh, đúng vị bạc hà." in page and photo.thumb_filename in page
    ld = _json_ld(page)
    assert ld["aggregateRating"]["ratingValue"] == 5.0
    assert ld["aggregateRating"]["reviewCount"] == 1
    assert ld["review"][0]["reviewRating"]["ratingValue"] == 5
    assert ld["review"][0]["author"]["name"] == "Mai L."

    api = client.get("/api/v1/products/mat-ong").get_json()
    assert api["rating"] == {"average": 5.0, "count": 1}
    listing = client.get("/api/v1/products").get_json()
    assert listing["items"][0]["rating"] == {"average": 5.0, "count": 1}
    cards = client.get("/products").get_data(as_text=True)
    assert "5,0/5" in cards


def test_the_order_line_is_no_longer_offered_once_reviewed(app, shop):
    order, line = order_for(shop)
    client = client_as(app, shop["buyer"])
    _post(client, line)
    assert client.get(f"/reviews/new/{line.id}").status_code == 403
    assert _post(client, line, stars="1").status_code == 403  # a second review: refused
    assert db.session.scalar(select(func.count()).select_from(Review)) == 1
    detail = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert f"/reviews/new/{line.id}" not in detail
    assert shop["honey"].rating_count == 1 and shop["honey"].rating_sum == 5


def test_no_review_without_a_delivered_order(app, shop):
    _order, shipped_line = order_for(shop, deliver=False)
    buyer = client_as(app, shop["buyer"])
    assert buyer.get(f"/reviews/new/{shipped_line.id}").status_code == 403
    assert _post(buyer, shipped_line).status_code == 403

    _order, delivered_line = order_for(shop)
    stranger = client_as(app, shop["stranger"])  # not their order
    assert stranger.get(f"/reviews/new/{delivered_line.id}").status_code == 403
    assert _post(stranger, delivered_line).status_code == 403
    anonymous = app.test_client()
    assert _post(anonymous, delivered_line).status_code in (302, 401)
    assert buyer.get("/reviews/new/999999").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Review)) == 0
    page = stranger.get("/products/mat-ong").get_data(as_text=True)
    assert "aggregateRating" not in page


@pytest.mark.parametrize(
    ("stars", "body", "photos", "message"),
    [
        ("", "", (), "stars-error"),
        ("6", "", (), "stars-error"),
        ("5", "x" * 2001, (), "body-error"),
        ("5", "", (b"<svg onload=alert(1)>",), "không phải ảnh JPEG, PNG hoặc WebP"),
        ("5", "", (image_bytes(),) * 4, "Đính kèm tối đa 3 ảnh."),
    ],
)
def test_bad_input_shows_a_clear_error_and_keeps_nothing(app, shop, stars, body, photos, message):
    _order, line = order_for(shop)
    client = client_as(app, shop["buyer"])
    response = _post(client, line, stars=stars, body=body, photos=photos)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and 'aria-invalid="true"' in html
    assert db.session.scalar(select(func.count()).select_from(Review)) == 0
    assert db.session.scalar(select(func.count()).select_from(ReviewPhoto)) == 0
    assert shop["honey"].rating_count == 0


def test_average_histogram_and_sorts(app, shop):
    from tests.factories import UserFactory

    for stars, with_photo in ((5, False), (3, True), (4, False)):
        buyer = UserFactory()
        db.session.commit()
        _order, line = order_for(shop, buyer=buyer)
        _post(
            client_as(app, buyer),
            line,
            stars=str(stars),
            body=f"{stars} sao",
            photos=[image_bytes()] if with_photo else (),
        )
    client = app.test_client()
    assert shop["honey"].rating_average == 4.0 and shop["honey"].rating_score == 400

    def order_of(query):
        html = client.get(f"/products/mat-ong{query}").get_data(as_text=True)
        return [int(n) for n in re.findall(r"<p>(\d) sao</p>", html)]

    assert order_of("") == [4, 3, 5]  # newest first
    assert order_of("?reviews=highest") == [5, 4, 3]
    assert order_of("?reviews=lowest") == [3, 4, 5]
    assert order_of("?reviews=photos") == [3]
    assert order_of("?reviews=%00bogus") == [4, 3, 5]
    html = client.get("/products/mat-ong").get_data(as_text=True)
    assert re.search(r"5 sao</th>\s*<td>.*?</td>\s*<td class=\"num\">1</td>", html, re.S)
    assert re.search(r"2 sao</th>\s*<td>.*?</td>\s*<td class=\"num\">0</td>", html, re.S)
    producer = client.get(f"/producers/{shop['producer'].slug}").get_data(as_text=True)
    assert "4,0/5" in producer and "3 đánh giá" in producer


def test_listing_sorts_by_rating(app, shop):
    from tests.factories import ProductFactory

    low = ProductFactory(producer=shop["producer"], name="Sáp ong", slug="sap-ong")
    none = ProductFactory(producer=shop["producer"], name="Phấn hoa", slug="phan-hoa")
    db.session.commit()
    _order, line = order_for(shop)
    _post(client_as(app, shop["buyer"]), line, stars="4")
    from storefront.reviews.services import _count_in

    _count_in(db.session, low.id, 2)
    db.session.commit()
    items = app.test_client().get("/api/v1/products?sort=rating").get_json()["items"]
    slugs = [p["slug"] for p in items]
    assert slugs == ["mat-ong", "sap-ong", "phan-hoa"]
    assert none.rating_count == 0


def test_cooperative_replies_once_publicly(app, shop):
    _order, line = order_for(shop)
    _post(client_as(app, shop["buyer"]), line)
    review = db.session.scalar(select(Review))
    owner = client_as(app, shop["owner"])
    assert "Thơm, sánh" in owner.get("/dashboard/reviews").get_data(as_text=True)
    empty = owner.post(f"/dashboard/reviews/{review.id}/reply", data={"reply": "  "})
    assert empty.status_code == 422 and "Hãy viết phản hồi của bạn." in empty.get_data(as_text=True)
    done = owner.post(f"/dashboard/reviews/{review.id}/reply", data={"reply": "Cảm ơn chị!"})
    assert done.status_code == 303
    again = owner.post(f"/dashboard/reviews/{review.id}/reply", data={"reply": "Lần hai"})
    assert again.status_code == 422
    assert "Đánh giá này đã có phản hồi của bạn." in again.get_data(as_text=True)
    db.session.refresh(review)
    assert review.reply == "Cảm ơn chị!"
    assert "Cảm ơn chị!" in app.test_client().get("/products/mat-ong").get_data(as_text=True)


def test_another_cooperative_cannot_reply(app, shop):
    from storefront.models import MemberRole
    from tests.factories import ProducerMemberFactory

    _order, line = order_for(shop)
    _post(client_as(app, shop["buyer"]), line)
    review = db.session.scalar(select(Review))
    other = ProducerMemberFactory(role=MemberRole.OWNER)
    db.session.commit()
    client = client_as(app, other.user)
    response = client.post(f"/dashboard/reviews/{review.id}/reply", data={"reply": "x"})
    assert response.status_code == 404
    assert "Thơm, sánh" not in client.get("/dashboard/reviews").get_data(as_text=True)


def test_report_then_admin_hides_with_a_reason_audited(app, shop):
    _order, line = order_for(shop)
    _post(client_as(app, shop["buyer"]), line)
    review = db.session.scalar(select(Review))
    reporter = client_as(app, shop["stranger"])
    assert reporter.post(f"/reviews/{review.id}/report", data={"reason": "Spam"}).status_code == 303
    assert reporter.post(f"/reviews/{review.id}/report", data={"reason": "Spam"}).status_code == 303
    db.session.refresh(review)
    assert review.report_count == 1  # reporting twice is reporting once

    admin = client_as(app, shop["admin"])
    listing = admin.get("/admin/reviews/").get_data(as_text=True)
    assert "Thơm, sánh" in listing
    refused = admin.post(f"/admin/reviews/{review.id}/hide", data={"reason": ""})
    assert refused.status_code == 303
    db.session.refresh(review)
    assert review.status is ReviewStatus.PUBLISHED
    hidden = admin.post(f"/admin/reviews/{review.id}/hide", data={"reason": "Quảng cáo"})
    assert hidden.status_code == 303
    db.session.refresh(review)
    db.session.refresh(shop["honey"])
    assert review.status is ReviewStatus.HIDDEN and review.hidden_reason == "Quảng cáo"
    honey = shop["honey"]
    assert (honey.rating_count, honey.rating_sum, honey.rating_score) == (0, 0, 0)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "review.hide"))
    assert event.actor_id == shop["admin"].id and event.after["reason"] == "Quảng cáo"
    page = app.test_client().get("/products/mat-ong").get_data(as_text=True)
    assert "Thơm, sánh" not in page
    assert app.test_client().get("/api/v1/products/mat-ong").get_json()["rating"] == {
        "average": None,
        "count": 0,
    }
    # Hiding twice does nothing twice.
    admin.post(f"/admin/reviews/{review.id}/hide", data={"reason": "Lần hai"})
    db.session.refresh(shop["honey"])
    assert shop["honey"].rating_count == 0
    assert admin.post(f"/admin/reviews/{review.id}/restore").status_code == 303
    db.session.refresh(shop["honey"])
    assert shop["honey"].rating_count == 1


def test_non_admins_cannot_moderate(app, shop):
    _order, line = order_for(shop)
    _post(client_as(app, shop["buyer"]), line)
    review = db.session.scalar(select(Review))
    buyer = client_as(app, shop["buyer"])
    assert buyer.get("/admin/reviews/").status_code == 403
    assert buyer.post(f"/admin/reviews/{review.id}/hide", data={"reason": "x"}).status_code == 403


def test_one_invitation_email_after_delivery(app, shop):
    outbox().clear()
    _order, line = order_for(shop)
    invites = [m for m in outbox() if f"/reviews/new/{line.id}" in m.get_content()]
    assert len(invites) == 1 and invites[0]["To"] == shop["buyer"].email
    # The task again (a retry, a redelivery): nothing more.
    assert services.invite(db.session, line.producer_order_id) is False
    db.session.commit()
    assert len([m for m in outbox() if f"/reviews/new/{line.id}" in m.get_content()]) == 1


def test_a_guest_order_gets_no_invitation(app, shop):
    from storefront.orders import routing
    from storefront.orders.checkout import place_order
    from tests.checkout.factories_checkout import cart_with, details

    outbox().clear()
    order = place_order(db.session, cart_with({shop["honey"]: 1}), details(email="g@example.vn"))
    db.session.commit()
    sub_order = order.sub_orders[0]
    routing.confirm(db.session, sub_order, None)
    routing.pack(db.session, sub_order, None)
    routing.ship(db.session, sub_order, None, "GHN", "G1")
    routing.deliver(db.session, sub_order, None, cash_received=True)
    db.session.commit()
    assert not [m for m in outbox() if "/reviews/new/" in m.get_content()]


def test_product_page_cost_does_not_grow_with_its_reviews(app, shop):
    from tests.conftest import counting_queries
    from tests.factories import UserFactory

    costs = []
    for _round in range(2):
        for _ in range(1 if not costs else 4):
            buyer = UserFactory()
            db.session.commit()
            _order, line = order_for(shop, buyer=buyer)
            _post(client_as(app, buyer), line, photos=[image_bytes()])
        client = app.test_client()
        db.session.expire_all()
        with counting_queries() as seen:
            assert client.get("/products/mat-ong").status_code == 200
        costs.append(len(seen))
    assert shop["honey"].rating_count == 5
    # The histogram, the reviews and their photos: three statements, whatever their number.
    assert costs[0] == costs[1]
