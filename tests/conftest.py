"""Fixtures: app, client, runner, auth (as in the Flask tutorial), plus db helpers.

SQLite in memory by default; the same tests run on PostgreSQL when
TEST_DATABASE_URL is set (the schema is built once, tables emptied after each test).
"""

import os
from contextlib import contextmanager

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.pool import StaticPool

from config import TestingConfig
from storefront import create_app
from storefront.extensions import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite://")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
requires_postgres = pytest.mark.skipif(
    not ON_POSTGRES, reason="needs PostgreSQL: set TEST_DATABASE_URL (SQLite ignores FOR UPDATE)"
)


def pytest_sessionstart(session):
    """Compile the Vietnamese catalogues, so a bare `pytest` sees the same UI as `make test`."""
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in Path(__file__).parent.parent.glob("storefront/**/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=True)


def make_config(**overrides) -> type:
    options = {"SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL, **overrides}
    if TEST_DATABASE_URL == "sqlite://":
        # One shared in-memory database for every connection of this app.
        options.setdefault(
            "SQLALCHEMY_ENGINE_OPTIONS",
            {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}},
        )
    elif ON_POSTGRES:
        options.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True, "pool_size": 10})
    return type("PerTestConfig", (TestingConfig,), options)


@pytest.fixture(scope="session")
def _postgres_schema():
    """Build the PostgreSQL schema once per run."""
    if not ON_POSTGRES:
        yield
        return
    app = create_app(make_config())
    with app.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.create_all()
        db.engine.dispose()
    yield


def empty_all_tables() -> None:
    db.session.rollback()
    tables = [table.name for table in reversed(db.metadata.sorted_tables)]
    if ON_POSTGRES:
        db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    else:
        for name in tables:
            db.session.execute(text(f"DELETE FROM {name}"))  # noqa: S608 (our own table names)
    db.session.commit()


# Per-request caches that Flask-Login and Flask-Babel keep in `g`.
REQUEST_CACHES_IN_G = ("_login_user", "_flask_babel")


class PerRequestLoginClient(FlaskClient):
    """Tests keep one app context pushed, so `g` outlives a request. Drop the per-request
    caches around each request, so every request reads its own cookies afresh (the user, the
    language), as it would in production: e.g. a second device's old session cookie."""

    def open(self, *args, **kwargs):
        self._forget_request_caches()
        try:
            return super().open(*args, **kwargs)
        finally:
            self._forget_request_caches()

    @staticmethod
    def _forget_request_caches():
        if has_app_context():
            for name in REQUEST_CACHES_IN_G:
                g.pop(name, None)


@contextmanager
def building_apps(config_for, client_class=None):
    """Yield build(**overrides) -> app, each app on an empty database; dispose them after."""
    made = []

    def build(**overrides):
        app = create_app(config_for(**overrides))
        if client_class is not None:
            app.test_client_class = client_class
        made.append(app)
        with app.app_context():
            if ON_POSTGRES:
                empty_all_tables()
            else:
                db.create_all()
        return app

    try:
        yield build
    finally:
        for app in made:
            with app.app_context():
                if ON_POSTGRES:
                    empty_all_tables()
                db.session.remove()
                db.engine.dispose()


@pytest.fixture
def app_factory(_postgres_schema, tmp_path):
    """Build apps with extra config; each gets an empty database."""

    def config_for(**overrides):
        overrides.setdefault("UPLOAD_FOLDER", str(tmp_path / "uploads"))
        overrides.setdefault("RETURN_PHOTO_FOLDER", str(tmp_path / "return-photos"))
        overrides.setdefault("INVOICE_FOLDER", str(tmp_path / "invoices"))
        return make_config(**overrides)

    with building_apps(config_for, PerRequestLoginClient) as build:
        yield build


@pytest.fixture
def app(app_factory):
    app = app_factory()
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, email: str, password: str = "correct-horse-battery"):
        return self._client.post("/login", data={"email": email, "password": password})

    def login_as(self, user) -> None:
        """Log in without the form, for tests about something else."""
        with self._client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)
