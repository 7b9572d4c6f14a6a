"""Serve the shop for the browser: a fresh SQLite file built with `flask db upgrade` and
`flask seed-demo`, then gunicorn on a free 127.0.0.1 port, in a subprocess of its own (the
app's extensions hold per-process state that other tests' apps would overwrite)."""

import http.client
import os
import socket
import sqlite3
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveShop:
    base_url: str
    db_path: Path
    outbox: Path
    env: dict
    process: subprocess.Popen
    log_path: Path
    notes: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url + path

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Read the shop's database directly, to check what the pages claim."""
        with sqlite3.connect(self.db_path) as connection:
            return connection.execute(sql, params).fetchall()

    def flask(self, *args: str) -> str:
        return run_flask(self.env, *args)

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def run_flask(env: dict, *args: str) -> str:
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "storefront", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def compile_translations() -> None:
    """What `make translations` does: .mo files are build output, not committed."""
    for folder in sorted((ROOT / "storefront").glob("**/translations")):
        subprocess.run(
            [str(BIN / "pybabel"), "compile", "--use-fuzzy", "-q", "-d", str(folder)],
            cwd=ROOT,
            check=False,
            capture_output=True,
            timeout=60,
        )


def build_database(env: dict) -> list[str]:
    notes = []
    run_flask(env, "db", "upgrade")
    check = subprocess.run(
        [str(BIN / "flask"), "--app", "storefront", "db", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if "New upgrade operations detected" in check.stdout + check.stderr:
        # The features are built in parallel and the lead regenerates the one migration at
        # integration; until then the models run ahead of it. Say so, and build the schema
        # from the models so the journeys still test the features.
        notes.append("migrations lag the models: schema built with db.create_all() instead")
        warnings.warn(notes[-1], stacklevel=2)
        code = (
            "from storefront import create_app\n"
            "from storefront.extensions import db\n"
            "app = create_app()\n"
            "with app.app_context():\n"
            "    db.drop_all()\n"
            "    db.create_all()\n"
        )
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=120)
    run_flask(env, "seed-demo")
    return notes


def wait_until_up(port: int, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the shop exited:\n{log_path.read_text(errors='replace')}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.2)
    raise RuntimeError("the shop did not start within 60 s")


def start_shop(workdir: Path, extra_env: dict | None = None) -> LiveShop:
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    db_path = workdir / "shop.db"
    outbox = workdir / "outbox"
    env = {
        **os.environ,
        "STOREFRONT_CONFIG": "development",
        "DATABASE_URL": f"sqlite:///{db_path}",
        "SECRET_KEY": "e2e-secret-key-not-for-production",
        "MAIL_OUTBOX_DIR": str(outbox),
        "REDIS_URL": "memory://",
        "STRIPE_SECRET_KEY": "",
        "SMTP_HOST": "",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        **(extra_env or {}),
    }
    env.pop("FLASK_DEBUG", None)
    env.pop("TEST_DATABASE_URL", None)
    compile_translations()
    notes = build_database(env)
    log_path = workdir / "gunicorn.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        "1",
        "--threads",
        "4",
        "--bind",
        f"127.0.0.1:{port}",
        "--access-logfile",
        "-",
        "storefront:create_app()",
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    wait_until_up(port, process, log_path)
    return LiveShop(f"http://127.0.0.1:{port}", db_path, outbox, env, process, log_path, notes)


def stop_shop(shop: LiveShop) -> None:
    shop.process.terminate()
    try:
        shop.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        shop.process.kill()
        shop.process.wait()
