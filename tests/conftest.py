"""Fixtures: app, client, runner, auth (as in the Flask tutorial), plus db helpers.

SQLite by default; the same tests run on PostgreSQL when TEST_DATABASE_URL is set. The
schema is built once per run (per xdist worker, each on a database of its own); each test
runs inside a transaction that is rolled back (TestTransaction), unless it is marked
real_commits or requires_postgres (RealCommits: tables emptied after it).
"""

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import g, has_app_context
from flask import globals as flask_globals
from flask.testing import FlaskClient
from flask_sqlalchemy.query import Query
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import scoped_session, sessionmaker

from config import TestingConfig
from storefront import create_app
from storefront.core.hooks import CommitHookSession
from storefront.extensions import db

# Under pytest-xdist each worker ("gw0", "gw1", ...) has a database of its own.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_GIVEN_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = _GIVEN_URL.startswith("postgresql")
if ON_POSTGRES:
    _given = make_url(_GIVEN_URL)
    TEST_DATABASE_URL = (
        _given.set(database=f"{_given.database}_{WORKER}") if WORKER else _given
    ).render_as_string(hide_password=False)
else:
    # A file, not ":memory:": every app's engine (and the migrations test's) must reach the
    # one schema built at the start of the run. Journal in memory, no fsync: tests roll back.
    _SQLITE_DIR = Path(tempfile.mkdtemp(prefix=f"ocop-tests-{WORKER or 'main'}-"))
    TEST_DATABASE_URL = f"sqlite:///{_SQLITE_DIR / 'tests.db'}"

requires_postgres = pytest.mark.postgres  # skipped on SQLite, run with real commits (below)


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(
        reason="needs PostgreSQL: set TEST_DATABASE_URL (SQLite ignores FOR UPDATE)"
    )
    for item in items:
        if item.get_closest_marker("postgres") is not None and not ON_POSTGRES:
            item.add_marker(skip)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """With `--dist loadgroup` (as `make test` runs): every browser journey on one worker, so a
    run starts one shop and one Chromium, not one per worker; every other test is handed out
    one at a time. (xdist's own loadgroup marks node ids in a way pytest 9 no longer reads.)"""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class JourneysTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "tests/e2e" if nodeid.startswith("tests/e2e/") else nodeid

    return JourneysTogether(config, log)


def pytest_sessionstart(session):
    """Compile the Vietnamese catalogues, so a bare `pytest` sees the same UI as `make test`."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in Path(__file__).parent.parent.glob("storefront/**/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        # Written aside then renamed: xdist workers may compile at the same moment.
        partial = mo_path.with_suffix(f".mo.{os.getpid()}")
        with partial.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=True)
        partial.replace(mo_path)


def pytest_sessionfinish(session):
    if not ON_POSTGRES:
        shutil.rmtree(_SQLITE_DIR, ignore_errors=True)


def make_config(**overrides) -> type:
    options = {"SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL, **overrides}
    if ON_POSTGRES:
        options.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True, "pool_size": 10})
    else:
        options.setdefault(
            "SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"check_same_thread": False}}
        )
    return type("PerTestConfig", (TestingConfig,), options)


def _prepare_sqlite_engine(engine) -> None:
    """pysqlite's own transaction handling breaks SAVEPOINT: let SQLAlchemy emit BEGIN
    (the recipe in SQLAlchemy's SQLite dialect documentation), so a test's transaction can
    hold the app's commits as savepoints."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA journal_mode=MEMORY")
        dbapi_connection.execute("PRAGMA synchronous=OFF")

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN")


def _create_postgres_database(url: str) -> None:
    """The worker's database, made afresh from TEST_DATABASE_URL's server."""
    target = make_url(url)
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        server.dispose()


@pytest.fixture(scope="session")
def test_schema():
    """Build the schema once per run (per xdist worker)."""
    if ON_POSTGRES and WORKER:
        _create_postgres_database(TEST_DATABASE_URL)
    app = create_app(make_config())
    with app.app_context():
        if not ON_POSTGRES:
            _prepare_sqlite_engine(db.engine)
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.create_all()
        db.session.remove()
        db.engine.dispose()
    yield


@pytest.fixture(scope="session")
def _postgres_schema(test_schema):
    """The old name of test_schema, kept for fixtures that ask for it."""
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


class _TestTransactionSession(CommitHookSession):
    """The app's session class (Flask-SQLAlchemy's, running on_commit callbacks once commit()
    has returned), but every statement goes through the test's connection."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind if bind is not None else self.bind


class TestTransaction:
    """One test's isolation: a connection with a transaction that is rolled back at the end.

    db.session is bound to it with join_transaction_mode="create_savepoint": the app's own
    commit() and rollback() only release or roll back a SAVEPOINT, so the test sees exactly
    what a request committed, and nothing outlives the test. Tests that need data visible to
    other connections (threads, a second Session(db.engine)) are marked real_commits or
    requires_postgres instead.
    """

    def __init__(self):
        self.connection = None
        self._outer = None
        self._original_session = None

    def begin(self, app) -> None:
        """Start on `app`'s engine; a second app built in the same test starts afresh on an
        empty database, as each app_factory() app always has."""
        self.end()
        with app.app_context():
            self.connection = db.engine.connect()
        self._outer = self.connection.begin()
        self._original_session = db.session
        db.session = scoped_session(
            sessionmaker(
                class_=_TestTransactionSession,
                db=db,
                bind=self.connection,
                join_transaction_mode="create_savepoint",
                query_cls=Query,
            ),
            scopefunc=_app_context_id,
        )

    def end(self) -> None:
        if self.connection is None:
            return
        db.session.remove()
        db.session = self._original_session
        if self._outer.is_active:
            self._outer.rollback()
        self.connection.close()
        self.connection = None


def _app_context_id() -> int:
    """Sessions are scoped by app context, as Flask-SQLAlchemy scopes them."""
    return id(flask_globals.app_ctx._get_current_object()) if has_app_context() else 0


class RealCommits:
    """The slow isolation, for tests marked real_commits or requires_postgres: the app commits
    for real, so other connections and threads see it; every table is emptied afterwards."""

    def __init__(self):
        self._app = None

    def begin(self, app) -> None:
        self.end()
        self._app = app

    def end(self) -> None:
        if self._app is None:
            return
        with self._app.app_context():
            empty_all_tables()
            db.session.remove()
        self._app = None


def _isolation_for(node) -> "TestTransaction | RealCommits":
    wants_commits = node.get_closest_marker("real_commits") or node.get_closest_marker("postgres")
    return RealCommits() if wants_commits else TestTransaction()


@pytest.fixture
def db_isolation(test_schema, request):
    """How this test's database writes are undone (see TestTransaction and RealCommits)."""
    isolation = _isolation_for(request.node)
    yield isolation
    isolation.end()


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


def _new_app(config, client_class=None):
    app = create_app(config)
    if client_class is not None:
        app.test_client_class = client_class
    if not ON_POSTGRES and app.config["SQLALCHEMY_DATABASE_URI"] == TEST_DATABASE_URL:
        with app.app_context():
            _prepare_sqlite_engine(db.engine)
    return app


@contextmanager
def building_apps(config_for, client_class=None, isolation=None):
    """Yield build(**overrides) -> app, each on the run's schema with this test's isolation
    (db_isolation; without one, tables are emptied after); dispose them after."""
    made = []
    isolation = RealCommits() if isolation is None else isolation

    def build(**overrides):
        app = _new_app(config_for(**overrides), client_class)
        made.append(app)
        isolation.begin(app)
        return app

    try:
        yield build
    finally:
        # Before the engines go: a connection still checked out of a disposed pool is left
        # for the garbage collector to close (a ResourceWarning with psycopg).
        isolation.end()
        for app in made:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


class SharedApp:
    """The app of the plain `app` fixture, built once per worker: create_app costs more than
    most tests (Werkzeug compiles every URL rule). Each test gets it back as new: the config
    it was built with, no extension state added since (mail outbox, caches), its own upload
    folder and app context. A test that needs other settings uses app_factory."""

    def __init__(self, app):
        self.app = app
        self._config = dict(app.config)
        self._extensions = set(app.extensions)

    def fresh(self, **settings):
        app = self.app
        app.config.clear()
        app.config.update(self._config, **settings)
        for name in set(app.extensions) - self._extensions:
            del app.extensions[name]
        return app


@pytest.fixture(scope="session")
def _shared_app(test_schema):
    shared = SharedApp(_new_app(make_config(), PerRequestLoginClient))
    yield shared
    with shared.app.app_context():
        db.engine.dispose()


@pytest.fixture
def app_factory(db_isolation, tmp_path):
    """Build apps with extra config, on this test's isolated database."""

    def config_for(**overrides):
        overrides.setdefault("UPLOAD_FOLDER", str(tmp_path / "uploads"))
        overrides.setdefault("RETURN_PHOTO_FOLDER", str(tmp_path / "return-photos"))
        overrides.setdefault("INVOICE_FOLDER", str(tmp_path / "invoices"))
        return make_config(**overrides)

    with building_apps(config_for, PerRequestLoginClient, db_isolation) as build:
        yield build


@pytest.fixture
def app(_shared_app, db_isolation, tmp_path):
    app = _shared_app.fresh(
        UPLOAD_FOLDER=str(tmp_path / "uploads"),
        RETURN_PHOTO_FOLDER=str(tmp_path / "return-photos"),
        INVOICE_FOLDER=str(tmp_path / "invoices"),
    )
    db_isolation.begin(app)
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@contextmanager
def counting_queries():
    """Collect the SQL statements the test's session sends, whichever app sends them."""
    statements: list[str] = []
    # The engine the session really uses: the test transaction's connection may come from
    # another app's engine than the current app's db.engine.
    engine = db.session.get_bind().engine

    def record(conn, cursor, statement, parameters, context, executemany):
        # Savepoints are the test transaction's (TestTransaction), not the app's statements.
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, email: str, password: str = "correct-horse-battery"):
        return self._client.post("/login", data={"email": email, "password": password})

    def login_as(self, user) -> None:
        """Log in without the form, for tests about something else."""
        from storefront.auth.twofactor import MFA_SESSION_KEY

        with self._client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
            if user.totp_enabled:
                # As if this browser had passed the second factor at login.
                session[MFA_SESSION_KEY] = user.id

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)
