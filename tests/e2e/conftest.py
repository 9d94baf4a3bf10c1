"""End-to-end fixtures: run Bazaar's functions as processes, the way a shell or CGI does."""

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# functions/NAME are links to ../bin/bazaar-fn (one function per process); `make test` points
# bin/bazaar and bin/bazaar-fn at the debug build.
BIN = ROOT / "bin" / "bazaar"
SECRET = "e2e-secret-0123456789abcdef0123456789abcdef"
PASSWORD = "correct horse"


@dataclass
class Result:
    """One process run: exit code, the parsed stdout object, and the stderr log lines."""

    code: int
    stdout: str
    stderr: str
    body: dict = field(default_factory=dict)

    @property
    def logs(self):
        return [json.loads(line) for line in self.stderr.splitlines() if line.strip()]

    def problem(self, status, code, exit_code):
        """Assert this is the given problem object with the contract's exit code."""
        assert self.code == exit_code, (self.code, self.stdout, self.stderr)
        assert self.body["status"] == status, self.body
        assert self.body["code"] == code, self.body
        assert self.body["type"] == f"/problems/{code}"
        assert self.body["title"] and self.body["detail"]
        return self


class Shop:
    """A Bazaar home directory and the environment its functions run with."""

    def __init__(self, home: Path, postgres: str | None = None):
        self.home = home
        self.postgres = postgres
        self.env = {
            "PATH": os.environ["PATH"],
            "BAZAAR_HOME": str(home),
            "BAZAAR_JWT_SECRET": SECRET,
            "BAZAAR_SCRYPT_LOG_N": "14",
        }
        if postgres is not None:
            # The whole shop on PostgreSQL: its tables and its event queues.
            self.env["BAZAAR_DATABASE_URL"] = postgres
            self.env["BAZAAR_QUEUE_URL"] = postgres

    def run(self, args, stdin="", env=None, unset=()):
        full = {**self.env, **(env or {})}
        for name in unset:
            full.pop(name, None)
        proc = subprocess.run(
            args, input=stdin.encode() if isinstance(stdin, str) else stdin,
            capture_output=True, env=full, cwd=self.home, timeout=60,
        )
        out = proc.stdout.decode()
        body = json.loads(out) if out.strip().startswith("{") else {}
        return Result(proc.returncode, out, proc.stderr.decode(), body)

    def call(self, name, payload=None, token=None, raw=None, env=None, unset=()):
        """Run `functions/NAME` with a JSON payload (or raw stdin) and an optional token."""
        extra = dict(env or {})
        if token is not None:
            extra["BAZAAR_TOKEN"] = token
        stdin = raw if raw is not None else ("" if payload is None else json.dumps(payload))
        return self.run([str(ROOT / "functions" / name)], stdin, extra, unset)

    def bazaar(self, *args, stdin="", env=None, unset=()):
        return self.run([str(BIN), *args], stdin, env, unset)

    def signup(self, email="kim@example.com", password=PASSWORD, **extra):
        result = self.call("signup", {"email": email, "password": password, **extra})
        assert result.code == 0, result.stdout + result.stderr
        return result.body

    def login(self, email="kim@example.com", password=PASSWORD):
        result = self.call("login", {"email": email, "password": password})
        assert result.code == 0, result.stdout + result.stderr
        return result.body["token"]


    def register_seller(self, email="shop@example.com", number="220-81-62517", password=PASSWORD, name="Minji Goods"):
        result = self.call("registerSeller", {
            "email": email, "password": password, "businessName": name, "businessNumber": number})
        assert result.code == 0, result.stdout + result.stderr
        return result.body

    def seller_login(self, email="shop@example.com", password=PASSWORD):
        result = self.call("sellerLogin", {"email": email, "password": password})
        assert result.code == 0, result.stdout + result.stderr
        return result.body["token"]

    def create_product(self, token, **fields):
        payload = {"name": "Cotton towel", "description": "Soft", "price": 12000, "stock": 10, **fields}
        result = self.call("createProduct", payload, token=token)
        assert result.code == 0, result.stdout + result.stderr
        return result.body

    def sql(self, statement, *args):
        """Run one statement on the shop's database, as an operator with the sqlite3 shell (or
        psql, for a shop on PostgreSQL) would. Parameters are `?` on both."""
        if self.postgres is not None:
            import psycopg
            with psycopg.connect(self.postgres) as db:
                cursor = db.execute(statement.replace("?", "%s"), args)
                return [tuple(row) for row in cursor.fetchall()] if cursor.description else []
        import contextlib
        import sqlite3
        # closing(): sqlite3's own context manager commits but leaves the connection open.
        with contextlib.closing(sqlite3.connect(self.home / "var" / "bazaar.sqlite")) as db, db:
            return db.execute(statement, args).fetchall()


def chromium(options):
    """Debian's Chromium through Debian's chromedriver (Selenium never downloads one), with a
    TMPDIR of its own that `quit()` removes: Chromium leaves its singleton directory there."""
    import shutil
    import tempfile
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options.binary_location = "/usr/bin/chromium"
    temporary = tempfile.mkdtemp(prefix="bazaar-chromium-")
    service = Service("/usr/bin/chromedriver", env={**os.environ, "TMPDIR": temporary})
    driver = webdriver.Chrome(service=service, options=options)
    quit = driver.quit

    def quit_and_clean():
        try:
            quit()
        finally:
            shutil.rmtree(temporary, ignore_errors=True)

    driver.quit = quit_and_clean
    return driver


# Valid business registration numbers (check digits verified): NAVER, Samsung Electronics, Kakao,
# and three more that satisfy the National Tax Service's check.
BUSINESS_NUMBERS = ["220-81-62517", "124-81-00998", "120-81-47521", "101-81-00001", "105-87-00010", "211-88-00006"]


# The suites that also run with the shop on PostgreSQL (issue 18): each of their tests runs once
# per backend, a PostgreSQL run on a schema of its own in the session's cluster.
POSTGRES_MODULES = {"test_orders", "test_payments", "test_scheduler", "test_images"}


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames:
        on_postgres = metafunc.module.__name__.rsplit(".", 1)[-1] in POSTGRES_MODULES
        metafunc.parametrize("backend", ["sqlite", "postgres"] if on_postgres else ["sqlite"], indirect=True)


@pytest.fixture
def backend(request):
    """Which database the test's shop is on: "sqlite" (its file under BAZAAR_HOME) or the URL of a
    fresh PostgreSQL schema, dropped afterwards."""
    if request.param == "sqlite":
        yield None
        return
    import uuid
    import psycopg
    server = request.getfixturevalue("postgres_url")
    schema = "e2e_" + uuid.uuid4().hex
    with psycopg.connect(server, autocommit=True) as db:
        db.execute(f"CREATE SCHEMA {schema}")
    yield f"{server}?options=-csearch_path%3D{schema}"
    with psycopg.connect(server, autocommit=True) as db:
        db.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def shop(tmp_path, backend):
    assert BIN.exists(), f"build first (make build): {BIN} must point at a bazaar binary"
    return Shop(tmp_path, postgres=backend)


@pytest.fixture(scope="session")
def postgres_url():
    """A throw-away PostgreSQL 15 cluster for the session (scripts/pg-cluster.sh): initdb in a new
    directory under /tmp (its parents must be searchable by the `postgres` account that runs it
    when the tests run as root), 127.0.0.1 on a free port, SCRAM passwords. Removed afterwards."""
    import tempfile
    directory = Path(tempfile.mkdtemp(prefix="bazaar-pg-"))
    os.chmod(directory, 0o755)
    cluster = directory / "cluster"
    script = ROOT / "scripts" / "pg-cluster.sh"
    started = subprocess.run([str(script), "start", str(cluster)], capture_output=True, text=True, timeout=120)
    if started.returncode != 0:
        pytest.fail(f"the PostgreSQL cluster did not start: {started.stderr}")
    yield started.stdout.strip()
    subprocess.run([str(script), "stop", str(cluster)], capture_output=True, timeout=120)
    directory.rmdir()
