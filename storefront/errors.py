"""Domain errors carry a user-facing message; views catch them and show it."""

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    """A rule of the shop was broken. `message` is safe to show to the user."""

    default_message = _l("This action could not be completed.")

    def __init__(self, message=None):
        self.message = message if message is not None else self.default_message
        # Kept lazy: the message is translated when shown, in the viewer's language.
        super().__init__(self.message)


class NotFound(DomainError):
    default_message = _l("Not found.")


class PermissionDenied(DomainError):
    default_message = _l("You are not allowed to do that.")


class ValidationFailed(DomainError):
    default_message = _l("Please check the values you entered.")


class OutOfStock(DomainError):
    default_message = _l("Sorry, this product is sold out.")


class InvalidTransition(DomainError):
    default_message = _l("That status change is not allowed.")


class PaymentError(DomainError):
    default_message = _l("The payment could not be processed.")


class AuthError(DomainError):
    default_message = _l("Invalid email or password.")


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
            return render_template(f"errors/{code}.html", message=message), code

        return handler

    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, render(code))
