"""The tasks. Each is idempotent: running one twice (a retry, a redelivery after a worker died,
a beat sweep overlapping a request's task) does nothing twice, because every one of them
claims its rows with a conditional UPDATE before acting.

A task that still fails after its retries (three tries in all) is logged as an error and
counted in storefront_task_failures_total (see storefront.tasks), which is what to alert on.
"""

import logging

from celery import shared_task
from flask import current_app
from sqlalchemy.exc import IntegrityError, OperationalError

from .. import mail
from ..clock import today_vn, utcnow
from ..extensions import db

# Three tries in all, with exponential backoff (1 s, 2 s, 4 s ... capped and jittered).
RETRYING = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 2,
}
BATCHES_PER_RUN = 20
log = logging.getLogger(__name__)


class EmailsGivenUp(RuntimeError):
    """Some emails used up their tries; they stay in the outbox as 'failed'."""


@shared_task(name=mail.SEND_TASK, bind=True, max_retries=None)
def send_emails(self) -> int:
    """Send every due email in batches, one SMTP connection per batch."""
    sent = 0
    for _ in range(BATCHES_PER_RUN):
        emails = mail.claim_due_emails(db.session, utcnow())
        db.session.commit()  # the claim is ours before anything leaves
        if not emails:
            break
        delivery = mail.deliver(emails)
        given_up = mail.record_delivery(db.session, delivery, utcnow())
        db.session.commit()
        sent += len(delivery.sent)
        log.info("sent %d of %d claimed email(s)", len(delivery.sent), len(emails))
        if given_up:
            raise EmailsGivenUp(f"{len(given_up)} email(s) given up: {delivery.error}")
        if delivery.unsent:
            # Wake up when the first of them is due again; beat's minute sweep is the backstop.
            attempts = min(e.attempts for e in emails if e.id in set(delivery.unsent))
            raise self.retry(countdown=mail.retry_delay(attempts) + 1, max_retries=None)
    return sent


@shared_task(name="storefront.order_placed_emails", **RETRYING)
def order_placed_emails(order_id: int) -> int:
    """A placed order's emails, rendered here rather than in the buyer's request. Idempotent:
    their Message-IDs follow from the order, so a second run finds them written."""
    from ..orders.emails import write_placed_emails

    written = write_placed_emails(db.session, order_id)
    try:
        db.session.commit()
    except IntegrityError:  # a twin run wrote the same Message-IDs first
        db.session.rollback()
        return 0
    return written


@shared_task(name="storefront.sweep_placed_emails", **RETRYING)
def sweep_placed_emails() -> int:
    """The placed orders whose emails' task was lost before a broker took it."""
    from ..orders.emails import sweep_placed_emails as sweep

    written = sweep(db.session, utcnow())
    try:
        db.session.commit()
    except IntegrityError:  # an order's own task wrote them meanwhile; the rest next time
        db.session.rollback()
        return 0
    return written


@shared_task(name="storefront.release_expired_reservations", **RETRYING)
def release_expired_reservations() -> int:
    from ..orders.expiry import release_expired_reservations as release

    released = release(db.session, utcnow())
    db.session.commit()
    return released


@shared_task(name="storefront.notify_expiring_certificates", **RETRYING)
def notify_expiring_certificates() -> int:
    from ..catalogue.certificates import EXPIRY_WINDOW_DAYS, send_expiry_reminders

    days = current_app.config.get("CERTIFICATE_REMINDER_DAYS", EXPIRY_WINDOW_DAYS)
    emailed = send_expiry_reminders(db.session, today_vn(), days)
    db.session.commit()
    return emailed


@shared_task(name="storefront.unfeature_lapsed_products", **RETRYING)
def unfeature_lapsed_products() -> int:
    from ..catalogue.featuring import unfeature_lapsed

    lapsed = unfeature_lapsed(db.session, today_vn())
    db.session.commit()
    return len(lapsed)


@shared_task(name="storefront.process_product_image", **RETRYING)
def process_product_image(image_id: int) -> bool:
    """Make a photo's thumbnail and WebP versions. Idempotent: a photo already processed, or
    deleted meanwhile, is left alone; the file names follow from the photo's, so a rerun
    after a crash overwrites the same files."""
    from sqlalchemy import update

    from ..catalogue.models import ProductImage

    image = db.session.get(ProductImage, image_id)
    if image is None or image.webp_widths is not None:
        return False
    thumb, widths = _photo_variants(image.filename)
    db.session.execute(
        update(ProductImage)
        .where(ProductImage.id == image_id, ProductImage.webp_widths.is_(None))
        .values(thumb_filename=thumb, webp_widths=widths)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return True


def _photo_variants(filename: str) -> tuple[str, list[int]]:
    """Thumbnail and WebP versions of a stored photo; a storage outage is retried."""
    from ..catalogue import images
    from ..storage import StorageUnavailable, storage

    try:
        return images.make_variants(storage(), filename)
    except StorageUnavailable as error:
        raise OperationalError("storage", {}, error) from error  # retried with backoff


@shared_task(name="storefront.process_review_photo", **RETRYING)
def process_review_photo(photo_id: int) -> bool:
    """A review photo's thumbnail and WebP versions, as for product photos (idempotent)."""
    from sqlalchemy import update

    from ..reviews.models import ReviewPhoto

    photo = db.session.get(ReviewPhoto, photo_id)
    if photo is None or photo.processed:
        return False
    thumb, _widths = _photo_variants(photo.filename)
    db.session.execute(
        update(ReviewPhoto)
        .where(ReviewPhoto.id == photo_id, ReviewPhoto.processed.is_(False))
        .values(thumb_filename=thumb, processed=True)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return True


@shared_task(name="storefront.invite_review", **RETRYING)
def invite_review(sub_order_id: int) -> bool:
    from ..reviews.services import invite

    sent = invite(db.session, sub_order_id)
    db.session.commit()
    return sent


@shared_task(name="storefront.notify_back_in_stock", **RETRYING)
def notify_back_in_stock(product_id: int) -> int:
    from ..wishlist.services import notify_back_in_stock as notify

    emailed = notify(db.session, product_id)
    db.session.commit()
    return emailed


@shared_task(name="storefront.book_shipment", **RETRYING)
def book_shipment(shipment_id: int) -> str:
    """Book a parcel the cooperative asked for (shipping.booking): idempotent by its claim."""
    from ..shipping.booking import book

    outcome = book(db.session, shipment_id, current_app.config)
    db.session.commit()
    return outcome
