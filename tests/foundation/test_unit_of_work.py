"""One unit of work per request: the request commits once on success, and one DomainError
handler turns a refused action into a message and a redirect (pages) or a problem (API)."""

import pytest
from flask import Blueprint, get_flashed_messages
from sqlalchemy import select

from storefront.auth.models import User
from storefront.errors import InvalidTransition, NotFound, PermissionDenied, back_to
from storefront.extensions import db
from tests.factories import UserFactory


def _raise(error):
    def view():
        # A service flushed half a change before it refused: none of it may be kept.
        UserFactory(email="half-done@example.vn")
        raise error

    return view


@pytest.fixture
def refusing_app(app_factory):
    app = app_factory()
    pages = Blueprint("refusing", __name__)
    pages.add_url_rule(
        "/refuse", "refuse", _raise(InvalidTransition("Already shipped.")), methods=["POST"]
    )

    def refuse_with_target():
        back_to("/somewhere")
        raise InvalidTransition("Already shipped.")

    pages.add_url_rule("/refuse-to", "refuse_to", refuse_with_target, methods=["POST"])
    pages.add_url_rule("/missing", "missing", _raise(NotFound("No such thing.")), methods=["POST"])
    pages.add_url_rule(
        "/forbidden", "forbidden", _raise(PermissionDenied("Owners only.")), methods=["POST"]
    )
    pages.add_url_rule("/get-refused", "get_refused", _raise(InvalidTransition("Not now.")))
    pages.add_url_rule(
        "/api/v1/refuse",
        "api_refuse",
        _raise(InvalidTransition("Already shipped.")),
        methods=["POST"],
    )

    def works():
        UserFactory(email="kept@example.vn")
        return "ok"

    pages.add_url_rule("/works", "works", works, methods=["POST"])
    app.register_blueprint(pages)
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        yield app


def _emails() -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(select(User.email)))


def test_a_successful_request_commits_its_work_once(refusing_app):
    client = refusing_app.test_client()
    assert client.post("/works").status_code == 200
    db.session.remove()  # a fresh session sees only what was committed
    assert _emails() == {"kept@example.vn"}


def test_a_refused_page_action_flashes_and_redirects_back_to_the_named_page(refusing_app):
    client = refusing_app.test_client()
    with client:
        response = client.post("/refuse-to")
        assert response.status_code == 303
        assert response.headers["Location"] == "/somewhere"
        assert get_flashed_messages(with_categories=True) == [("error", "Already shipped.")]
    assert _emails() == set()


def test_without_a_named_page_the_refusal_returns_to_the_referring_page(refusing_app):
    client = refusing_app.test_client()
    response = client.post("/refuse", headers={"Referer": "http://localhost/dashboard?tab=2"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/dashboard?tab=2"
    # Another site's address is never a target.
    response = client.post("/refuse", headers={"Referer": "https://evil.example/phish"})
    assert response.headers["Location"] == "/"
    assert _emails() == set()


def test_not_found_and_forbidden_are_error_pages_with_the_message(refusing_app):
    client = refusing_app.test_client()
    response = client.post("/missing")
    assert response.status_code == 404
    assert "No such thing." in response.get_data(as_text=True)
    response = client.post("/forbidden")
    assert response.status_code == 403
    assert "Owners only." in response.get_data(as_text=True)
    assert _emails() == set()


def test_a_refused_get_shows_the_message_instead_of_redirecting_to_itself(refusing_app):
    response = refusing_app.test_client().get("/get-refused")
    assert response.status_code == 409
    assert "Not now." in response.get_data(as_text=True)


def test_the_api_answers_a_refusal_with_a_json_problem(refusing_app):
    response = refusing_app.test_client().post("/api/v1/refuse")
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert response.get_json() == {
        "type": "about:blank",
        "title": "Conflict",
        "status": 409,
        "detail": "Already shipped.",
    }
    assert _emails() == set()
