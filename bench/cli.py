"""`python -m bench`: the catalogue and checkout benchmarks, one table of ratios.

See bench/README.md. Everything runs on 127.0.0.1; results also go to bench/results/.
"""

import argparse
import json
import secrets
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from .load import Result, run_load
from .server import ROOT, gunicorn

RESULTS = ROOT / "bench" / "results"
README = ROOT / "README.md"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/ocop_bench"
DEFAULT_CATALOGUE_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/ocop_bench_catalogue"
DEFAULT_REDIS = "redis://127.0.0.1:6379/2"
PRODUCT_SLUG = "mat-ong-bac-ha-dong-van"
CATALOGUE_PAGES = [
    ("home /", "/"),
    ("listing /products", "/products"),
    ("search /products?q=mat ong", "/products?q=mat+ong"),
    ("product page", f"/products/{PRODUCT_SLUG}"),
]
# Cache on: minimum ratio to the minimal page (listing, search, product page).
WARM_TARGETS = {"/products": 0.8, "/products?q=mat+ong": 0.8, f"/products/{PRODUCT_SLUG}": 0.8}
# Cache off, at the largest size: maximum p50 in ms.
COLD_P50_TARGETS = {
    "/products": 25.0,
    "/products?q=mat+ong": 25.0,
    f"/products/{PRODUCT_SLUG}": 10.0,
}


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--sizes",
        default="10000,100000",
        help="catalogue sizes, comma-separated (each is measured with the cache on and off)",
    )
    parser.add_argument(
        "--database-url",
        default=DEFAULT_CATALOGUE_PG,
        help="catalogue database (default: PostgreSQL ocop_bench_catalogue, created if "
        "missing). Its tables are dropped and rebuilt: give it one only for the benchmark.",
    )
    parser.add_argument(
        "--redis-url",
        default=DEFAULT_REDIS,
        help="Redis for the shop's shared cache (as in production); 'none' for in-process",
    )
    parser.add_argument("--requests", type=int, default=800, help="requests per page")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads")
    parser.add_argument("--time-cap", type=float, default=20.0, help="seconds per page, at most")
    parser.add_argument(
        "--checkout-database-url",
        default=DEFAULT_PG,
        help="PostgreSQL database for the checkout benchmark (created if missing, then "
        "its tables are dropped and rebuilt)",
    )
    parser.add_argument("--orders", type=int, default=300, help="checkout attempts")
    parser.add_argument("--stock", type=int, default=100, help="jars of honey on sale")
    parser.add_argument(
        "--soak-seconds",
        type=float,
        default=0,
        help="after the checkout scenarios, a mixed load this long on 2 workers, sampling "
        "the workers' memory (issue 13 asks for 600); 0 skips it",
    )
    parser.add_argument("--skip-catalogue", action="store_true")
    parser.add_argument("--skip-checkout", action="store_true")
    parser.add_argument(
        "--no-readme", action="store_true", help="do not write the tables into README.md"
    )
    return parser.parse_args(argv)


def build_database(url: str, products: int) -> dict:
    from sqlalchemy import text

    from config import Config
    from storefront import create_app
    from storefront.extensions import db

    from .seed_catalogue import seed

    if url.startswith("postgresql"):
        from .checkout import _ensure_database

        _ensure_database(url)
    app = create_app(type("BenchSeedConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        db.drop_all()
        db.create_all()
        counts = seed(products)
        db.session.commit()
        # Fresh statistics, as autovacuum would give a real shop (before it runs, the
        # planner guesses row counts and picks poor plans).
        with db.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                    text("VACUUM ANALYZE")
                )
            else:
                connection.execute(text("ANALYZE"))
                connection.commit()
        db.engine.dispose()
    return counts


def _redis_ok(url: str) -> bool:
    if not url or url == "none":
        return False
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except Exception:  # noqa: BLE001  (any failure means: no Redis for this run)
        return False


def shop_env(url: str, redis_url: str, cache: bool, key_prefix: str) -> dict:
    return {
        "STOREFRONT_CONFIG": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": url,
        "REDIS_URL": redis_url or "memory://",
        "CATALOGUE_CACHE_SECONDS": "600" if cache else "0",
        # Each run and size has its own keys: a rebuilt database starts its version again.
        "CACHE_KEY_PREFIX": key_prefix,
    }


def measure(base: str, label: str, path: str, args) -> Result:
    result = run_load(
        base,
        path,
        label=label,
        requests=args.requests,
        concurrency=args.concurrency,
        time_cap=args.time_cap,
    )
    print(
        f"  {label:<30} {result.rps:8.1f} req/s  p50 {result.p50:7.1f} ms  "
        f"p99 {result.p99:7.1f} ms  ({result.requests} requests, {result.errors} errors)",
        flush=True,
    )
    return result


def _rows(results: list[Result], baseline: float, warm: bool, largest: bool) -> list[dict]:
    rows = []
    for result in results:
        ratio = result.rps / baseline if baseline else 0.0
        row = {**result.as_dict(), "ratio": round(ratio, 2), "target": None, "ok": None}
        if warm and result.path in WARM_TARGETS:
            row["target"] = f"ratio ≥ {WARM_TARGETS[result.path]}"
            row["ok"] = ratio >= WARM_TARGETS[result.path] and result.errors == 0
        elif not warm and largest and result.path in COLD_P50_TARGETS:
            row["target"] = f"p50 ≤ {COLD_P50_TARGETS[result.path]:g} ms"
            row["ok"] = result.p50 <= COLD_P50_TARGETS[result.path] and result.errors == 0
        rows.append(row)
    return rows


def run_size(args, url: str, size: int, largest: bool, log: Path, redis_url: str) -> dict:
    print(f"catalogue: seeding {size} products into {url.split('@')[-1]}", flush=True)
    started = time.perf_counter()
    counts = build_database(url, size)
    print(f"  {counts['products']} products in {time.perf_counter() - started:.1f} s", flush=True)
    minimal_env = {"DATABASE_URL": url}
    prefix = f"bench-{secrets.token_hex(4)}-{size}:"
    # The baseline is measured before and after the shop and averaged, because the
    # machine is shared and its speed drifts.
    with gunicorn("bench.minimal_app:app", minimal_env, log) as base:
        print("minimal Flask + SQLAlchemy page (24 rows), before:", flush=True)
        before = measure(base, "minimal (before)", "/", args)
    measured = {}
    for warm in (True, False):
        env = shop_env(url, redis_url, cache=warm, key_prefix=prefix)
        with gunicorn("storefront:create_app()", env, log) as base:
            print(
                f"the shop, cache {'on' if warm else 'off'} (production config, gunicorn "
                "2 workers × 4 threads):",
                flush=True,
            )
            measured[warm] = [measure(base, label, path, args) for label, path in CATALOGUE_PAGES]
    with gunicorn("bench.minimal_app:app", minimal_env, log) as base:
        print("minimal page, after:", flush=True)
        after = measure(base, "minimal (after)", "/", args)
    baseline = (before.rps + after.rps) / 2
    return {
        "products": counts["products"],
        "baseline_rps": round(baseline, 1),
        "minimal": [before.as_dict(), after.as_dict()],
        "pages": _rows(measured[True], baseline, warm=True, largest=largest),
        "cold_pages": _rows(measured[False], baseline, warm=False, largest=largest),
    }


def run_catalogue(args, workdir: Path, log: Path) -> dict:
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    redis_url = args.redis_url if _redis_ok(args.redis_url) else ""
    sizes = sorted(int(size) for size in args.sizes.split(","))
    return {
        "database": url.split("://")[0],
        "cache": "redis" if redis_url else "in-process",
        "sizes": [run_size(args, url, size, size == sizes[-1], log, redis_url) for size in sizes],
    }


def run_checkout(args, workdir: Path, log: Path) -> dict | None:
    from .checkout import CheckoutUnavailable, run

    try:
        return run(args, workdir, log)
    except CheckoutUnavailable as why:
        print(f"checkout: skipped: {why}", flush=True)
        return {"skipped": str(why)}


def catalogue_markdown(catalogue: dict) -> str:
    """The catalogue tables, as README.md shows them."""
    lines = [
        f"Catalogue on {catalogue['database']}, cache {catalogue['cache']} "
        "(gunicorn 2 workers × 4 threads, production config, tables ANALYZEd after seeding). "
        "Ratio: requests/s against the minimal page measured in the same run.",
        "",
    ]
    for size in catalogue["sizes"]:
        lines += [
            f"**{size['products']:,} products**; minimal page {size['baseline_rps']} req/s",
            "",
            "| page | cache on: req/s | p50 ms | p99 ms | ratio | cache off: req/s | p50 ms "
            "| p99 ms | ratio | targets |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for warm, cold in zip(size["pages"], size["cold_pages"], strict=True):
            targets = [
                f"{row['target']} {'✓' if row['ok'] else '✗'}"
                for row in (warm, cold)
                if row["target"]
            ]
            lines.append(
                f"| {warm['label']} | {warm['rps']:.1f} | {warm['p50_ms']:.1f} | "
                f"{warm['p99_ms']:.1f} | {warm['ratio']:.2f} | {cold['rps']:.1f} | "
                f"{cold['p50_ms']:.1f} | {cold['p99_ms']:.1f} | {cold['ratio']:.2f} | "
                f"{'; '.join(targets) or '–'} |"
            )
        lines.append("")
    return "\n".join(lines)


def write_readme(catalogue: dict, stamp: str) -> None:
    start, end = "<!-- bench:catalogue -->", "<!-- /bench:catalogue -->"
    text = README.read_text()
    if start not in text or end not in text:
        return
    body = f"{start}\nFrom `make bench` ({stamp}, bench/results/{stamp}.json).\n\n"
    body += catalogue_markdown(catalogue) + end
    before, rest = text.split(start, 1)
    README.write_text(before + body + rest.split(end, 1)[1])


def print_table(catalogue: dict | None, checkout: dict | None) -> None:
    print()
    print("=" * 78)
    if catalogue:
        print(catalogue_markdown(catalogue))
    if checkout:
        if "skipped" in checkout:
            print(f"place_order: skipped ({checkout['skipped']})")
        else:
            print(f"place_order on PostgreSQL, {checkout['how']}:")
            print(
                f"{'scenario':<10}{'workers':>8}{'orders/s':>10}{'placed':>8}{'sold out':>9}"
                f"{'errors':>7}{'p50 ms':>8}{'p99 ms':>8}{'queries':>8}{'oversold':>9}"
                f"{'MB half':>8}{'MB end':>7}"
            )
            for scenario in ("hot", "mix", "soak"):
                for row in checkout.get(scenario, []):
                    print(
                        f"{scenario:<10}{row['workers']:>8}{row['orders_per_second']:>10.1f}"
                        f"{row['placed']:>8}{row['sold_out']:>9}{row['errors']:>7}"
                        f"{row['p50_ms']:>8.0f}{row['p99_ms']:>8.0f}"
                        f"{row['queries_per_checkout']:>8}{row['oversold']:>9}"
                        f"{row.get('memory_mb_half', 0):>8.0f}{row.get('memory_mb', 0):>7.0f}"
                    )
    print("=" * 78)


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    log = RESULTS / f"{stamp}-gunicorn.log"
    catalogue = checkout = None
    with tempfile.TemporaryDirectory(prefix="ocop-bench-") as tmp:
        workdir = Path(tmp)
        if not args.skip_catalogue:
            catalogue = run_catalogue(args, workdir, log)
        if not args.skip_checkout:
            checkout = run_checkout(args, workdir, log)
    print_table(catalogue, checkout)
    if catalogue and not args.no_readme:
        write_readme(catalogue, stamp)
    report = RESULTS / f"{stamp}.json"
    report.write_text(
        json.dumps({"args": vars(args), "catalogue": catalogue, "checkout": checkout}, indent=2)
    )
    print(f"results: {report.relative_to(ROOT)}")
    failed = catalogue and any(
        row["ok"] is False
        for size in catalogue["sizes"]
        for row in (*size["pages"], *size["cold_pages"])
    )
    oversold = checkout and checkout.get("oversold", 0) != 0
    return 1 if failed or oversold else 0
