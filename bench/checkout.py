"""place_order throughput on PostgreSQL, and the oversell count (must be 0).

Driven over HTTP, like buyers: each simulated buyer has its own cookie jar, POSTs
/cart/add for one jar of honey, then POSTs /checkout (cash on delivery, an address in
Tuyên Quang). The shop runs under gunicorn, 2 workers × 4 threads, production config minus
CSRF and rate limits (bench/wsgi.py). More buyers than jars, so the last jars are contested.
"""

import http.client
import statistics
import threading
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from .server import gunicorn

HONEY_SLUG = "mat-ong-bac-ha-dong-van"


class CheckoutUnavailable(Exception):
    pass


def _ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url.replace("postgresql+psycopg://", "postgresql://"))
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
            ).fetchone()
            if not exists:
                connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        raise CheckoutUnavailable(f"PostgreSQL is not reachable at {parts.netloc}") from error


def _prepare(url: str, stock: int) -> int:
    """Schema, demo data, and exactly `stock` jars of honey on sale. Returns the product id."""
    from sqlalchemy import select, update

    from config import Config
    from storefront import create_app
    from storefront.catalogue.models import Product
    from storefront.extensions import db
    from storefront.seed import seed_demo

    app = create_app(type("BenchSeedConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        db.drop_all()
        db.create_all()
        seed_demo()
        product_id = db.session.scalar(select(Product.id).where(Product.slug == HONEY_SLUG))
        db.session.execute(
            update(Product)
            .where(Product.id == product_id)
            .values(stock_on_hand=stock, stock_reserved=0)
        )
        db.session.commit()
        db.engine.dispose()
    return product_id


def _audit(url: str, product_id: int, stock: int) -> dict:
    from sqlalchemy import func, select

    from config import Config
    from storefront import create_app
    from storefront.catalogue.models import Product
    from storefront.extensions import db
    from storefront.orders.models import Order, OrderLine

    app = create_app(type("BenchAuditConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        product = db.session.get(Product, product_id)
        sold = db.session.scalar(
            select(func.coalesce(func.sum(OrderLine.quantity), 0)).where(
                OrderLine.product_id == product_id
            )
        )
        orders = db.session.scalar(select(func.count()).select_from(Order))
        result = {
            "on_hand": product.stock_on_hand,
            "reserved": product.stock_reserved,
            "sold_in_orders": int(sold),
            "orders_in_db": orders,
        }
        db.engine.dispose()
    oversold = max(0, result["sold_in_orders"] - stock)
    if result["reserved"] > result["on_hand"] or result["on_hand"] < 0:
        oversold = max(oversold, result["reserved"] - result["on_hand"], 1)
    result["oversold"] = oversold
    return result


class Buyer:
    """One browser: a cookie jar and a keep-alive connection to 127.0.0.1."""

    def __init__(self, host: str, port: int):
        self.connection = http.client.HTTPConnection(host, port, timeout=60)
        self.cookies: dict[str, str] = {}

    def post(self, path: str, fields: dict) -> tuple[int, str]:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.connection.request("POST", path, body=urlencode(fields), headers=headers)
        response = self.connection.getresponse()
        response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            self.cookies.update({name: morsel.value for name, morsel in jar.items()})
        if response.will_close:
            self.connection.close()
        return response.status, response.headers.get("Location", "")

    def close(self) -> None:
        self.connection.close()


def run(args, workdir, log) -> dict:
    try:
        from storefront.orders import checkout  # noqa: F401
    except ImportError as error:
        raise CheckoutUnavailable("storefront.orders.checkout is not there yet") from error
    from storefront.core import places

    url = args.checkout_database_url
    if not url.startswith("postgresql"):
        raise CheckoutUnavailable("the checkout benchmark needs PostgreSQL")
    _ensure_database(url)
    print(f"checkout: {args.orders} buyers for {args.stock} jars on {url.split('@')[-1]}")
    product_id = _prepare(url, args.stock)
    ward = places.wards(8)[0][0]
    checkout_form = {
        "name": "Khách thử tải",
        "phone": "0912 345 678",
        "email": "bench@example.vn",
        "province": "8",
        "ward": str(ward),
        "street": "Số 1, đường thử tải",
        "payment_method": "cod",
    }
    env = {"DATABASE_URL": url, "SECRET_KEY": "bench-secret", "MAIL_OUTBOX_DIR": str(workdir)}
    env.update(SMTP_HOST="", STRIPE_SECRET_KEY="")
    outcomes = {"placed": 0, "sold_out": 0, "errors": 0}
    latencies: list[float] = []
    lock = threading.Lock()
    remaining = [args.orders]

    with gunicorn("bench.wsgi:create_checkout_app()", env, log) as base:
        parts = urlsplit(base)
        deadline = time.monotonic() + max(args.time_cap, 60)

        def take() -> bool:
            with lock:
                if remaining[0] <= 0 or time.monotonic() > deadline:
                    return False
                remaining[0] -= 1
                return True

        def buyer_thread():
            while take():
                buyer = Buyer(parts.hostname, parts.port)
                started = time.perf_counter()
                try:
                    status, _ = buyer.post("/cart/add", {"product_id": product_id, "quantity": 1})
                    if status == 303:
                        status, location = buyer.post("/checkout", checkout_form)
                    else:
                        location = ""
                except (OSError, http.client.HTTPException):
                    status, location = 599, ""
                finally:
                    buyer.close()
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    if status == 303 and "/orders/OCOP-" in location:
                        outcomes["placed"] += 1
                        latencies.append(elapsed)
                    elif status in (303, 409, 422):
                        outcomes["sold_out"] += 1
                    else:
                        outcomes["errors"] += 1

        threads = [threading.Thread(target=buyer_thread) for _ in range(8)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started

    audit = _audit(url, product_id, args.stock)
    ordered = sorted(latencies) or [float("nan")]
    return {
        "how": "HTTP: POST /cart/add then POST /checkout (COD), 8 client threads",
        "workers": 2,
        "attempts": args.orders,
        "stock": args.stock,
        **outcomes,
        "seconds": round(seconds, 2),
        "orders_per_second": round(outcomes["placed"] / seconds, 1) if seconds else 0.0,
        "p50_ms": round(statistics.median(ordered), 1),
        "p99_ms": round(ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))], 1),
        "stock_left": audit["on_hand"] - audit["reserved"],
        "reserved": audit["reserved"],
        "sold_in_orders": audit["sold_in_orders"],
        "oversold": audit["oversold"],
    }
