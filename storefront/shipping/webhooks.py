"""POST /webhooks/shipping/<carrier>/<secret>: a carrier's tracking callback.

The secret in the URL names the cooperative's account (each account has its own, given
to the carrier with the URL); the carrier's module then checks the request its own way
(Viettel Post's TOKEN in the body; GHN and GHTK sign nothing, so the URL secret is the
check). A bad secret is 401 and changes nothing; an event we cannot read is 400; anything
else is 200, including events we do not know (recorded) and repeats.
"""

import logging

from flask import Blueprint, abort, jsonify, request
from sqlalchemy.exc import IntegrityError

from ..extensions import csrf, db
from . import carriers, tracking
from .carriers.base import WebhookRejected

bp = Blueprint("shipping_webhooks", __name__)
log = logging.getLogger(__name__)
MAX_BODY = 64 * 1024


@bp.post("/webhooks/shipping/<carrier>/<secret>")
@csrf.exempt
def tracking_webhook(carrier: str, secret: str):
    if carrier not in carriers.BASE_SETTINGS:
        abort(404)
    if (request.content_length or 0) > MAX_BODY:
        return jsonify(error="too large"), 413
    payload = request.get_data(cache=False)[:MAX_BODY]
    account = tracking.account_for_secret(db.session, carrier, secret)
    if account is None:
        return jsonify(error="invalid secret"), 401
    try:
        updates = carriers.parse_webhook(
            carrier, payload, request.headers, secret, account.webhook_secret
        )
    except WebhookRejected:
        return jsonify(error="invalid signature"), 401
    except ValueError:
        return jsonify(error="invalid payload"), 400
    try:
        outcomes = tracking.process(db.session, account, updates)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        # A twin delivery committed the same event first; anything else is a real error.
        if not all(tracking.already_recorded(db.session, carrier, u.event_id) for u in updates):
            raise
        outcomes = ["duplicate"] * len(updates)
    return jsonify(received=True, outcomes=outcomes), 200


@bp.app_template_global()
def shipping_tracking_url(shipment) -> str | None:
    return tracking.tracking_url(shipment)


@bp.app_template_global()
def tracking_event_label(kind: str) -> str:
    return str(tracking.EVENT_LABELS.get(kind, tracking.EVENT_LABELS["unknown"]))
