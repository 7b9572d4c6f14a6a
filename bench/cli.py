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
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/ocop_bench"
PRODUCT_SLUG = "mat-ong-bac-ha-dong-van"
# (label, path, minimum ratio to the minimal page)
CATALOGUE_PAGES = [
    ("home /", "/", None),
    ("listing /products", "/products", 0.6),
    ("search /products?q=mat ong", "/products?q=mat+ong", 0.4),
    ("product page", f"/products/{PRODUCT_SLUG}", 0.6),
]


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--products", type=int, default=10_000, help="catalogue size")
    parser.add_argument(
        "--database-url",
        help="catalogue database (default: a temporary SQLite file). Its tables are dropped "
        "and rebuilt: point it at a database that exists only for the benchmark.",
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
    parser.add_argument("--skip-catalogue", action="store_true")
    parser.add_argument("--skip-checkout", action="store_true")
    return parser.parse_args(argv)


def build_database(url: str, products: int) -> dict:
    from config import Config
    from storefront import create_app
    from storefront.extensions import db

    from .seed_catalogue import seed

    app = create_app(type("BenchSeedConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        db.drop_all()
        db.create_all()
        counts = seed(products)
        db.session.commit()
        db.engine.dispose()
    return counts


def shop_env(url: str) -> dict:
    return {
        "STOREFRONT_CONFIG": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": url,
        "REDIS_URL": "memory://",
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


def run_catalogue(args, workdir: Path, log: Path) -> dict:
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    print(f"catalogue: seeding {args.products} products into {url.split('@')[-1]}", flush=True)
    started = time.perf_counter()
    counts = build_database(url, args.products)
    print(
        f"  {counts['products']} products, {counts['search_tokens']} search tokens "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    minimal_env = {"DATABASE_URL": url}
    results: list[Result] = []
    # The baseline is measured before and after the shop and averaged, because the
    # machine is shared and its speed drifts.
    with gunicorn("bench.minimal_app:app", minimal_env, log) as base:
        print("minimal Flask + SQLAlchemy page (24 rows), before:", flush=True)
        before = measure(base, "minimal (before)", "/", args)
    with gunicorn("storefront:create_app()", shop_env(url), log) as base:
        print("the shop (production config, gunicorn 2 workers × 4 threads):", flush=True)
        for label, path, _target in CATALOGUE_PAGES:
            results.append(measure(base, label, path, args))
    with gunicorn("bench.minimal_app:app", minimal_env, log) as base:
        print("minimal page, after:", flush=True)
        after = measure(base, "minimal (after)", "/", args)
    baseline = (before.rps + after.rps) / 2
    rows = []
    for (_label, _path, target), result in zip(CATALOGUE_PAGES, results, strict=True):
        ratio = result.rps / baseline if baseline else 0.0
        rows.append(
            {
                **result.as_dict(),
                "ratio": round(ratio, 2),
                "target": target,
                "ok": None if target is None else ratio >= target and result.errors == 0,
            }
        )
    return {
        "database": url.split("://")[0],
        "products": counts["products"],
        "baseline_rps": round(baseline, 1),
        "minimal": [before.as_dict(), after.as_dict()],
        "pages": rows,
    }


def run_checkout(args, workdir: Path, log: Path) -> dict | None:
    from .checkout import CheckoutUnavailable, run

    try:
        return run(args, workdir, log)
    except CheckoutUnavailable as why:
        print(f"checkout: skipped: {why}", flush=True)
        return {"skipped": str(why)}


def print_table(catalogue: dict | None, checkout: dict | None) -> None:
    print()
    print("=" * 78)
    if catalogue:
        print(
            f"Catalogue on {catalogue['database']}, {catalogue['products']} products; "
            f"minimal page {catalogue['baseline_rps']} req/s (mean of before/after)"
        )
        print(f"{'page':<30}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>8}{'target':>8}  ok")
        for row in catalogue["pages"]:
            target = f"≥{row['target']}" if row["target"] else "-"
            ok = {True: "yes", False: "NO", None: "-"}[row["ok"]]
            print(
                f"{row['label']:<30}{row['rps']:>9.1f}{row['p50_ms']:>9.1f}"
                f"{row['p99_ms']:>9.1f}{row['ratio']:>8.2f}{target:>8}  {ok}"
            )
    if checkout:
        if "skipped" in checkout:
            print(f"place_order: skipped ({checkout['skipped']})")
        else:
            print(f"place_order on PostgreSQL, {checkout['how']}:")
            print(
                f"{'scenario':<10}{'workers':>8}{'orders/s':>10}{'placed':>8}{'sold out':>9}"
                f"{'errors':>7}{'p50 ms':>8}{'p99 ms':>8}{'queries':>8}{'oversold':>9}"
            )
            for scenario in ("hot", "mix"):
                for row in checkout[scenario]:
                    print(
                        f"{scenario:<10}{row['workers']:>8}{row['orders_per_second']:>10.1f}"
                        f"{row['placed']:>8}{row['sold_out']:>9}{row['errors']:>7}"
                        f"{row['p50_ms']:>8.0f}{row['p99_ms']:>8.0f}"
                        f"{row['queries_per_checkout']:>8}{row['oversold']:>9}"
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
    report = RESULTS / f"{stamp}.json"
    report.write_text(
        json.dumps({"args": vars(args), "catalogue": catalogue, "checkout": checkout}, indent=2)
    )
    print(f"results: {report.relative_to(ROOT)}")
    failed = catalogue and any(row["ok"] is False for row in catalogue["pages"])
    oversold = checkout and checkout.get("oversold", 0) != 0
    return 1 if failed or oversold else 0
