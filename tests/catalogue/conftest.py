"""Catalogue fixtures: a controllable 'today' and an SQL statement counter."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from storefront.extensions import db


@pytest.fixture
def set_today(monkeypatch):
    """Make the catalogue pages and the API believe it is `day` (Vietnam time)."""

    def set_(day):
        for module in ("storefront.catalogue.routes", "storefront.catalogue.api"):
            monkeypatch.setattr(f"{module}.today_vn", lambda: day)

    return set_


@contextmanager
def counting_queries():
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


@pytest.fixture
def count_queries():
    return counting_queries
