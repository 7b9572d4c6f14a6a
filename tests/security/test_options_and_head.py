"""OPTIONS and HEAD on every URL of the map, as guest, customer, cooperative member and admin.

OPTIONS is answered by Flask from the URL map alone: it must not read the user (no SQL at all,
so not even the session's user is loaded) nor run a view. Found: anonymous OPTIONS on /admin
URLs answered 500 (login_required let OPTIONS through, then admin_required read
current_user.is_admin). HEAD is GET without the body: the same status, never a 500.
"""

import pytest
from sqlalchemy import event

from storefront.extensions import db
from tests.conftest import AuthActions
from tests.security.test_hostile_sweep import SKIP, _url, world  # noqa: F401 (a fixture)


def _rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint not in SKIP]


class _Statements:
    def __init__(self):
        self.seen: list[str] = []
        self.engine = db.session.get_bind().engine

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self.seen

    def __exit__(self, *_exc):
        event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, _conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            self.seen.append(statement)


@pytest.mark.parametrize("visitor", ["guest", "customer", "member", "admin"])
def test_options_answers_from_the_url_map_without_reading_the_user(app, world, visitor):  # noqa: F811
    client = app.test_client()
    user = world["visitors"][visitor]
    if user is not None:
        AuthActions(client).login_as(user)
    failures = []
    for rule in _rules(app):
        url = _url(rule.rule, world, "1")
        with _Statements() as statements:
            response = client.open(url, method="OPTIONS")
        allowed = set(response.headers.get("Allow", "").replace(" ", "").split(","))
        if response.status_code != 200 or not (rule.methods - {"OPTIONS"}) <= allowed:
            failures.append((url, response.status_code, sorted(allowed)))
        elif statements:
            failures.append((url, "SQL", statements[0][:80]))
    assert failures == [], "\n".join(map(repr, failures))


@pytest.mark.parametrize("visitor", ["guest", "customer", "member", "admin"])
def test_head_answers_as_get_does_without_a_body(app, world, visitor):  # noqa: F811
    client = app.test_client()
    user = world["visitors"][visitor]
    failures = []
    for rule in _rules(app):
        if "GET" not in rule.methods:
            continue
        url = _url(rule.rule, world, "1")
        answers = []
        for method in ("GET", "HEAD"):
            if user is not None:
                AuthActions(client).login_as(user)
            with client.open(url, method=method) as response:
                answers.append((response.status_code, len(response.data)))
        (get, _), (head, head_body) = answers
        if head == 500 or head != get or head_body:
            failures.append((url, get, head, head_body))
    assert failures == [], "\n".join(map(repr, failures))
