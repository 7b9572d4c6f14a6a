"""Verified reviews: the rules. Plain functions over a session; the views commit.

Who may review: the signed-in buyer of an order whose cooperative's part (sub-order) was
delivered, once per order line (UNIQUE order_line_id, so a double submit is one review).
Publishing and hiding move the product's denormalised rating (rating_count, rating_sum,
rating_score) with one conditional UPDATE in the same transaction, so cards, the listing's
"best rated" sort and the API never join the reviews. Photos go through the product-photo
pipeline (catalogue.images.store_image: decoded, re-encoded without metadata, random names,
public media storage); their thumbnails are made by a task after the commit.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from ..admin import audit
from ..catalogue.models import Product
from ..clock import utcnow
from ..core.hooks import on_rollback
from ..errors import (
    DomainError,
    FieldError,
    InvalidTransition,
    PermissionDenied,
    ValidationFailed,
)
from ..orders.models import Order, OrderLine, ProducerOrder, SubOrderStatus
from .models import Review, ReviewPhoto, ReviewReport, ReviewStatus

MAX_PHOTOS = 3
MAX_BODY = 2000
MAX_REPLY = 1000
MAX_REASON = 500
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class ReviewSettings:
    max_pixels: int

    @classmethod
    def from_config(cls, config) -> "ReviewSettings":
        return cls(max_pixels=int(config.get("UPLOAD_MAX_PIXELS", 40_000_000)))


def _text(value: str | None, max_length: int, message) -> str:
    value = (value or "").strip()
    if len(value) > max_length or _CONTROL.search(value):
        raise ValidationFailed(message)
    return value


def public_name(full_name: str | None) -> str:
    """ "Nguyễn Thu Hà" -> "Hà N.": the given name (last in Vietnamese) and an initial."""
    words = (full_name or "").split()
    if not words:
        return str(_l("A buyer"))
    if len(words) == 1:
        return words[0][:60]
    return f"{words[-1]} {words[0][0]}."[:60]


# ------------------------------------------------------------------ who may review


def reviewable_line(session: Session, user_id: int, line_id: int) -> OrderLine:
    """The order line `user_id` may review now, else PermissionDenied (403): not theirs, not
    delivered, the product gone, or reviewed already."""
    row = session.execute(
        select(OrderLine, ProducerOrder.status, Order.user_id)
        .join(ProducerOrder, ProducerOrder.id == OrderLine.producer_order_id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.id == line_id)
    ).one_or_none()
    if row is None or row.user_id is None or row.user_id != user_id:
        raise PermissionDenied(_l("Only the buyer of a delivered order can review its products."))
    line, status = row.OrderLine, row.status
    if status is not SubOrderStatus.DELIVERED:
        raise PermissionDenied(_l("You can review a product once it has been delivered."))
    if line.product_id is None:
        raise PermissionDenied(_l("This product is no longer sold."))
    if session.scalar(select(Review.id).where(Review.order_line_id == line.id)) is not None:
        raise PermissionDenied(_l("You have already reviewed this product from this order."))
    return line


def reviewable_line_ids(session: Session, user_id: int | None, order: Order) -> set[int]:
    """The lines of `order` its signed-in buyer may still review (for the order page)."""
    if user_id is None or order.user_id != user_id:
        return set()
    delivered = {
        line.id
        for so in order.sub_orders
        if so.status is SubOrderStatus.DELIVERED
        for line in so.lines
        if line.product_id is not None
    }
    if not delivered:
        return set()
    reviewed = set(
        session.scalars(select(Review.order_line_id).where(Review.order_line_id.in_(delivered)))
    )
    return delivered - reviewed


# ------------------------------------------------------------------ the rating counters


def _count_in(session: Session, product_id: int, stars: int) -> None:
    session.execute(
        update(Product)
        .where(Product.id == product_id)
        .values(
            rating_count=Product.rating_count + 1,
            rating_sum=Product.rating_sum + stars,
            # Every SET reads the row as it was: the new average from the old counters.
            rating_score=((Product.rating_sum + stars) * 100) / (Product.rating_count + 1),
        ),
        execution_options={"synchronize_session": False},
    )
    _expire_rating(session, product_id)


def _count_out(session: Session, product_id: int, stars: int) -> None:
    session.execute(
        update(Product)
        .where(Product.id == product_id, Product.rating_count >= 1)
        .values(
            rating_count=Product.rating_count - 1,
            rating_sum=Product.rating_sum - stars,
            rating_score=case(
                (
                    Product.rating_count > 1,
                    ((Product.rating_sum - stars) * 100) / (Product.rating_count - 1),
                ),
                else_=0,
            ),
        ),
        execution_options={"synchronize_session": False},
    )
    _expire_rating(session, product_id)


def _expire_rating(session: Session, product_id: int) -> None:
    product = session.identity_map.get(identity_key(Product, product_id))
    if product is not None:
        session.expire(product, ["rating_count", "rating_sum", "rating_score"])


# ------------------------------------------------------------------ writing


def post_review(
    session: Session,
    line: OrderLine,
    user,
    stars,
    body: str | None,
    photos: list[bytes],
    settings: ReviewSettings,
    now: datetime | None = None,
) -> Review:
    """Publish the buyer's review of `line` (already checked with reviewable_line)."""
    from ..catalogue.images import store_image
    from ..storage import storage
    from ..tasks import enqueue

    if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
        raise FieldError("stars", _l("Choose from 1 to 5 stars."))
    try:
        body = _text(body, MAX_BODY, _l("Write at most %(n)d characters.", n=MAX_BODY))
    except ValidationFailed as error:
        raise FieldError("body", error.message) from None
    if len(photos) > MAX_PHOTOS:
        raise FieldError("photos", _l("Attach at most %(n)d photos.", n=MAX_PHOTOS))
    review = Review(
        order_line_id=line.id,
        product_id=line.product_id,
        producer_id=line.producer_id,
        user_id=user.id,
        author_name=public_name(user.name),
        stars=stars,
        body=body,
        status=ReviewStatus.PUBLISHED,
        photo_count=len(photos),
        created_at=now or utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(review)
            session.flush()
    except IntegrityError:
        # The same line reviewed by a concurrent submit: the first one stands.
        raise PermissionDenied(
            _l("You have already reviewed this product from this order.")
        ) from None
    store = storage()
    for position, data in enumerate(photos):
        try:
            stored = store_image(data, store, f"reviews/{review.id}", settings.max_pixels)
        except DomainError as error:  # not an image, too many pixels, storage down
            raise FieldError("photos", error.message) from None
        on_rollback(session, lambda name=stored.filename: store.delete(name))
        review.photos.append(
            ReviewPhoto(
                position=position,
                filename=stored.filename,
                thumb_filename=stored.thumb_filename,
                width=stored.width,
                height=stored.height,
            )
        )
    session.flush()
    _count_in(session, review.product_id, stars)
    for photo in review.photos:
        enqueue("storefront.process_review_photo", photo.id)
    return review


def reply(session: Session, review: Review, producer_id: int, text: str | None, actor_id: int):
    """The cooperative's one public answer."""
    if review.producer_id != producer_id:
        raise PermissionDenied()
    text = _text(text, MAX_REPLY, _l("Write at most %(n)d characters.", n=MAX_REPLY))
    if not text:
        raise ValidationFailed(_l("Write your reply."))
    won = session.execute(
        update(Review)
        .where(Review.id == review.id, Review.reply.is_(None))
        .values(reply=text, reply_by_id=actor_id, replied_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    session.refresh(review)
    if won.rowcount != 1:
        raise InvalidTransition(_l("This review already has your reply."))


def report(session: Session, review: Review, reporter_id: int, reason: str | None) -> bool:
    """Flag a review for the admins; False when this person had reported it already."""
    if not review.is_published:
        raise InvalidTransition(_l("This review is no longer shown."))
    reason = _text(reason, MAX_REASON, _l("Write at most %(n)d characters.", n=MAX_REASON))
    try:
        with session.begin_nested():
            session.add(ReviewReport(review_id=review.id, reporter_id=reporter_id, reason=reason))
            session.flush()
    except IntegrityError:
        return False
    session.execute(
        update(Review).where(Review.id == review.id).values(report_count=Review.report_count + 1),
        execution_options={"synchronize_session": False},
    )
    session.refresh(review)
    return True


def _moderate(
    session: Session,
    review: Review,
    actor_id: int,
    action: str,
    to: ReviewStatus,
    values: dict,
    refused,
) -> None:
    """Move a review between shown and hidden, once: the UPDATE names the status it leaves,
    so of two admins clicking together one wins and the rating is counted once."""
    leaving = ReviewStatus.HIDDEN if to is ReviewStatus.PUBLISHED else ReviewStatus.PUBLISHED
    won = session.execute(
        update(Review)
        .where(Review.id == review.id, Review.status == leaving)
        .values(status=to, **values),
        execution_options={"synchronize_session": False},
    )
    session.refresh(review)
    if won.rowcount != 1:
        raise InvalidTransition(refused)
    counted = _count_in if to is ReviewStatus.PUBLISHED else _count_out
    counted(session, review.product_id, review.stars)
    after = {"status": to.value, "product_id": review.product_id}
    if values.get("hidden_reason"):
        after["reason"] = values["hidden_reason"]
    audit.record(session, actor_id, action, review, {"status": leaving.value}, after)


def hide(session: Session, review: Review, reason: str | None, actor_id: int) -> None:
    """An admin takes a review down, with a reason; it leaves the product's rating."""
    reason = _text(reason, MAX_REASON, _l("Write at most %(n)d characters.", n=MAX_REASON))
    if not reason:
        raise ValidationFailed(_l("Give the reason for hiding this review."))
    values = {"hidden_reason": reason, "hidden_by_id": actor_id, "hidden_at": utcnow()}
    refused = _l("This review is already hidden.")
    _moderate(session, review, actor_id, "review.hide", ReviewStatus.HIDDEN, values, refused)


def restore(session: Session, review: Review, actor_id: int) -> None:
    """Undo a hide: the review is shown and counted again."""
    values = {"hidden_reason": None, "hidden_at": None}
    refused = _l("This review is already shown.")
    _moderate(session, review, actor_id, "review.restore", ReviewStatus.PUBLISHED, values, refused)


# ------------------------------------------------------------------ the invitation


def invite(session: Session, sub_order_id: int, now: datetime | None = None) -> bool:
    """The one email after delivery asking for a review. The claim is a conditional UPDATE,
    so a retried or duplicated task sends nothing twice; guests (no account) are not asked."""
    from flask import current_app

    from ..mail import queue_email

    sub_order = session.get(ProducerOrder, sub_order_id)
    if sub_order is None or sub_order.order.user_id is None:
        return False
    won = session.execute(
        update(ProducerOrder)
        .where(
            ProducerOrder.id == sub_order_id,
            ProducerOrder.status == SubOrderStatus.DELIVERED,
            ProducerOrder.review_invited_at.is_(None),
        )
        .values(review_invited_at=now or utcnow()),
        execution_options={"synchronize_session": False},
    )
    if won.rowcount != 1:
        return False
    order = sub_order.order
    reviewed = set(
        session.scalars(
            select(Review.order_line_id).where(
                Review.order_line_id.in_([line.id for line in sub_order.lines])
            )
        )
    )
    lines = [
        line for line in sub_order.lines if line.product_id is not None and line.id not in reviewed
    ]
    if not lines:
        return False  # claimed all the same: nothing is left to ask about
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    queue_email(
        order.email,
        _l("How was your order %(number)s?", number=order.number),
        "review_invite",
        locale=order.locale,
        order=order,
        sub_order=sub_order,
        links=[(line.product_name, f"{base}/reviews/new/{line.id}") for line in lines],
    )
    return True
