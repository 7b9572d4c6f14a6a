"""CSRF: every POST route is protected except the two webhooks (Stripe's, and the carriers'
tracking callbacks), and only they; checked on the testing config with CSRF switched on and
on the production config as deployed."""

import re

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter, UUIDConverter

from storefront.extensions import csrf

from .conftest import HttpsClient

# The one route that must accept a POST without a token: Stripe signs it instead.
WEBHOOK_MODULE = "storefront.orders.webhooks"
WEBHOOK_PATH = "/webhooks/stripe"
# The carriers' tracking callbacks: a per-cooperative secret in the URL (and Viettel Post's
# TOKEN) is checked instead (storefront/shipping/webhooks.py).
TRACKING_MODULE = "storefront.shipping.webhooks"
TRACKING_PATH = "/webhooks/shipping/<carrier>/<secret>"
ALLOWED = {WEBHOOK_MODULE: WEBHOOK_PATH, TRACKING_MODULE: TRACKING_PATH}


@pytest.fixture(params=["testing", "production"])
def csrf_app(request, app_factory):
    """CSRF on: the testing config told so, and ProductionConfig with nothing told (the
    tests fail if production ever switches it off)."""
    if request.param == "production":
        app = request.getfixturevalue("production_factory")()
        # Its cookies are Secure and __Host-: only sent back over https.
        app.test_client_class = HttpsClient
        return app
    return app_factory(WTF_CSRF_ENABLED=True)


def view_location(view) -> str:
    return f"{view.__module__}.{view.__name__}"


def exempt_endpoints(app) -> set[str]:
    exempt_blueprints = {bp.name for bp in csrf._exempt_blueprints}
    return {
        endpoint
        for endpoint, view in app.view_functions.items()
        if view_location(view) in csrf._exempt_views
        or endpoint.partition(".")[0] in exempt_blueprints
    }


def post_rules(app):
    return [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods]


def sample_url(rule) -> str:
    """A URL for the rule with placeholder arguments; CSRF is checked before the view runs."""
    values = {}
    for name in rule.arguments:
        converter = rule._converters.get(name)
        if isinstance(converter, IntegerConverter):
            values[name] = 1
        elif isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        elif isinstance(converter, UUIDConverter):
            values[name] = "00000000-0000-4000-8000-000000000000"
        else:
            values[name] = "x"
    return rule.build(values, append_unknown=False)[1]


def test_exactly_one_exempt_route_and_it_is_the_stripe_webhook(csrf_app):
    exempt = exempt_endpoints(csrf_app)
    assert not csrf._exempt_blueprints, "no whole blueprint may be CSRF-exempt"
    for endpoint in exempt:
        view = csrf_app.view_functions[endpoint]
        assert view.__module__ in ALLOWED, f"{endpoint} must not be CSRF-exempt"
        rules = [r.rule for r in csrf_app.url_map.iter_rules() if r.endpoint == endpoint]
        assert rules == [ALLOWED[view.__module__]]
    webhook_exists = any(r.rule == WEBHOOK_PATH for r in csrf_app.url_map.iter_rules())
    if webhook_exists:
        assert len(exempt) == 2, exempt
    else:
        # Until the checkout issue lands the webhook, nothing at all is exempt.
        assert exempt == set()


def test_every_other_post_route_rejects_a_missing_token(csrf_app):
    exempt = exempt_endpoints(csrf_app)
    client = csrf_app.test_client()
    checked = []
    for rule in post_rules(csrf_app):
        if rule.endpoint in exempt:
            continue
        url = sample_url(rule)
        response = client.post(url, data={"anything": "1"})
        assert response.status_code == 400, f"{rule.endpoint} {url} -> {response.status_code}"
        assert "CSRF" in response.get_data(as_text=True), f"{rule.endpoint} failed otherwise"
        checked.append(rule.endpoint)
    # The foundation's own POST routes at least; features add theirs.
    assert {"auth.login", "auth.logout", "auth.register", "core.set_language"} <= set(checked)


def test_a_wrong_token_is_rejected_too(csrf_app):
    client = csrf_app.test_client()
    client.get("/login")
    response = client.post("/lang", data={"lang": "en", "next": "/", "csrf_token": "forged"})
    assert response.status_code == 400


def test_a_real_token_is_accepted(csrf_app):

    client = csrf_app.test_client()
    page = client.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/lang", data={"lang": "en", "next": "/", "csrf_token": token})
    assert response.status_code == 303


def test_the_webhook_is_not_blocked_by_csrf(csrf_app):
    if not any(r.rule == WEBHOOK_PATH for r in csrf_app.url_map.iter_rules()):
        pytest.skip("the Stripe webhook is not registered yet (checkout issue)")
    response = csrf_app.test_client().post(WEBHOOK_PATH, data=b"{}")
    # Rejected for its missing signature, not for a CSRF token.
    assert "CSRF" not in response.get_data(as_text=True)
