"""Featuring: which products the home page and group pages show first, and in what order.

`featuring_problem` is THE rule; every path that features, keeps or drops a product asks it.
Plain functions with explicit arguments; they flush, never commit, and raise DomainError.
"""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..admin import audit
from ..core.rows import lock
from ..errors import InvalidTransition, ValidationFailed
from ..producers.models import ProducerStatus
from .models import Product, ProductStatus

MIN_FEATURED_STARS = 3


def featuring_problem(product: Product, today: date):
    """Why `product` may not be featured on `today`, or None. THE featuring rule."""
    if product.status is not ProductStatus.ACTIVE:
        return _l("Only active products can be featured.")
    if product.producer.status is not ProducerStatus.APPROVED:
        return _l("Only products of approved producers can be featured.")
    certificate = product.valid_certificate(today)
    if certificate is None or certificate.stars < MIN_FEATURED_STARS:
        return _l(
            "Only products with a verified, valid OCOP certificate of %(n)d stars or more "
            "can be featured.",
            n=MIN_FEATURED_STARS,
        )
    return None


def set_featured(product: Product, featured: bool, position: int | None) -> None:
    product.featured = featured
    product.featured_position = position if featured else None


def group_featured(session: Session, group: str) -> list[Product]:
    """The group's featured list in display order (featured_position orders within a group)."""
    return list(
        session.scalars(
            select(Product)
            .where(Product.featured.is_(True), Product.group == group)
            .order_by(Product.featured_position.is_(None), Product.featured_position, Product.id)
        )
    )


def feature_product(session: Session, product: Product, actor_id: int | None, today: date):
    lock(session, product)
    problem = featuring_problem(product, today)
    if problem is not None:
        raise ValidationFailed(problem)
    if product.featured:
        raise InvalidTransition(_l("This product is already featured."))
    last = session.scalar(
        select(func.max(Product.featured_position)).where(
            Product.featured.is_(True), Product.group == product.group
        )
    )
    before = audit.snapshot(product, "featured", "featured_position")
    set_featured(product, True, (last or 0) + 1)
    session.flush()
    audit.record(
        session,
        actor_id,
        "product.feature",
        product,
        before,
        audit.snapshot(product, "featured", "featured_position"),
    )


def unfeature_product(session: Session, product: Product, actor_id: int | None) -> None:
    lock(session, product)
    if not product.featured:
        raise InvalidTransition(_l("This product is not featured."))
    before = audit.snapshot(product, "featured", "featured_position")
    set_featured(product, False, None)
    session.flush()
    audit.record(
        session,
        actor_id,
        "product.unfeature",
        product,
        before,
        audit.snapshot(product, "featured", "featured_position"),
    )


def move_featured(session: Session, product: Product, direction: str, actor_id: int | None):
    """Move a featured product one place up or down within its OCOP group's list."""
    if direction not in ("up", "down"):
        raise ValidationFailed(_l("Choose up or down."))
    if not product.featured:
        raise InvalidTransition(_l("This product is not featured."))
    ordered = group_featured(session, product.group)
    index = ordered.index(product)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(ordered):
        raise InvalidTransition(_l("This product cannot move further."))
    before = {"featured_position": product.featured_position, "order": [p.id for p in ordered]}
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, item in enumerate(ordered, start=1):
        item.featured_position = position
    session.flush()
    audit.record(
        session,
        actor_id,
        "product.move_featured",
        product,
        before,
        {"featured_position": product.featured_position, "order": [p.id for p in ordered]},
    )


def unfeature_lapsed(session: Session, today: date, actor_id: int | None = None) -> list[Product]:
    """Unfeature every featured product that no longer meets the rule (its certificate
    expired or was withdrawn, the product was archived, the producer suspended).
    The home page already hides them; this keeps the admin's list honest. Cron-safe."""
    featured = session.scalars(
        select(Product)
        .where(Product.featured.is_(True))
        .order_by(Product.id)
        .options(selectinload(Product.producer), selectinload(Product.certificates))
    ).all()
    lapsed = [p for p in featured if featuring_problem(p, today) is not None]
    for product in lapsed:
        before = audit.snapshot(product, "featured", "featured_position")
        set_featured(product, False, None)
        audit.record(
            session,
            actor_id,
            "product.unfeature_lapsed",
            product,
            before,
            {**audit.snapshot(product, "featured", "featured_position"), "on": today},
        )
    session.flush()
    return lapsed
