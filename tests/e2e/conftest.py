"""Browser journeys: Playwright for Python driving Debian's Chromium against the shop served
by gunicorn on 127.0.0.1 (see live.py).

No Chromium: the tests are skipped with a message, unless E2E=1 (CI), where that is a failure.
Every page visited through `Tab.goto`/`Tab.shot` is screenshotted under tests/e2e/artifacts/
(git-ignored) and checked for console errors and CSP violations.
"""

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .fake_stripe import FakeStripe
from .live import start_shop, stop_shop

HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE / "artifacts"
AXE = HERE / "vendor" / "axe.min.js"
CHROMIUM = shutil.which("chromium")
E2E_REQUIRED = os.environ.get("E2E") == "1"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# Reported to the console by our own listener (CSP violations are events, not errors).
CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (e) => {
  console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')
    + ' at ' + e.sourceFile + ':' + e.lineNumber);
});
"""

# The outermost elements that stick out past the viewport, described like CSS selectors.
OVERFLOWING_ELEMENTS = """
() => {
  const width = document.documentElement.clientWidth;
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (el.classList.length ? '.' + [...el.classList].join('.') : '');
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right <= width + 1 || r.width === 0) continue;
    let parent = el.parentElement, nested = false;
    while (parent && parent !== document.body) {
      const scrolls = ['auto', 'scroll', 'hidden'].includes(getComputedStyle(parent).overflowX);
      if (scrolls || parent.getBoundingClientRect().right > width + 1) { nested = true; break; }
      parent = parent.parentElement;
    }
    if (!nested) out.push(describe(el) + ' right=' + Math.round(r.right));
  }
  return out.slice(0, 5);
}
"""


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


def _unavailable(reason: str):
    if E2E_REQUIRED:
        pytest.fail(f"E2E=1 but {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


@pytest.fixture(scope="session")
def fake_stripe(tmp_path_factory):
    """Stripe's API, hosted page and webhooks, all on 127.0.0.1 (see fake_stripe.py)."""
    fake = FakeStripe(tmp_path_factory.mktemp("fake-stripe")).start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def browser(fake_stripe):
    if CHROMIUM is None:
        _unavailable("Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    if fake_stripe.host_resolver_rule:
        # checkout.stripe.com is the local fake for every page: nothing reaches real Stripe.
        args.append(f"--host-resolver-rules={fake_stripe.host_resolver_rule}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def shop(browser, tmp_path_factory):
    """The shop in demo mode (no Stripe key), seeded with the Đồng Văn catalogue."""
    live = start_shop(tmp_path_factory.mktemp("shop"))
    yield live
    stop_shop(live)


class Tab:
    """A page that records console errors and CSP violations, and screenshots every step."""

    def __init__(self, page, folder: Path, base_url: str):
        self.page = page
        self.folder = folder
        self.base_url = base_url
        self.problems: list[str] = []
        self.visited: list[str] = []
        self.allowed: list[re.Pattern] = []
        self._shots = 0
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.add_init_script(CSP_LISTENER)

    def _console(self, message) -> None:
        if message.type != "error":
            return
        text = f"console error on {self.page.url}: {message.text}"
        if any(pattern.search(message.text) for pattern in self.allowed):
            return
        self.problems.append(text)

    def expect_status_error(self, status: int):
        """A page we deliberately load with a 4xx logs 'Failed to load resource'."""
        self.allowed.append(re.compile(rf"status of {status}\b"))

    def goto(self, path: str, name: str):
        response = self.page.goto(self.base_url + path if path.startswith("/") else path)
        self.page.wait_for_load_state("load")
        self.shot(name)
        return response

    def shot(self, name: str) -> Path:
        """Screenshot the current page and check it so far: no console errors, no CSP."""
        self._shots += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{self._shots:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.visited.append(self.page.url)
        self.assert_clean()
        return path

    def assert_clean(self) -> None:
        assert not self.problems, "\n".join(self.problems)

    def assert_no_horizontal_scroll(self) -> None:
        overflow = self.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 1:
            culprits = self.page.evaluate(OVERFLOWING_ELEMENTS)
            raise AssertionError(
                f"{self.page.url} scrolls sideways by {overflow}px at "
                f"{self.page.viewport_size['width']}px; widest elements past the edge: {culprits}"
            )

    def login(self, email: str, password: str) -> None:
        self.goto("/login", "login")
        self.page.fill("input[name=email]", email)
        self.page.fill("input[name=password]", password)
        self.page.click("form[action$='/login'] button[type=submit]")
        self.page.wait_for_load_state("load")
        assert "/login" not in self.page.url, self.page.inner_text("main")

    def open_menu(self) -> None:
        """On a phone the header's links sit behind the menu button; open it if it shows."""
        toggle = self.page.locator("summary.nav-toggle")
        if toggle.is_visible() and self.page.locator("details.nav-menu[open]").count() == 0:
            toggle.click()

    def logout(self) -> None:
        self.open_menu()
        self.page.click("form[action$='/logout'] button[type=submit]")
        self.page.wait_for_load_state("load")


@pytest.fixture
def open_tab(browser, request):
    """open_tab(shop, viewport=PHONE, name=...) -> a Tab in a fresh browser context."""
    contexts = []
    test_folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    if test_folder.exists():
        shutil.rmtree(test_folder)

    def make(live, viewport=PHONE, name="buyer", locale="vi-VN", accept_fake_stripe=False):
        # Only the card journey's context accepts the fake checkout.stripe.com certificate.
        context = browser.new_context(
            viewport=viewport, locale=locale, ignore_https_errors=accept_fake_stripe
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        tabs.append(Tab(context.new_page(), test_folder / name, live.base_url))
        return tabs[-1]

    tabs: list[Tab] = []
    yield make
    # Pages passed through without a screenshot were listened to as well.
    problems = [problem for tab in tabs for problem in tab.problems]
    for context in contexts:
        context.close()
    assert not problems, "\n".join(problems)


def logged_in_state(browser, base_url: str, email: str, password: str) -> dict:
    """Cookies of a logged-in browser, to reuse without logging in again (the login form is
    rate limited per address and email, as it should be)."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(base_url + "/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.click("form[action$='/login'] button[type=submit]")
        assert "/login" not in page.url, f"could not log in as {email}"
        return context.storage_state()
    finally:
        context.close()


def axe_violations(browser, url: str, viewport=DESKTOP, storage_state=None, prepare=None):
    """Run axe-core on `url`. Only this context bypasses the CSP (to inject axe): the CSP
    checks run in the normal contexts."""
    context = browser.new_context(viewport=viewport, bypass_csp=True, storage_state=storage_state)
    try:
        page = context.new_page()
        if prepare is not None:
            prepare(page)
        page.goto(url)
        page.wait_for_load_state("load")
        # A redirect (to the login page, or from an empty checkout) would test the wrong page.
        assert urlsplit(page.url).path == urlsplit(url).path, f"{url} went to {page.url}"
        return run_axe(page)
    finally:
        context.close()


def run_axe(page) -> list[dict]:
    """Serious and critical axe-core violations on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    return [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [
                {"target": node["target"], "html": node["html"][:200]}
                for node in violation["nodes"][:5]
            ],
        }
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
