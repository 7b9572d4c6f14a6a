"""One unit of work per request: the request commits once, in one place.

Views call services (which add and flush, never commit) and return. When the response
is a success (below 400) the request's work is committed here. Anything else is never
committed: the session ends with the request (Flask-SQLAlchemy removes it, rolling back),
and the DomainError and 500 handlers roll back at once, so their own redirect or page
cannot carry half a change into this commit. Post-commit side effects registered with
core.hooks.on_commit run after this commit.
"""

from flask import Flask, flash, redirect

from ..extensions import db


def init_unit_of_work(app: Flask) -> None:
    @app.after_request
    def commit_on_success(response):
        if response.status_code < 400:
            db.session.commit()
        return response


def done(message, target: str):
    """The end of a successful action: say what happened, then show the page (303)."""
    flash(str(message), "success")
    return redirect(target, code=303)


def show_in_form(form, error, field: str | None = None) -> None:
    """A refused change, shown on the form it came from: next to `field` (or the field a
    FieldError names), else at the top. The request's work is rolled back first, so the page
    renders the stored state beside what was typed."""
    db.session.rollback()
    name = field or getattr(error, "field", None)
    if name and name in form:
        form[name].errors = [*form[name].errors, error.message]
    else:
        form.form_errors.append(error.message)
