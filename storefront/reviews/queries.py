"""Read side of reviews: what the product page, the dashboard and the admin list show."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from .models import Review, ReviewStatus

SORTS = ("newest", "highest", "lowest", "photos")
PAGE_SIZE = 20
JSON_LD_REVIEWS = 5


def parse_sort(raw: str | None) -> str:
    return raw if raw in SORTS else "newest"


@dataclass
class ProductReviews:
    sort: str
    count: int
    average: float | None
    histogram: list[tuple[int, int, int]]  # stars, count, percent (5 down to 1)
    reviews: list[Review]


def product_reviews(product, sort: str, limit: int = PAGE_SIZE) -> ProductReviews:
    """Published reviews of `product` in the chosen order, and the star histogram. Nothing is
    asked of the database for a product without reviews (the counters say so)."""
    count = product.rating_count
    if not count:
        return ProductReviews(sort, 0, None, [(s, 0, 0) for s in range(5, 0, -1)], [])
    published = (Review.product_id == product.id, Review.status == ReviewStatus.PUBLISHED)
    by_stars = dict(
        db.session.execute(
            select(Review.stars, func.count()).where(*published).group_by(Review.stars)
        ).all()
    )
    stmt = select(Review).where(*published).options(selectinload(Review.photos))
    newest = (Review.created_at.desc(), Review.id.desc())
    if sort == "highest":
        stmt = stmt.order_by(Review.stars.desc(), *newest)
    elif sort == "lowest":
        stmt = stmt.order_by(Review.stars.asc(), *newest)
    elif sort == "photos":
        stmt = stmt.where(Review.photo_count > 0).order_by(*newest)
    else:
        stmt = stmt.order_by(*newest)
    total = sum(by_stars.values()) or 1
    return ProductReviews(
        sort=sort,
        count=count,
        average=product.rating_average,
        histogram=[
            (s, by_stars.get(s, 0), round(100 * by_stars.get(s, 0) / total))
            for s in range(5, 0, -1)
        ],
        reviews=list(db.session.scalars(stmt.limit(limit))),
    )


def producer_reviews(producer_id: int, limit: int = 50) -> list[Review]:
    """The cooperative's reviews, unanswered first, newest first (the dashboard)."""
    return list(
        db.session.scalars(
            select(Review)
            .where(Review.producer_id == producer_id)
            .options(selectinload(Review.photos), selectinload(Review.product))
            .order_by(Review.reply.is_not(None), Review.created_at.desc(), Review.id.desc())
            .limit(limit)
        )
    )


def reviews_for_moderation(show: str, limit: int = 100) -> list[Review]:
    """Admins: reported reviews first (most reports first), or the hidden ones, or all."""
    stmt = select(Review).options(selectinload(Review.photos), selectinload(Review.product))
    if show == "hidden":
        stmt = stmt.where(Review.status == ReviewStatus.HIDDEN).order_by(Review.hidden_at.desc())
    elif show == "all":
        stmt = stmt.order_by(Review.created_at.desc(), Review.id.desc())
    else:
        stmt = stmt.where(
            Review.status == ReviewStatus.PUBLISHED, Review.report_count > 0
        ).order_by(Review.report_count.desc(), Review.created_at.desc())
    return list(db.session.scalars(stmt.limit(limit)))


def rating_json(count: int, total: int) -> dict:
    """The API's and JSON-LD's rating: average to one decimal (None without reviews)."""
    return {"average": round(total / count, 1) if count else None, "count": count}
