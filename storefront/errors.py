"""Domain errors carry a user-facing message; one handler on the app shows them.

A view calls a service and returns. When the service raises a DomainError, the
handler registered here rolls the request's work back and turns the error into a
flashed message and a redirect back (pages) or an RFC 9457 problem (the /api/).
Views catch a DomainError themselves only to show it next to a form field.
"""

from urllib.parse import urlsplit

from flask import Flask, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """A rule of the shop was broken. `message` is safe to show to the user."""

    default_message = _l("This action could not be completed.")
    # The HTTP status the API answers with; pages redirect back instead.
    status_code = 400
    title = "Bad Request"

    def __init__(self, message=None):
        self.message = message if message is not None else self.default_message
        # Kept lazy: the message is translated when shown, in the viewer's language.
        super().__init__(self.message)


class NotFound(DomainError):
    default_message = _l("Not found.")
    status_code = 404
    title = "Not Found"


class PermissionDenied(DomainError):
    default_message = _l("You are not allowed to do that.")
    status_code = 403
    title = "Forbidden"


class ValidationFailed(DomainError):
    default_message = _l("Please check the values you entered.")
    status_code = 422
    title = "Unprocessable Content"


class FieldError(ValidationFailed):
    """A rule about one form field; a form view shows it next to that field."""

    def __init__(self, field: str, message):
        self.field = field
        super().__init__(message)


class OutOfStock(DomainError):
    default_message = _l("Sorry, this product is sold out.")
    status_code = 409
    title = "Conflict"


class InvalidTransition(DomainError):
    default_message = _l("That status change is not allowed.")
    status_code = 409
    title = "Conflict"


class PaymentError(DomainError):
    default_message = _l("The payment could not be processed.")
    status_code = 402
    title = "Payment Required"


class AuthError(DomainError):
    default_message = _l("Invalid email or password.")
    status_code = 401
    title = "Unauthorized"


# --- where a refused action lands -----------------------------------------------------------


def back_to(url: str) -> str:
    """Name the page a refused action returns to (and return it, for the success redirect).

    Browsers send a same-origin Referer (our Referrer-Policy allows it), so without this the
    handler returns to the page the form was on; scripts and tests send none.
    """
    g.back_to = url
    return url


def _same_origin_referrer() -> str | None:
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc and parts.netloc != request.host:
        return None
    if parts.scheme and parts.scheme not in ("http", "https"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _wants_problem_json() -> bool:
    return request.path.startswith("/api/")


def problem_response(status: int, title: str, detail: str, **extra):
    """application/problem+json (RFC 9457): the API's one error shape for domain errors."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def api_error(status: int, code: str, message: str, fields: dict | None = None):
    """The public API's refusal of a request it cannot read (the OpenAPI document's Error:
    a code, a message and, per field, what was wrong)."""
    body = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    response = jsonify(body)
    response.status_code = status
    return response


def api_http_errors(blueprint) -> None:
    """Werkzeug's HTTP errors (404, 405 …) answered in the API's Error shape on `blueprint`."""

    def answer(error: HTTPException):
        code = error.name.lower().replace(" ", "_")
        return api_error(error.code or 500, code, error.description or "")

    blueprint.register_error_handler(HTTPException, answer)


def handle_domain_error(error: DomainError):
    from .extensions import db

    db.session.rollback()
    message = str(error.message)
    if _wants_problem_json():
        return problem_response(error.status_code, error.title, message)
    if isinstance(error, NotFound | PermissionDenied):
        return render_template(f"errors/{error.status_code}.html", message=message), (
            error.status_code
        )
    flash(message, "error")
    target = g.get("back_to") or _same_origin_referrer()
    if target is None and request.method in ("GET", "HEAD"):
        # Going back to this same page would raise again: show the message on an error page.
        return render_template("errors/400.html", message=message), error.status_code
    return redirect(target or url_for("catalogue.home"), code=303)


def register_error_pages(app: Flask) -> None:
    from .extensions import db

    def render(code: int):
        def handler(error):
            if code == 500:
                db.session.rollback()
            # Show a description only when a view gave its own (already translated) one.
            default = getattr(type(error), "description", None)
            description = getattr(error, "description", None)
            message = description if description and description != default else None
            limit = getattr(error, "limit", None)  # Flask-Limiter's RateLimitExceeded
            if limit is not None and not limit.error_message:
                message = None  # its description is the rate itself ("10 per 1 minute")
            return render_template(f"errors/{code}.html", message=message), code

        return handler

    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, render(code))
    app.register_error_handler(DomainError, handle_domain_error)
