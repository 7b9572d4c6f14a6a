"""place_order throughput on PostgreSQL, and the oversell count (must be 0).

Driven over HTTP, like buyers: each simulated buyer has its own cookie jar, POSTs /cart/add
for one product, then POSTs /checkout (cash on delivery, an address in Tuyên Quang). The
shop runs under gunicorn with 2 and then 4 workers × 4 threads, production config minus
CSRF and rate limits (bench/wsgi.py), with a Celery worker sending the emails when Redis is
there. Two scenarios, each on a fresh database:

- hot: every buyer wants the same honey, more buyers than jars (the last jars are contested);
- mix: buyers spread over 200 products (MIX_STOCK each), chosen at random.
"""

import http.client
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager, nullcontext
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from .server import ROOT, gunicorn

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


MIX_PRODUCTS = 200
MIX_STOCK = 40  # per product: enough that most buyers get theirs, some lines still contested


def _app(url: str, name: str, **extra):
    from config import Config
    from storefront import create_app

    options = {"SQLALCHEMY_DATABASE_URI": url, "CELERY_BROKER_URL": "", "REDIS_URL": "", **extra}
    return create_app(type(name, (Config,), options))


def _prepare(url: str, stock: int) -> tuple[int, list[int], dict[int, int]]:
    """Schema, demo data, `stock` jars of the hot honey and MIX_PRODUCTS more products spread
    over the demo producers. Returns the honey's id, the mix's ids and every stock level."""
    import itertools

    from sqlalchemy import select, update

    from storefront.catalogue.models import Product, ProductStatus, ProductVariant
    from storefront.extensions import db
    from storefront.producers.models import Producer
    from storefront.seed import seed_demo

    app = _app(url, "BenchSeedConfig")
    with app.app_context():
        db.drop_all()
        db.create_all()
        seed_demo()
        honey_id = db.session.scalar(select(Product.id).where(Product.slug == HONEY_SLUG))
        # The honey sells in one variant: its stock is the one buyers race for, and the
        # product row keeps the sum the listing reads.
        for table, key in ((ProductVariant, ProductVariant.product_id), (Product, Product.id)):
            db.session.execute(
                update(table).where(key == honey_id).values(stock_on_hand=stock, stock_reserved=0)
            )
        template = db.session.get(Product, honey_id)
        producers = itertools.cycle(
            db.session.scalars(select(Producer).order_by(Producer.id)).all()
        )
        for number in range(MIX_PRODUCTS):
            name = f"Sản phẩm thử tải {number:03d}"
            db.session.add(
                Product(
                    producer=next(producers),
                    name=name,
                    slug=f"san-pham-thu-tai-{number:03d}",
                    group=template.group,
                    description=name,
                    unit=template.unit,
                    price=50_000 + 1_000 * (number % 50),
                    stock_on_hand=MIX_STOCK,
                    stock_reserved=0,
                    status=ProductStatus.ACTIVE,
                )
            )
        db.session.commit()
        mix_ids = list(
            db.session.scalars(
                select(Product.id)
                .where(Product.slug.like("san-pham-thu-tai-%"))
                .order_by(Product.id)
            )
        )
        stocks = dict(db.session.execute(select(Product.id, Product.stock_on_hand)).all())
        db.engine.dispose()
    return honey_id, mix_ids, stocks


def _audit(url: str, stocks: dict[int, int]) -> dict:
    """Units sold against the stock each product started with; anything above is oversold."""
    from sqlalchemy import func, select

    from storefront.catalogue.models import Product
    from storefront.extensions import db
    from storefront.orders.models import Order, OrderLine

    app = _app(url, "BenchAuditConfig")
    with app.app_context():
        sold = dict(
            db.session.execute(
                select(OrderLine.product_id, func.sum(OrderLine.quantity)).group_by(
                    OrderLine.product_id
                )
            ).all()
        )
        levels = db.session.execute(
            select(Product.id, Product.stock_on_hand, Product.stock_reserved)
        ).all()
        orders = db.session.scalar(select(func.count()).select_from(Order))
        db.engine.dispose()
    oversold = sum(max(0, int(units) - stocks.get(pid, 0)) for pid, units in sold.items())
    oversold += sum(max(0, reserved - on_hand) for _pid, on_hand, reserved in levels)
    return {"orders_in_db": orders, "units_sold": int(sum(sold.values())), "oversold": oversold}


def queries_per_checkout(url: str, product_ids: list[int], form: dict) -> int:
    """SQL statements of one POST /checkout for a cart from two cooperatives, in process,
    with a broker configured so the request only enqueues (as with Celery workers)."""
    from sqlalchemy import event

    from storefront.extensions import db

    app = _app(
        url, "BenchQueryConfig", CELERY_BROKER_URL="memory://", WTF_CSRF_ENABLED=False,
        RATELIMIT_ENABLED=False,
    )  # fmt: skip
    with app.app_context():
        client = app.test_client()
        for product_id in product_ids:
            client.post("/cart/add", data={"product_id": product_id, "quantity": 1})
        seen: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany):
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            response = client.post("/checkout", data=form)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        db.session.remove()
        db.engine.dispose()
    if response.status_code != 303:
        raise RuntimeError(f"the measured checkout answered {response.status_code}")
    return len(seen)


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


BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/3")


def _broker_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(BROKER, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@contextmanager
def celery_worker(env: dict, log_path):
    """A Celery worker (2 processes) consuming the shop's tasks, stopped by its own pid."""
    command = [
        sys.executable, "-m", "celery", "-A", "storefront.tasks.worker", "worker",
        "--concurrency", "2", "--without-gossip", "--without-mingle", "--loglevel", "WARNING",
    ]  # fmt: skip
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=log
        )
    try:
        time.sleep(3)  # ready long before the first order's email; nothing waits on it
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class WorkerMemory:
    """The RSS of the gunicorn workers serving `base`, sampled every second in a thread
    (issue 13: a worker holds <= 150 MB after a long mixed load, and stops growing)."""

    def __init__(self, base: str, every: float = 1.0):
        self.master = _gunicorn_master(urlsplit(base).port)
        self.every = every
        self.samples: list[tuple[float, float]] = []  # (seconds, largest worker's MB)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._started = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while True:
            sizes = [_rss_mb(pid) for pid in _children(self.master)] if self.master else []
            if sizes:
                self.samples.append((time.monotonic() - self._started, max(sizes)))
            if self._stop.wait(self.every):
                return

    def result(self) -> dict:
        """The largest worker at the start, half-way and at the end, and its peak."""
        if not self.samples:
            return {}
        half = self.samples[-1][0] / 2
        at_half = next(mb for seconds, mb in self.samples if seconds >= half)
        return {
            "memory_mb_start": round(self.samples[0][1], 1),
            "memory_mb_half": round(at_half, 1),
            "memory_mb": round(self.samples[-1][1], 1),
            "memory_mb_peak": round(max(mb for _, mb in self.samples), 1),
            "memory_seconds": round(self.samples[-1][0], 1),
        }


def _gunicorn_master(port: int) -> int | None:
    """The gunicorn started for this scenario: the process bound to 127.0.0.1:port."""
    needle = f"127.0.0.1:{port}".encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                command = cmdline.read()
        except OSError:
            continue
        if b"gunicorn" in command and needle in command:
            return int(entry)
    return None


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            return [int(child) for child in children.read().split()]
    except OSError:
        return []


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _drive(base: str, buyers: int, pick, form: dict, time_cap: float) -> dict:
    """`buyers` buyers, 8 at a time: each adds pick() to a fresh cart and checks out."""
    parts = urlsplit(base)
    outcomes = {"placed": 0, "sold_out": 0, "errors": 0}
    latencies: list[float] = []
    lock = threading.Lock()
    remaining = [buyers]
    deadline = time.monotonic() + time_cap

    def take():
        with lock:
            if remaining[0] <= 0 or time.monotonic() > deadline:
                return None
            remaining[0] -= 1
            return pick()

    def buyer_thread():
        while (product_id := take()) is not None:
            buyer = Buyer(parts.hostname, parts.port)
            started = time.perf_counter()
            try:
                status, _ = buyer.post("/cart/add", {"product_id": product_id, "quantity": 1})
                location = ""
                if status == 303:
                    status, location = buyer.post("/checkout", form)
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
    ordered = sorted(latencies) or [float("nan")]
    return {
        **outcomes,
        "seconds": round(seconds, 2),
        "orders_per_second": round(outcomes["placed"] / seconds, 1) if seconds else 0.0,
        "p50_ms": round(statistics.median(ordered), 1),
        "p99_ms": round(ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))], 1),
    }


def _picker(scenario: str, honey_id: int, mix_ids: list[int]):
    """The hot honey, or one of the mix's products at random (the soak is a long mix)."""
    if scenario == "hot":
        return lambda: honey_id
    rng = random.Random(2026)  # the same buyers' choices in every run
    return lambda: rng.choice(mix_ids)


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
    ward = places.wards(8)[0][0]
    form = {
        "name": "Khách thử tải",
        "phone": "0912 345 678",
        "email": "bench@example.vn",
        "province": "8",
        "ward": str(ward),
        "street": "Số 1, đường thử tải",
        "payment_method": "cod",
    }
    with_workers = _broker_up()
    queue = f"bench-{os.getpid()}"
    env = {
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-secret",
        "MAIL_OUTBOX_DIR": str(workdir),
        "SMTP_HOST": "",
        "STRIPE_SECRET_KEY": "",
        "REDIS_URL": "",
        "CELERY_BROKER_URL": BROKER if with_workers else "",
        "CELERY_QUEUE": queue,
        "STOREFRONT_CONFIG": "production",
        "LOG_LEVEL": "WARNING",
    }
    # Queries of one checkout from two cooperatives (the first mix products of two producers).
    _honey, mix_ids, _stocks = _prepare(url, args.stock)
    queries = queries_per_checkout(url, mix_ids[:2], form)
    print(f"checkout: {queries} SQL statements for POST /checkout with two cooperatives")

    results: dict[str, list] = {"hot": [], "mix": []}
    runs = [(workers, scenario) for workers in (2, 4) for scenario in ("hot", "mix")]
    if args.soak_seconds:
        # The memory run: a long mixed load on 2 workers (buyers keep coming until the time).
        runs.append((2, "soak"))
        results["soak"] = []
    for workers, scenario in runs:
        honey_id, mix_ids, stocks = _prepare(url, args.stock)
        pick = _picker(scenario, honey_id, mix_ids)
        soak = scenario == "soak"
        buyers = 10**9 if soak else args.orders
        who = f"buyers for {args.soak_seconds} s" if soak else f"{buyers} buyers"
        print(
            f"checkout.{scenario}: {who}, gunicorn {workers} workers"
            + (", Celery worker running" if with_workers else ", tasks in process"),
            flush=True,
        )
        with (
            celery_worker(env, log) if with_workers else nullcontext(),
            gunicorn("bench.wsgi:create_checkout_app()", env, log, workers=workers) as base,
            WorkerMemory(base) as memory,
        ):
            time_cap = args.soak_seconds if soak else max(args.time_cap, 60)
            measured = _drive(base, buyers, pick, form, time_cap)
        audit = _audit(url, stocks)
        print(f"  {measured} oversold={audit['oversold']} {memory.result()}", flush=True)
        results[scenario].append(
            {
                "workers": workers,
                "celery_workers": 1 if with_workers else 0,
                "buyers": measured["placed"] + measured["sold_out"] + measured["errors"],
                "products": 1 if scenario == "hot" else len(mix_ids),
                "stock_per_product": args.stock if scenario == "hot" else MIX_STOCK,
                **measured,
                "queries_per_checkout": queries,
                **audit,
                **memory.result(),
            }
        )
    if with_workers:
        import redis

        redis.Redis.from_url(BROKER).delete(queue)
    return {
        "how": "HTTP: POST /cart/add then POST /checkout (COD), 8 client threads, "
        "gunicorn N workers x 4 threads, production config",
        **results,
        "oversold": sum(run["oversold"] for runs in results.values() for run in runs),
    }
