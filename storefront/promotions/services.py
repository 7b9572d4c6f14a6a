"""Promotion services: plain functions over a session; the caller commits.

Uses are exact under concurrency: `take_uses` increments a voucher's count with one
conditional UPDATE (… WHERE uses < total_uses AND still running AND same terms) in the
order's own transaction, so however many buyers press "Áp dụng" and order at once, only
as many orders as the voucher allows carry it; the losers' orders roll back whole. The
per-buyer count is read after that UPDATE, which holds the voucher's row lock: a twin
checkout of the same buyer waits for it and then sees the first use committed.
`release_uses` gives a use back once (a conditional UPDATE of the use), when a whole order
is cancelled or expires unpaid.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from ..catalogue.models import Product
from ..catalogue.ocop import GROUPS
from ..clock import VN_TZ, utcnow
from ..core.validators import MAX_MONEY_VND, has_control_characters
from ..errors import NotFound, ValidationFailed
from . import rules
from .models import Voucher, VoucherKind, VoucherProduct, VoucherScope, VoucherStatus, VoucherUse

CODE_RE = re.compile(r"^[A-Z0-9_-]{3,32}$")
MAX_PER_CART = 8  # one shop slot and a cooperative slot per parcel: more is not a real cart


def normalise_code(raw) -> str:
    """ " ocop 10 " and "Ocop10" are OCOP10: case-insensitive, spaces ignored."""
    if raw is None:
        return ""
    text = re.sub(r"\s+", "", str(raw))  # a tab or line break pasted with the code too
    if has_control_characters(text):
        return ""
    return text.upper()


def find_by_code(session: Session, raw) -> Voucher:
    code = normalise_code(raw)
    if not code:
        raise ValidationFailed(_l("Enter a voucher code."))
    voucher = None
    if CODE_RE.match(code):
        voucher = session.scalar(
            select(Voucher).where(Voucher.code == code).options(selectinload(Voucher.products))
        )
    if voucher is None:
        raise ValidationFailed(rules.unknown_code())
    return voucher


# ---------------------------------------------------------------- the buyer's cart


def apply_code(session: Session, cart, raw_code, shipping, buyer_key=None, now=None) -> Voucher:
    """Put a code on the cart if it applies now; otherwise say why, changing nothing.
    A code takes its slot: the shop's, or its cooperative's (the one it replaces)."""
    from ..cart import services as cart_services

    now = now or utcnow()
    voucher = find_by_code(session, raw_code)
    summary = cart_services.summarize(
        session,
        cart,
        shipping,
        with_images=False,
        buyer_key=buyer_key,
        now=now,
        extra_voucher=voucher,
    )
    if summary.is_empty:
        raise ValidationFailed(_l("Your cart is empty."))
    problem = next((p for p in summary.pricing.problems if p.code == voucher.code), None)
    if problem is not None:
        raise ValidationFailed(problem.message)
    slot = voucher.producer_id
    kept = []
    for entry in cart.vouchers or []:
        if not isinstance(entry, dict) or entry.get("code") == voucher.code:
            continue
        other = session.scalar(select(Voucher).where(Voucher.code == entry.get("code")))
        if other is not None and other.producer_id == slot:
            continue  # the new code takes this one's slot
        kept.append(entry)
    cart.vouchers = [*kept, {"code": voucher.code, "version": voucher.version}][-MAX_PER_CART:]
    cart.updated_at = now
    session.flush()
    return voucher


def remove_code(session: Session, cart, raw_code, now=None) -> None:
    code = normalise_code(raw_code)
    entries = [e for e in cart.vouchers or [] if isinstance(e, dict)]
    left = [e for e in entries if e.get("code") != code]
    if len(left) == len(entries):
        raise NotFound(_l("That code is not in your cart."))
    cart.vouchers = left or None
    cart.updated_at = now or utcnow()
    session.flush()


# ---------------------------------------------------------------- at checkout


def take_uses(session: Session, order, pricing, sub_orders: dict, buyer_key, now) -> None:
    """Count each applied voucher's use against its limits, in the order's transaction."""
    for applied in sorted(pricing.applied, key=lambda a: a.voucher.id):
        voucher = applied.voucher
        taken = session.execute(
            update(Voucher)
            .where(
                Voucher.id == voucher.id,
                Voucher.status == VoucherStatus.ACTIVE,
                Voucher.version == voucher.version,
                Voucher.starts_at <= now,
                or_(Voucher.ends_at.is_(None), Voucher.ends_at > now),
                or_(Voucher.total_uses.is_(None), Voucher.uses < Voucher.total_uses),
            )
            .values(uses=Voucher.uses + 1),
            execution_options={"synchronize_session": False},
        )
        label = voucher.code or rules.describe(voucher)
        if taken.rowcount != 1:
            raise ValidationFailed(
                _l(
                    "Code %(code)s: %(reason)s Review your cart before ordering.",
                    code=label,
                    reason=_l("This code has been fully used."),
                )
            )
        if voucher.per_buyer is not None and buyer_key:
            used = session.scalar(
                select(func.count())
                .select_from(VoucherUse)
                .where(
                    VoucherUse.voucher_id == voucher.id,
                    VoucherUse.buyer_key == buyer_key,
                    VoucherUse.released_at.is_(None),
                )
            )
            if used >= voucher.per_buyer:
                raise ValidationFailed(
                    _l(
                        "Code %(code)s: %(reason)s Review your cart before ordering.",
                        code=label,
                        reason=_l("You have already used this code as many times as it allows."),
                    )
                )
        sub_order = sub_orders.get(voucher.producer_id) if voucher.producer_id else None
        session.add(
            VoucherUse(
                voucher_id=voucher.id,
                order_id=order.id,
                producer_order_id=sub_order.id if sub_order is not None else None,
                buyer_key=(buyer_key or f"order:{order.id}")[:260],
                code=voucher.code,
                amount=applied.amount,
            )
        )
    session.flush()


def release_uses(session: Session, order, now: datetime | None = None) -> int:
    """Give back the order's voucher uses (the whole order was cancelled or expired unpaid).
    Each use is released once, whoever else tries at the same moment. Returns how many."""
    if not order.discount_total:
        return 0
    now = now or utcnow()
    released = 0
    uses = session.scalars(
        select(VoucherUse)
        .where(VoucherUse.order_id == order.id, VoucherUse.released_at.is_(None))
        .order_by(VoucherUse.voucher_id)
    ).all()
    for use in uses:
        won = session.execute(
            update(VoucherUse)
            .where(VoucherUse.id == use.id, VoucherUse.released_at.is_(None))
            .values(released_at=now),
            execution_options={"synchronize_session": False},
        )
        if won.rowcount != 1:
            continue
        session.execute(
            update(Voucher)
            .where(Voucher.id == use.voucher_id, Voucher.uses > 0)
            .values(uses=Voucher.uses - 1),
            execution_options={"synchronize_session": False},
        )
        released += 1
    return released


# ---------------------------------------------------------------- managing vouchers


@dataclass
class VoucherTerms:
    """What a form (dashboard or admin) sends; validated here, whoever calls."""

    code: str | None
    kind: str
    value: int | None  # the percentage, or the amount in đồng
    max_discount: int | None
    min_order: int
    scope: str
    scope_producer_id: int | None
    scope_group: str | None
    scope_stars: int | None
    product_ids: list[int]
    starts_at: datetime  # Vietnam's time, naive
    ends_at: datetime | None  # Vietnam's time, naive
    total_uses: int | None
    per_buyer: int | None
    show_on_product: bool = False


def vn_to_utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=VN_TZ).astimezone(UTC).replace(tzinfo=None)


def utc_to_vn(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC).astimezone(VN_TZ).replace(tzinfo=None)


def _money(value, message, minimum=0):
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not minimum <= value <= MAX_MONEY_VND
    ):
        raise ValidationFailed(message)
    return value


def _checked(session: Session, terms: VoucherTerms, producer_id: int | None) -> dict:
    try:
        kind = VoucherKind(terms.kind)
        scope = VoucherScope(terms.scope)
    except ValueError:
        raise ValidationFailed(_l("Choose the kind and scope of the voucher.")) from None
    code = normalise_code(terms.code) or None
    if code is not None and not CODE_RE.match(code):
        raise ValidationFailed(
            _l("A code is 3 to 32 letters, digits, hyphens or underscores, without accents.")
        )
    values = {"code": code, "kind": kind, "scope": scope, "percent": None, "amount": None}
    if kind is VoucherKind.PERCENT:
        if (
            isinstance(terms.value, bool)
            or not isinstance(terms.value, int)
            or not (1 <= terms.value <= 100)
        ):
            raise ValidationFailed(_l("A percentage is a whole number from 1 to 100."))
        values["percent"] = terms.value
    elif kind is VoucherKind.FIXED:
        values["amount"] = _money(
            terms.value, _l("Enter the amount off in whole đồng, above zero."), 1
        )
        if values["amount"] is None:
            raise ValidationFailed(_l("Enter the amount off in whole đồng, above zero."))
    values["max_discount"] = _money(
        terms.max_discount, _l("The cap is an amount in whole đồng, above zero."), 1
    )
    values["min_order"] = (
        _money(terms.min_order, _l("The minimum order is an amount in whole đồng."), 0) or 0
    )
    if (
        values["amount"] is not None
        and values["min_order"]
        and values["amount"] > values["min_order"]
    ):
        # Not an error of arithmetic (the discount is capped at the goods), but a sign of a typo.
        raise ValidationFailed(_l("The amount off cannot be more than the minimum order."))
    values["scope_producer_id"] = values["scope_group"] = values["scope_stars"] = None
    product_ids: list[int] = []
    if scope is VoucherScope.PRODUCER:
        target = producer_id or terms.scope_producer_id
        if not target:
            raise ValidationFailed(_l("Choose the cooperative."))
        values["scope_producer_id"] = target
    elif scope is VoucherScope.GROUP:
        if terms.scope_group not in GROUPS:
            raise ValidationFailed(_l("Choose an OCOP product group."))
        values["scope_group"] = terms.scope_group
    elif scope is VoucherScope.STARS:
        if terms.scope_stars not in (3, 4, 5):
            raise ValidationFailed(_l("Choose a star level from 3 to 5."))
        values["scope_stars"] = terms.scope_stars
    elif scope is VoucherScope.PRODUCTS:
        wanted = sorted({pid for pid in terms.product_ids if isinstance(pid, int)})
        query = select(Product.id).where(Product.id.in_(wanted))
        if producer_id is not None:
            query = query.where(Product.producer_id == producer_id)
        product_ids = list(session.scalars(query))
        if not product_ids or len(product_ids) != len(wanted):
            raise ValidationFailed(_l("Choose the products, from your own catalogue."))
    starts_at, ends_at = vn_to_utc(terms.starts_at), vn_to_utc(terms.ends_at)
    if starts_at is None:
        raise ValidationFailed(_l("Enter when the voucher starts."))
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationFailed(_l("The voucher must end after it starts."))
    values.update(starts_at=starts_at, ends_at=ends_at)
    for name, value in (("total_uses", terms.total_uses), ("per_buyer", terms.per_buyer)):
        if value is not None and (isinstance(value, bool) or not 1 <= value <= 10_000_000):
            raise ValidationFailed(_l("Uses are a whole number, at least 1 (or empty: no limit)."))
        values[name] = value
    values["show_on_product"] = bool(terms.show_on_product)
    values["product_ids"] = product_ids
    return values


AUDITED = (
    "code",
    "kind",
    "percent",
    "amount",
    "max_discount",
    "min_order",
    "scope",
    "scope_producer_id",
    "scope_group",
    "scope_stars",
    "starts_at",
    "ends_at",
    "total_uses",
    "per_buyer",
    "show_on_product",
    "status",
    "version",
)


def snapshot(voucher: Voucher) -> dict:
    from ..admin.audit import snapshot as audit_snapshot

    data = audit_snapshot(voucher, *AUDITED)
    data["producer_id"] = voucher.producer_id
    data["product_ids"] = sorted(voucher.product_ids)
    return data


def create_voucher(
    session: Session, terms: VoucherTerms, producer_id: int | None, actor_id: int | None
) -> Voucher:
    """A voucher funded by `producer_id` (None: the shop). A cooperative's voucher only ever
    covers its own products, whatever scope it names."""
    values = _checked(session, terms, producer_id)
    if values["code"] and session.scalar(select(Voucher.id).where(Voucher.code == values["code"])):
        raise ValidationFailed(_l("This code is already taken; choose another."))
    product_ids = values.pop("product_ids")
    voucher = Voucher(producer_id=producer_id, created_by_id=actor_id, uses=0, **values)
    voucher.products = [VoucherProduct(product_id=pid) for pid in product_ids]
    session.add(voucher)
    session.flush()
    _audit(session, actor_id, "voucher.create", voucher, None, snapshot(voucher))
    return voucher


def update_voucher(
    session: Session, voucher: Voucher, terms: VoucherTerms, actor_id: int | None
) -> Voucher:
    """New terms bump the version: carts holding the code flag the change before checkout."""
    if voucher.status is VoucherStatus.STOPPED:
        raise ValidationFailed(_l("This voucher was stopped and can no longer be changed."))
    before = snapshot(voucher)
    values = _checked(session, terms, voucher.producer_id)
    if (
        values["code"] != voucher.code
        and values["code"]
        and session.scalar(
            select(Voucher.id).where(Voucher.code == values["code"], Voucher.id != voucher.id)
        )
    ):
        raise ValidationFailed(_l("This code is already taken; choose another."))
    if values["total_uses"] is not None and values["total_uses"] < voucher.uses:
        raise ValidationFailed(
            _l("It was already used %(n)d times: allow at least that many.", n=voucher.uses)
        )
    product_ids = values.pop("product_ids")
    for name, value in values.items():
        setattr(voucher, name, value)
    if sorted(voucher.product_ids) != product_ids:
        voucher.products = [VoucherProduct(product_id=pid) for pid in product_ids]
    voucher.version += 1
    voucher.updated_at = utcnow()
    session.flush()
    _audit(session, actor_id, "voucher.update", voucher, before, snapshot(voucher))
    return voucher


def set_status(
    session: Session, voucher: Voucher, target: VoucherStatus, actor_id: int | None
) -> bool:
    """Pause, resume or stop; conditional, so a stopped voucher never comes back. Returns
    False when it was already in that state."""
    allowed = {
        VoucherStatus.PAUSED: (VoucherStatus.ACTIVE,),
        VoucherStatus.ACTIVE: (VoucherStatus.PAUSED,),
        VoucherStatus.STOPPED: (VoucherStatus.ACTIVE, VoucherStatus.PAUSED),
    }[target]
    before = snapshot(voucher)
    moved = session.execute(
        update(Voucher)
        .where(Voucher.id == voucher.id, Voucher.status.in_(allowed))
        .values(status=target, version=Voucher.version + 1, updated_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    session.refresh(voucher)
    if moved.rowcount != 1:
        if voucher.status is target:
            return False
        raise ValidationFailed(_l("This voucher was stopped and can no longer be changed."))
    _audit(session, actor_id, f"voucher.{target.value}", voucher, before, snapshot(voucher))
    return True


def _audit(session, actor_id, action, voucher, before, after) -> None:
    from ..admin.audit import changed_only, record

    if before is not None and after is not None:
        before, after = changed_only(before, after)
    record(session, actor_id, action, voucher, before, after)


# ---------------------------------------------------------------- sale prices


def set_sale(
    session: Session,
    product: Product,
    sale_price: int | None,
    starts_at: datetime | None,
    ends_at: datetime | None,
    actor_id: int | None,
) -> None:
    """A sale price below the price, from `starts_at` to `ends_at` (Vietnam's time); None
    ends it now. Carts holding the sale price flag the change when it ends."""
    from ..admin.audit import record

    before = {
        "sale_price": product.sale_price,
        "sale_starts_at": product.sale_starts_at,
        "sale_ends_at": product.sale_ends_at,
    }
    if sale_price is None:
        product.sale_price = product.sale_starts_at = product.sale_ends_at = None
    else:
        if (
            isinstance(sale_price, bool)
            or not isinstance(sale_price, int)
            or not (0 < sale_price < product.price)
        ):
            raise ValidationFailed(_l("The sale price must be above zero and below the price."))
        if starts_at is None or ends_at is None:
            raise ValidationFailed(_l("Enter when the sale starts and ends."))
        if ends_at <= starts_at:
            raise ValidationFailed(_l("The sale must end after it starts."))
        product.sale_price = sale_price
        product.sale_starts_at = vn_to_utc(starts_at)
        product.sale_ends_at = vn_to_utc(ends_at)
    product.updated_at = utcnow()
    session.flush()
    after = {
        "sale_price": product.sale_price,
        "sale_starts_at": product.sale_starts_at,
        "sale_ends_at": product.sale_ends_at,
    }
    record(session, actor_id, "product.sale", product, before, after)


# ---------------------------------------------------------------- what buyers are shown


def running(now: datetime):
    return (
        Voucher.status == VoucherStatus.ACTIVE,
        Voucher.starts_at <= now,
        or_(Voucher.ends_at.is_(None), Voucher.ends_at > now),
        or_(Voucher.total_uses.is_(None), Voucher.uses < Voucher.total_uses),
    )


def shown_for_products(session: Session, products: list, now: datetime | None = None):
    """The running vouchers marked "shown on product pages" that cover any of `products`,
    each with the products it covers: [(voucher, [product ids])]."""
    now = now or utcnow()
    if not products:
        return []
    vouchers = session.scalars(
        select(Voucher)
        .where(Voucher.show_on_product.is_(True), *running(now))
        .options(selectinload(Voucher.products))
        .order_by(Voucher.producer_id.is_not(None), Voucher.id)
        .limit(20)
    ).all()
    today = now.replace(tzinfo=UTC).astimezone(VN_TZ).date()
    lines = [
        rules.PricedLine(
            key=p.id, product=p, producer_id=p.producer_id, value=0, stars=p.stars_on(today)
        )
        for p in products
    ]
    shown = []
    for voucher in vouchers:
        covered = [line.key for line in lines if rules.in_scope(voucher, line)]
        if covered:
            shown.append((voucher, covered))
    return shown
