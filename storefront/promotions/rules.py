"""Which vouchers apply to a cart, how much each takes off, and why a code does not apply.

Pure reading: nothing here writes. The cart summary (cart.services.summarize) and the
checkout (orders.checkout.place_order) both price a cart through `price_cart`, so what the
buyer sees is what the order records.

Stacking, as buyers know it: at most one shop-funded voucher per order and one
cooperative-funded voucher per sub-order (a "slot" each). Cooperative vouchers are taken
first, each on its own parcel; the shop's voucher then takes its share of what is left.
A minimum order is compared with the goods in the voucher's scope, before any discount.
Codes the buyer typed fill their slot; an automatic promotion (no code) fills a slot no
code fills, the largest discount winning.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from ..clock import VN_TZ
from ..money import format_vnd
from . import allocate
from .models import Voucher, VoucherKind, VoucherScope, VoucherStatus, VoucherUse

SHOP_SLOT = 0  # the slot of the shop's voucher; a cooperative's slot is its producer id


def vn_time(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.replace(tzinfo=UTC).astimezone(VN_TZ).strftime("%H:%M %d/%m/%Y")


# ---------------------------------------------------------------- why a code does not apply


def unknown_code():
    return _l("We do not know this code. Check it and try again.")


def _availability_problem(voucher: Voucher, now: datetime, buyer_uses: int):
    if voucher.status is not VoucherStatus.ACTIVE:
        return _l("This code cannot be used at the moment.")
    if now < voucher.starts_at:
        return _l("This code can be used from %(when)s.", when=vn_time(voucher.starts_at))
    if voucher.ends_at is not None and now >= voucher.ends_at:
        return _l("This code expired at %(when)s.", when=vn_time(voucher.ends_at))
    if voucher.total_uses is not None and voucher.uses >= voucher.total_uses:
        return _l("This code has been fully used.")
    if voucher.per_buyer is not None and buyer_uses >= voucher.per_buyer:
        return _l("You have already used this code as many times as it allows.")
    return None


# ---------------------------------------------------------------- what the cart holds


@dataclass
class PricedLine:
    key: int  # the cart line's id (the order lines follow the same order)
    product: object
    producer_id: int
    value: int  # unit price now × quantity
    stars: int | None
    discount: int = 0
    shop_discount: int = 0


@dataclass
class Applied:
    voucher: Voucher
    slot: int
    amount: int
    line_shares: dict[int, int] = field(default_factory=dict)
    shipping_shares: dict[int, int] = field(default_factory=dict)  # producer id -> đồng

    @property
    def code(self) -> str | None:
        return self.voucher.code


@dataclass
class Problem:
    code: str
    message: object
    changed: bool = False  # the voucher's terms changed since the buyer applied it


@dataclass
class Pricing:
    applied: list[Applied] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    goods_discount: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    shipping_discount: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    shop_goods_discount: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    shop_shipping_discount: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def total(self) -> int:
        return sum(a.amount for a in self.applied)


def in_scope(voucher: Voucher, line: PricedLine) -> bool:
    if voucher.producer_id is not None and line.producer_id != voucher.producer_id:
        return False
    scope = voucher.scope
    if scope is VoucherScope.SHOP:
        return True
    if scope is VoucherScope.PRODUCER:
        return line.producer_id == voucher.scope_producer_id
    if scope is VoucherScope.PRODUCTS:
        return line.product.id in voucher.product_ids
    if scope is VoucherScope.GROUP:
        return line.product.group == voucher.scope_group
    if scope is VoucherScope.STARS:
        return line.stars is not None and line.stars >= (voucher.scope_stars or 0)
    return False


def _discount_of(voucher: Voucher, lines: list[PricedLine], shipping: dict[int, int]):
    """(Applied, None) or (None, why not), against what earlier vouchers left."""
    eligible = [line for line in lines if in_scope(voucher, line)]
    if not eligible:
        return None, _l("This code does not apply to the products in your cart.")
    base = sum(line.value for line in eligible)
    if base < voucher.min_order:
        return None, _l(
            "Minimum order %(amount)s: add %(missing)s more.",
            amount=format_vnd(voucher.min_order),
            missing=format_vnd(voucher.min_order - base),
        )
    applied = Applied(voucher=voucher, slot=voucher.producer_id or SHOP_SLOT, amount=0)
    if voucher.kind is VoucherKind.FREE_SHIPPING:
        producers = sorted({line.producer_id for line in eligible})
        fees = [(pid, shipping.get(pid, 0)) for pid in producers]
        owed = sum(fee for _pid, fee in fees)
        if owed <= 0:
            return None, _l("Shipping is already free for these products.")
        amount = min(owed, voucher.max_discount) if voucher.max_discount else owed
        applied.shipping_shares = allocate.split(amount, fees)
        applied.amount = sum(applied.shipping_shares.values())
        return applied, None
    left = [(line.key, line.value - line.discount) for line in eligible]
    remaining = sum(value for _key, value in left)
    if voucher.kind is VoucherKind.PERCENT:
        amount = remaining * min(voucher.percent or 0, 100) // 100
        if voucher.max_discount:
            amount = min(amount, voucher.max_discount)
    else:
        amount = voucher.amount or 0
    amount = min(amount, remaining)  # never below zero, whatever the voucher says
    if amount <= 0:
        return None, _l("This code does not apply to the products in your cart.")
    applied.line_shares = allocate.split(amount, left)
    applied.amount = sum(applied.line_shares.values())
    return applied, None


# ---------------------------------------------------------------- reading vouchers


_MEMO = "storefront.vouchers"


def load_vouchers(session: Session, codes: tuple[str, ...], now: datetime) -> list[Voucher]:
    """The vouchers named by `codes` (whatever their state, to say why one does not apply)
    and every running automatic promotion, in one query, once per request."""
    # Kept in the WSGI environ under one string key (PEP 3333: its keys are strings; the access
    # log of gunicorn fails on any other), one entry per set of codes.
    memo = request.environ.setdefault(_MEMO, {}) if has_request_context() else {}
    if codes in memo:
        return memo[codes]
    automatic = and_(
        Voucher.code.is_(None),
        Voucher.status == VoucherStatus.ACTIVE,
        Voucher.starts_at <= now,
        or_(Voucher.ends_at.is_(None), Voucher.ends_at > now),
    )
    condition = or_(Voucher.code.in_(codes), automatic) if codes else automatic
    vouchers = list(
        session.scalars(
            select(Voucher)
            .where(condition)
            .options(selectinload(Voucher.products))
            .order_by(Voucher.id)
        )
    )
    memo[codes] = vouchers
    return vouchers


def buyer_uses(session: Session, vouchers: list[Voucher], buyer_key: str | None) -> dict[int, int]:
    limited = [v.id for v in vouchers if v.per_buyer is not None]
    if not buyer_key or not limited:
        return {}
    rows = session.execute(
        select(VoucherUse.voucher_id, func.count())
        .where(
            VoucherUse.voucher_id.in_(limited),
            VoucherUse.buyer_key == buyer_key,
            VoucherUse.released_at.is_(None),
        )
        .group_by(VoucherUse.voucher_id)
    )
    return {int(voucher_id): int(count) for voucher_id, count in rows.all()}


# ---------------------------------------------------------------- pricing a cart


def _take(pricing: Pricing, applied: Applied, lines: dict[int, PricedLine], shipping) -> None:
    shop = applied.voucher.shop_funded
    for key, share in applied.line_shares.items():
        line = lines[key]
        line.discount += share
        pricing.goods_discount[line.producer_id] += share
        if shop:
            line.shop_discount += share
            pricing.shop_goods_discount[line.producer_id] += share
    for producer_id, share in applied.shipping_shares.items():
        shipping[producer_id] -= share
        pricing.shipping_discount[producer_id] += share
        if shop:
            pricing.shop_shipping_discount[producer_id] += share
    pricing.applied.append(applied)


def price_cart(
    session: Session,
    entries: list[dict] | None,
    lines: list[PricedLine],
    shipping: dict[int, int],
    now: datetime,
    buyer_key: str | None = None,
    extra: Voucher | None = None,
) -> Pricing:
    """Price `lines` (and the parcels' `shipping`, by producer id) with the cart's codes
    (`entries`: [{"code", "version"}]) and the running automatic promotions.

    `extra` is a voucher being applied now: it takes its slot, and its problem (if any)
    is the first one reported."""
    entries = [e for e in (entries or []) if isinstance(e, dict) and e.get("code")]
    codes = tuple(sorted({str(e["code"]) for e in entries}))
    pricing = Pricing()
    if not lines:
        return pricing
    vouchers = load_vouchers(session, codes, now)
    by_code = {v.code: v for v in vouchers if v.code is not None}
    chosen: dict[int, tuple[Voucher, int | None]] = {}
    if extra is not None:
        chosen[extra.producer_id or SHOP_SLOT] = (extra, extra.version)
        by_code[extra.code] = extra
    for entry in entries:
        voucher = by_code.get(entry["code"])
        if voucher is None:
            pricing.problems.append(Problem(entry["code"], unknown_code()))
            continue
        chosen.setdefault(voucher.producer_id or SHOP_SLOT, (voucher, entry.get("version")))
    candidates = [v for v, _seen in chosen.values()] + [v for v in vouchers if v.code is None]
    uses = buyer_uses(session, candidates, buyer_key)
    line_map = {line.key: line for line in lines}
    shipping = dict(shipping)

    def usable(voucher: Voucher):
        return _availability_problem(voucher, now, uses.get(voucher.id, 0))

    # Cooperative slots first, then the shop's, so the shop's share is of what is left.
    slots = sorted({v.producer_id or SHOP_SLOT for v in candidates}, key=lambda s: (s == 0, s))
    for slot in slots:
        if slot in chosen:
            voucher, seen_version = chosen[slot]
            problem = usable(voucher)
            applied = None
            if problem is None:
                applied, problem = _discount_of(voucher, lines, shipping)
            if problem is not None:
                pricing.problems.append(Problem(voucher.code, problem))
                continue
            if seen_version is not None and seen_version != voucher.version:
                pricing.problems.append(
                    Problem(
                        voucher.code,
                        _l(
                            "The terms of code %(code)s changed since you applied it; "
                            "check the new discount.",
                            code=voucher.code,
                        ),
                        changed=True,
                    )
                )
            _take(pricing, applied, line_map, shipping)
            continue
        best = None
        for voucher in vouchers:
            if voucher.code is not None or (voucher.producer_id or SHOP_SLOT) != slot:
                continue
            if usable(voucher) is not None:
                continue
            applied, _problem = _discount_of(voucher, lines, shipping)
            if applied is not None and (best is None or applied.amount > best.amount):
                best = applied
        if best is not None:
            _take(pricing, best, line_map, shipping)
    if extra is not None:
        # The code being applied speaks first: its own reason, if it has one.
        pricing.problems.sort(key=lambda p: p.code != extra.code)
    return pricing


# ---------------------------------------------------------------- words for people


def describe(voucher: Voucher) -> str:
    """ "10% off, at most 50.000 ₫, on orders from 200.000 ₫" in the reader's language."""
    if voucher.kind is VoucherKind.PERCENT:
        text = str(_l("%(percent)d%% off", percent=voucher.percent or 0))
        if voucher.max_discount:
            text += str(_l(", at most %(cap)s", cap=format_vnd(voucher.max_discount)))
    elif voucher.kind is VoucherKind.FIXED:
        text = str(_l("%(amount)s off", amount=format_vnd(voucher.amount)))
    else:
        text = str(_l("Free shipping"))
        if voucher.max_discount:
            text += str(_l(", at most %(cap)s", cap=format_vnd(voucher.max_discount)))
    if voucher.min_order:
        text += str(_l(" on orders from %(amount)s", amount=format_vnd(voucher.min_order)))
    return text
