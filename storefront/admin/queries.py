"""The admin's read side. Lists load related rows eagerly, so a page costs a fixed number of
queries; the overview aggregates in SQL."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Date, and_, cast, exists, func, literal_column, or_, select
from sqlalchemy.orm import Session, selectinload

from ..auth.models import User
from ..catalogue.certificates import expiring_certificates_stmt
from ..catalogue.featuring import MIN_FEATURED_STARS, featuring_problem
from ..catalogue.models import Certificate, CertificateStatus, Product, ProductStatus
from ..catalogue.ocop import GROUPS
from ..catalogue.search import get_backend, parse_query
from ..core.pagination import Page, paginate
from ..orders.models import (
    Order,
    OrderLine,
    PaymentMethod,
    PaymentStatus,
    ProducerOrder,
    Refund,
    SubOrderStatus,
)
from ..producers import ledger
from ..producers.models import LedgerEntry, Payout, Producer, ProducerMember, ProducerStatus
from ..producers.statements import vn_day_start_utc as vn_day_start
from ..text import fold
from .models import AuditEvent


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# --- producers -------------------------------------------------------------------------------


def producers_page(session: Session, status: ProducerStatus | None, q: str, page: int) -> Page:
    product_count = (
        select(func.count(Product.id))
        .where(Product.producer_id == Producer.id)
        .correlate(Producer)
        .scalar_subquery()
    )
    stmt = select(Producer, product_count.label("products"))
    if status is not None:
        stmt = stmt.where(Producer.status == status)
    if q.strip():
        stmt = stmt.where(
            or_(
                Producer.search_text.like(_like(fold(q)), escape="\\"),
                func.lower(Producer.contact_email) == q.strip().lower(),
            )
        )
    # Applications waiting for review first, then the newest.
    stmt = stmt.order_by(
        (Producer.status != ProducerStatus.PENDING), Producer.created_at.desc(), Producer.id.desc()
    )
    return paginate(session, stmt, page, scalars=False)


def producer_status_counts(session: Session) -> dict[ProducerStatus, int]:
    rows = session.execute(select(Producer.status, func.count()).group_by(Producer.status))
    return dict(rows.all())


def producer_members(session: Session, producer: Producer) -> list[ProducerMember]:
    return list(
        session.scalars(
            select(ProducerMember)
            .where(ProducerMember.producer_id == producer.id)
            .options(selectinload(ProducerMember.user))
            .order_by(ProducerMember.role, ProducerMember.id)
        )
    )


def producer_products(session: Session, producer: Producer) -> list[Product]:
    return list(
        session.scalars(
            select(Product)
            .where(Product.producer_id == producer.id)
            .options(selectinload(Product.certificates))
            .order_by(Product.name, Product.id)
        )
    )


# --- audit -----------------------------------------------------------------------------------


def audit_for(session: Session, object_type: str, object_id, limit: int = 50) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id))
            .options(selectinload(AuditEvent.actor))
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )


def audit_for_order(session: Session, order: Order, limit: int = 100) -> list[AuditEvent]:
    """The order's own admin actions and those on its sub-orders."""
    sub_ids = [str(so.id) for so in order.sub_orders]
    return list(
        session.scalars(
            select(AuditEvent)
            .where(
                or_(
                    and_(AuditEvent.object_type == "order", AuditEvent.object_id == str(order.id)),
                    and_(
                        AuditEvent.object_type == "producer_order",
                        AuditEvent.object_id.in_(sub_ids),
                    ),
                )
            )
            .options(selectinload(AuditEvent.actor))
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )


def audit_page(session: Session, object_type: str, action: str, page: int) -> Page:
    stmt = select(AuditEvent).options(selectinload(AuditEvent.actor))
    if object_type:
        stmt = stmt.where(AuditEvent.object_type == object_type)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    stmt = stmt.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    return paginate(session, stmt, page, per_page=50)


def audit_facets(session: Session) -> tuple[list[str], list[str]]:
    types = session.scalars(select(AuditEvent.object_type).distinct().order_by("object_type"))
    actions = session.scalars(select(AuditEvent.action).distinct().order_by("action"))
    return list(types), list(actions)


# --- certificates ----------------------------------------------------------------------------


def _certificate_eager(stmt):
    return stmt.options(
        selectinload(Certificate.product).selectinload(Product.producer),
    )


def pending_certificates(session: Session) -> list[Certificate]:
    stmt = select(Certificate).where(Certificate.status == CertificateStatus.PENDING)
    return list(
        session.scalars(_certificate_eager(stmt).order_by(Certificate.created_at, Certificate.id))
    )


def expiring_certificates(session: Session, today: date, days: int) -> list[Certificate]:
    stmt = expiring_certificates_stmt(today, days)
    return list(
        session.scalars(_certificate_eager(stmt).order_by(Certificate.valid_until, Certificate.id))
    )


def expired_certificates(session: Session, today: date, page: int) -> Page:
    """Verified certificates whose last valid day is before today: their stars are gone."""
    stmt = select(Certificate).where(
        Certificate.status == CertificateStatus.VERIFIED, Certificate.valid_until < today
    )
    stmt = _certificate_eager(stmt).order_by(Certificate.valid_until.desc(), Certificate.id)
    return paginate(session, stmt, page)


def certificate_counts(session: Session, today: date, days: int) -> dict[str, int]:
    def count(stmt) -> int:
        return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0

    return {
        "pending": count(
            select(Certificate.id).where(Certificate.status == CertificateStatus.PENDING)
        ),
        "expiring": count(
            expiring_certificates_stmt(today, days).with_only_columns(Certificate.id)
        ),
        "expired": count(
            select(Certificate.id).where(
                Certificate.status == CertificateStatus.VERIFIED, Certificate.valid_until < today
            )
        ),
    }


# --- featuring -------------------------------------------------------------------------------


@dataclass
class FeaturedRow:
    product: Product
    problem: object = None  # why it is hidden from the home page, if it is


@dataclass
class FeaturedGroup:
    code: str
    label: object
    rows: list[FeaturedRow] = field(default_factory=list)


def featured_groups(session: Session, today: date) -> list[FeaturedGroup]:
    products = session.scalars(
        select(Product)
        .where(Product.featured.is_(True))
        .options(selectinload(Product.producer), selectinload(Product.certificates))
        .order_by(Product.featured_position.is_(None), Product.featured_position, Product.id)
    ).all()
    groups = {code: FeaturedGroup(code, label) for code, label in GROUPS.items()}
    for product in products:
        group = groups.setdefault(product.group, FeaturedGroup(product.group, product.group))
        group.rows.append(FeaturedRow(product, featuring_problem(product, today)))
    return list(groups.values())


def _featurable(today: date):
    return and_(
        Product.status == ProductStatus.ACTIVE,
        Producer.status == ProducerStatus.APPROVED,
        exists().where(
            Certificate.product_id == Product.id,
            Certificate.status == CertificateStatus.VERIFIED,
            Certificate.signed_on <= today,
            Certificate.valid_until >= today,
            Certificate.stars >= MIN_FEATURED_STARS,
        ),
    )


def feature_candidates(
    session: Session, today: date, group: str, q: str, limit: int = 50
) -> list[Product]:
    stmt = (
        select(Product)
        .join(Product.producer)
        .where(Product.featured.is_(False), _featurable(today))
        .options(selectinload(Product.producer), selectinload(Product.certificates))
    )
    if group:
        stmt = stmt.where(Product.group == group)
    if q.strip():
        query = parse_query(q)
        if query is not None:
            stmt = get_backend(session).filter(stmt, query)
    return list(session.scalars(stmt.order_by(Product.name, Product.id).limit(limit)))


# --- orders ----------------------------------------------------------------------------------


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def search_orders(session: Session, q: str, page: int) -> Page:
    """By order number (whole or its tail), phone (any spacing, 0 or +84) or email."""
    stmt = select(Order).options(selectinload(Order.sub_orders))
    q = q.strip()
    if q:
        conditions = [func.upper(Order.number) == q.upper()]
        if len(q) >= 3:
            conditions.append(func.upper(Order.number).like(_like(q.upper()), escape="\\"))
        if "@" in q:
            conditions.append(func.lower(Order.email) == q.lower())
        digits = _digits(q)
        if len(digits) >= 6 and len(digits) >= len(q.replace(" ", "")) - 2:
            local = "0" + digits[2:] if digits.startswith("84") else digits
            # Phones are stored as typed; compare them with the spacing removed.
            stored = Order.phone
            for separator in (" ", ".", "-"):
                stored = func.replace(stored, separator, "")
            conditions.extend(
                [stored == local, stored == "+84" + local[1:], stored == "84" + local[1:]]
            )
        stmt = stmt.where(or_(*conditions))
    stmt = stmt.order_by(Order.created_at.desc(), Order.id.desc())
    return paginate(session, stmt, page)


def order_detail(session: Session, order_id: int) -> Order | None:
    return session.scalar(
        select(Order)
        .where(Order.id == order_id)
        .options(
            selectinload(Order.sub_orders).selectinload(ProducerOrder.lines),
            selectinload(Order.payments),
            selectinload(Order.events),
        )
    )


def order_refunds(session: Session, order: Order) -> list[Refund]:
    return list(
        session.scalars(select(Refund).where(Refund.order_id == order.id).order_by(Refund.id))
    )


# --- payouts ---------------------------------------------------------------------------------


def producer_balances(session: Session, q: str, page: int) -> Page:
    """Each producer with its ledger balance (one grouped query, largest debt first)."""
    balance = func.coalesce(func.sum(LedgerEntry.amount), 0).label("balance")
    stmt = (
        select(Producer, balance)
        .outerjoin(LedgerEntry, LedgerEntry.producer_id == Producer.id)
        .group_by(Producer.id)
        .order_by(balance.desc(), Producer.name)
    )
    if q.strip():
        stmt = stmt.where(Producer.search_text.like(_like(fold(q)), escape="\\"))
    return paginate(session, stmt, page, scalars=False)


def payouts_of(session: Session, producer: Producer, limit: int = 100) -> list[Payout]:
    return list(
        session.scalars(
            select(Payout)
            .where(Payout.producer_id == producer.id)
            .order_by(Payout.created_at.desc(), Payout.id.desc())
            .limit(limit)
        )
    )


def ledger_entries(
    session: Session, producer: Producer, start: date, end: date
) -> tuple[int, list[LedgerEntry], int]:
    """Opening balance, the entries of [start, end] (Vietnam days) and the closing balance."""
    start_at, end_at = vn_day_start(start), vn_day_start(end + timedelta(days=1))
    opening = ledger.balance(session, producer.id, LedgerEntry.created_at < start_at)
    entries = list(
        session.scalars(
            select(LedgerEntry)
            .where(
                LedgerEntry.producer_id == producer.id,
                LedgerEntry.created_at >= start_at,
                LedgerEntry.created_at < end_at,
            )
            .order_by(LedgerEntry.created_at, LedgerEntry.id)
        )
    )
    closing = int(opening or 0) + sum(e.amount for e in entries)
    return int(opening or 0), entries, closing


# --- users -----------------------------------------------------------------------------------


def search_users(session: Session, q: str, role, page: int) -> Page:
    stmt = select(User)
    q = q.strip()
    if q:
        pattern = _like(q.lower())
        stmt = stmt.where(
            or_(
                func.lower(User.email).like(pattern, escape="\\"),
                func.lower(User.name).like(pattern, escape="\\"),
                User.phone.like(_like(q), escape="\\"),
            )
        )
    if role is not None:
        stmt = stmt.where(User.role == role)
    return paginate(session, stmt.order_by(User.created_at.desc(), User.id.desc()), page)


# --- overview --------------------------------------------------------------------------------

VN_OFFSET = timedelta(hours=7)  # Vietnam keeps UTC+7 all year: no daylight saving
# Money that is (or will be, at the door) the shop's: paid, or cash on delivery.
COUNTED_PAYMENTS = (
    PaymentStatus.PAID,
    PaymentStatus.PARTIALLY_REFUNDED,
    PaymentStatus.REFUNDED,
    PaymentStatus.COD,
)


def _vn_day(session: Session, column):
    """The Vietnamese calendar day of a naive-UTC timestamp, computed by the database."""
    if session.get_bind().dialect.name == "sqlite":
        return func.date(column, "+7 hours")
    return cast(column + literal_column("INTERVAL '7 hours'"), Date)


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


@dataclass
class DayRow:
    day: date
    orders: int
    sales: int


@dataclass
class Overview:
    start: date
    end: date
    days: list[DayRow]
    orders: int
    sales: int
    by_province: list[tuple[int | None, int, int]]  # code, orders, sales
    by_group: list[tuple[str | None, int, int]]  # group, quantity, goods value
    top_producers: list[tuple[int, str, int, int]]  # id, name, sub-orders, sales
    max_day_sales: int = 0


def _live_sub_orders(start_at: datetime, end_at: datetime):
    """Sub-orders that count as sales: not cancelled, of orders paid or paid at the door."""
    return and_(
        ProducerOrder.status != SubOrderStatus.CANCELLED,
        Order.payment_status.in_(COUNTED_PAYMENTS),
        Order.created_at >= start_at,
        Order.created_at < end_at,
    )


def overview(session: Session, start: date, end: date, top: int = 10) -> Overview:
    start_at, end_at = vn_day_start(start), vn_day_start(end + timedelta(days=1))
    net = ProducerOrder.total - ProducerOrder.refunded_amount

    day = _vn_day(session, Order.created_at).label("day")
    placed = {
        _as_date(d): n
        for d, n in session.execute(
            select(day, func.count(Order.id))
            .where(Order.created_at >= start_at, Order.created_at < end_at)
            .group_by(day)
        ).all()
    }
    sales_day = _vn_day(session, Order.created_at).label("day")
    sales = {
        _as_date(d): int(s or 0)
        for d, s in session.execute(
            select(sales_day, func.sum(net))
            .join(Order, ProducerOrder.order_id == Order.id)
            .where(_live_sub_orders(start_at, end_at))
            .group_by(sales_day)
        ).all()
    }
    days = []
    current = start
    while current <= end:
        days.append(DayRow(current, placed.get(current, 0), sales.get(current, 0)))
        current += timedelta(days=1)

    by_province = [
        (code, n, int(s or 0))
        for code, n, s in session.execute(
            select(Order.province_code, func.count(func.distinct(Order.id)), func.sum(net))
            .join(Order, ProducerOrder.order_id == Order.id)
            .where(_live_sub_orders(start_at, end_at))
            .group_by(Order.province_code)
            .order_by(func.sum(net).desc())
        ).all()
    ]
    by_group = [
        (group, int(qty or 0), int(value or 0))
        for group, qty, value in session.execute(
            select(Product.group, func.sum(OrderLine.quantity), func.sum(OrderLine.line_total))
            .select_from(OrderLine)
            .join(ProducerOrder, OrderLine.producer_order_id == ProducerOrder.id)
            .join(Order, ProducerOrder.order_id == Order.id)
            .outerjoin(Product, OrderLine.product_id == Product.id)
            .where(_live_sub_orders(start_at, end_at))
            .group_by(Product.group)
            .order_by(func.sum(OrderLine.line_total).desc())
        ).all()
    ]
    top_producers = [
        (pid, name, n, int(s or 0))
        for pid, name, n, s in session.execute(
            select(Producer.id, Producer.name, func.count(ProducerOrder.id), func.sum(net))
            .select_from(ProducerOrder)
            .join(Order, ProducerOrder.order_id == Order.id)
            .join(Producer, ProducerOrder.producer_id == Producer.id)
            .where(_live_sub_orders(start_at, end_at))
            .group_by(Producer.id, Producer.name)
            .order_by(func.sum(net).desc(), Producer.name)
            .limit(top)
        ).all()
    ]
    return Overview(
        start=start,
        end=end,
        days=days,
        orders=sum(placed.values()),
        sales=sum(sales.values()),
        by_province=by_province,
        by_group=by_group,
        top_producers=top_producers,
        max_day_sales=max(sales.values(), default=0),
    )


def attention_counts(session: Session, today: date, days: int) -> dict[str, int]:
    """What waits for an admin: applications, certificates, unconfirmed transfers."""
    counts = certificate_counts(session, today, days)
    counts["producers"] = (
        session.scalar(
            select(func.count(Producer.id)).where(Producer.status == ProducerStatus.PENDING)
        )
        or 0
    )
    counts["transfers"] = (
        session.scalar(
            select(func.count(Order.id)).where(
                Order.payment_method == PaymentMethod.BANK_TRANSFER,
                Order.payment_status == PaymentStatus.PENDING,
            )
        )
        or 0
    )
    return counts
