"""The audit log: every admin and producer action records who changed which object, and how.

`record` is the one call every action goes through. It adds the row to the caller's
session, so it commits (or rolls back) together with the change it describes: there is
never a change without its record, nor a record of a change that did not happen. An action
must be named in ACTIONS, so the log always has words for it, in Vietnamese and English.
"""

import enum
import re
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from .models import AuditEvent

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")

# What people read in the audit log for each recorded action.
ACTIONS = {
    "voucher.create": _l("Created a voucher"),
    "voucher.update": _l("Changed a voucher's terms"),
    "voucher.paused": _l("Paused a voucher"),
    "voucher.active": _l("Resumed a voucher"),
    "voucher.stopped": _l("Stopped a voucher"),
    "product.sale": _l("Set a product's sale price"),
    "review.hide": _l("Hid a buyer's review"),
    "review.restore": _l("Showed a hidden review again"),
    "producer.apply": _l("Applied to sell in the shop"),
    "producer.approve": _l("Approved the producer"),
    "producer.suspend": _l("Suspended the producer"),
    "producer.update": _l("Edited the producer's profile"),
    "producer.profile_updated": _l("Edited the producer's profile"),
    "producer.photo_changed": _l("Changed the producer's photo"),
    "producer.document_added": _l("Added a document to the application"),
    "producer.changes_requested": _l("Asked for changes to the application"),
    "producer.application_rejected": _l("Turned the application down"),
    "producer.application_resubmitted": _l("Sent the application again"),
    "producer.bank_change_requested": _l("Asked to change the bank account"),
    "producer.bank_change_approved": _l("Approved the new bank account"),
    "producer.bank_change_rejected": _l("Rejected the new bank account"),
    "producer.import_stock_counts": _l("Imported stock counts"),
    "member.invite": _l("Invited a team member"),
    "member.join": _l("Joined the team"),
    "member.remove": _l("Removed a team member"),
    "invitation.revoke": _l("Withdrew an invitation"),
    "product.create": _l("Created the product"),
    "product.update": _l("Edited the product"),
    "product.set_status": _l("Changed the product's status"),
    "product.add_photo": _l("Added a photo"),
    "product.delete_photo": _l("Removed a photo"),
    "product.adjust_stock": _l("Changed the stock"),
    "product.set_low_stock_threshold": _l("Changed the low-stock threshold"),
    "product.add_variant": _l("Added a variant"),
    "product.update_variant": _l("Edited a variant"),
    "product.set_variant_status": _l("Archived or restored a variant"),
    "product.feature": _l("Featured the product"),
    "product.unfeature": _l("Stopped featuring the product"),
    "product.move_featured": _l("Moved the featured product"),
    "product.unfeature_lapsed": _l("Stopped featuring: no longer eligible"),
    "certificate.submit": _l("Submitted the certificate"),
    "certificate.verify": _l("Verified the certificate"),
    "certificate.reject": _l("Rejected the certificate"),
    "order.confirm_bank_transfer": _l("Confirmed the bank transfer"),
    "order.resend_emails": _l("Sent the order's emails again"),
    "sub_order.confirm": _l("Confirmed the cooperative's part"),
    "sub_order.pack": _l("Packed the cooperative's part"),
    "sub_order.ship": _l("Shipped the cooperative's part"),
    "sub_order.deliver": _l("Delivered the cooperative's part"),
    "sub_order.cancel": _l("Cancelled the cooperative's part"),
    "sub_order.refund": _l("Refunded"),
    "sub_order.invoice": _l("Issued the VAT invoice"),
    "return.request": _l("Asked to return goods"),
    "return.accept": _l("Accepted the return"),
    "return.refuse": _l("Refused the return"),
    "return.escalate": _l("Asked the shop to decide the return"),
    "return.close": _l("Closed the return"),
    "return.receive": _l("Received the returned goods"),
    "return.refund": _l("Refunded the return"),
    "payout.record": _l("Recorded a payout"),
    "shipment.book": _l("Booked the carrier for a parcel"),
    "shipping.account_saved": _l("Saved a carrier account"),
    "shipping.account_removed": _l("Removed a carrier account"),
    "shipping.profile_saved": _l("Changed the shipping choices"),
    "shipping.cod_import": _l("Imported a COD remittance report"),
    "policy_page.edit": _l("Edited the policy page"),
    "user.enable": _l("Enabled the account"),
    "user.disable": _l("Disabled the account"),
    "user.promote_admin": _l("Made the account an administrator"),
}


def action_label(action: str):
    """The words for a recorded action; an action no longer recorded keeps its code."""
    return ACTIONS.get(action, action)


def object_type(obj) -> str:
    """ProducerOrder -> "producer_order": stable names that survive a table rename."""
    return _CAMEL.sub("_", type(obj).__name__).lower()


def jsonable(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def snapshot(obj, *fields: str) -> dict:
    """The named attributes of `obj` as plain JSON values."""
    return {name: jsonable(getattr(obj, name)) for name in fields}


def changed_only(before: dict, after: dict) -> tuple[dict, dict]:
    """Keep only the keys whose values differ, so an edit's record shows what changed."""
    keys = [key for key in after if before.get(key) != after.get(key)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def record(
    session: Session,
    actor_id: int | None,
    action: str,
    obj,
    before: dict | None,
    after: dict | None,
) -> AuditEvent:
    if action not in ACTIONS:
        raise ValueError(f"Audit action {action!r} has no label in admin.audit.ACTIONS")
    event = AuditEvent(
        actor_id=actor_id,
        action=action,
        object_type=object_type(obj),
        object_id=str(obj.id),
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
    )
    session.add(event)
    session.flush()
    return event
