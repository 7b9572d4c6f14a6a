"""The migrations build the schema from empty on both databases, and match the models."""

import uuid
import warnings
from contextlib import contextmanager

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SAWarning

from storefront import create_app
from storefront.catalogue.search import is_search_object
from storefront.extensions import db
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL, make_config


@contextmanager
def old_expression_index_tolerated():
    """Until 0004 the users table had a unique index on lower(email). SQLite cannot reflect
    expression indexes, and batch mode (0003) reflects the table it rebuilds: SQLAlchemy warns
    about that one index, in those historic steps only."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore",
            message="Skipped unsupported reflection of expression-based index uq_users_email_lower",
            category=SAWarning,
        )
        yield


def _upgrade_and_diff(url: str):
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS={}))
    with app.app_context():
        with old_expression_index_tolerated():
            upgrade()
        _search_works_after_upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "render_as_batch": True,
                    "include_object": is_search_object,
                },
            )
            diff = compare_metadata(context, db.metadata)
            tables = set(inspect(connection).get_table_names())
        with old_expression_index_tolerated():
            downgrade(revision="base")
        with db.engine.connect() as connection:
            left = set(inspect(connection).get_table_names()) - {"alembic_version"}
        db.engine.dispose()
    return diff, tables, left


def _search_works_after_upgrade():
    """The migrated database keeps its search index itself (triggers, not create_all)."""
    from storefront.catalogue.queries import ProductFilters, search_products
    from storefront.clock import today_vn
    from tests.factories import ProducerFactory, ProductFactory

    producer = ProducerFactory(name="HTX Chè Shan")
    ProductFactory(producer=producer, name="Trà shan tuyết", name_en="Snow tea")
    db.session.commit()
    producer.name = "HTX Hoa Vàng"
    db.session.commit()
    for q in ("tra shan", "snow", "hoa vang"):
        page = search_products(ProductFilters(q=q), today_vn())
        assert page.total == 1, q
    from storefront.models import CatalogueState

    assert db.session.get(CatalogueState, 1).version > 1  # the writes bumped it
    db.session.execute(text("DELETE FROM products"))
    db.session.execute(text("DELETE FROM producers"))
    db.session.commit()
    db.session.remove()


def test_sqlite_upgrade_from_empty_matches_models(tmp_path):
    diff, tables, left = _upgrade_and_diff(f"sqlite:///{tmp_path / 'migrate.db'}")
    assert diff == []
    assert set(db.metadata.tables) <= tables
    assert left == set()


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: set TEST_DATABASE_URL")
def test_postgres_upgrade_from_empty_matches_models():
    server = make_url(TEST_DATABASE_URL)
    name = f"ocop_migrate_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        diff, tables, left = _upgrade_and_diff(server.set(database=name).render_as_string(False))
        assert diff == []
        assert set(db.metadata.tables) <= tables
        assert left == set()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_case_insensitive_email_uniqueness_is_in_the_database(app):
    from sqlalchemy.exc import IntegrityError

    from tests.factories import UserFactory

    UserFactory(email="hoa@example.vn")
    db.session.commit()
    for email in ("HOA@example.vn", "hoa@example.vn"):  # stored lower-case, and unique
        with pytest.raises(IntegrityError):
            UserFactory(email=email)
        db.session.rollback()
