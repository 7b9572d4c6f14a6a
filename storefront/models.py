"""Imports every model so Alembic autogenerate and `flask shell` see all tables."""

from .admin.models import AuditEvent
from .auth.models import Address, RecoveryCode, SignIn, User, UserRole
from .cart.models import Cart, CartLine
from .catalogue.models import (
    CatalogueState,
    Certificate,
    CertificateStatus,
    Product,
    ProductImage,
    ProductStatus,
)
from .core.models import EmailStatus, OutboundEmail
from .orders.models import (
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    PaymentMethod,
    PaymentStatus,
    ProducerOrder,
    Refund,
    SubOrderStatus,
    WebhookEvent,
)
from .producers.models import (
    Invitation,
    LedgerEntry,
    LedgerKind,
    MemberRole,
    Payout,
    Producer,
    ProducerKind,
    ProducerMember,
    ProducerStatus,
    StockMovement,
    StockReason,
)

__all__ = [
    "Address",
    "AuditEvent",
    "Cart",
    "CartLine",
    "CatalogueState",
    "Certificate",
    "CertificateStatus",
    "EmailStatus",
    "Invitation",
    "LedgerEntry",
    "LedgerKind",
    "MemberRole",
    "Order",
    "OrderEvent",
    "OrderLine",
    "OutboundEmail",
    "Payment",
    "PaymentMethod",
    "PaymentStatus",
    "Payout",
    "Producer",
    "ProducerKind",
    "ProducerMember",
    "ProducerOrder",
    "ProducerStatus",
    "Product",
    "ProductImage",
    "ProductStatus",
    "RecoveryCode",
    "Refund",
    "SignIn",
    "StockMovement",
    "StockReason",
    "SubOrderStatus",
    "User",
    "UserRole",
    "WebhookEvent",
]
