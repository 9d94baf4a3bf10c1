"""A shop on PostgreSQL (BAZAAR_DATABASE_URL, issue 18): the functions, `bazaar db`, the HTTP
runner and its readiness, against the session's throw-away cluster. The orders, payments and
scheduler suites also run whole against PostgreSQL (conftest's POSTGRES_MODULES)."""

import subprocess
import uuid
from urllib.parse import urlparse

import psycopg
import pytest

from conftest import BIN, ROOT, Shop
from http_client import Runner, shop_flow


@pytest.fixture
def pg_shop(tmp_path, postgres_url):
    schema = "e2e_" + uuid.uuid4().hex
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute(f"CREATE SCHEMA {schema}")
    yield Shop(tmp_path, postgres=f"{postgres_url}?options=-csearch_path%3D{schema}")
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute(f"DROP SCHEMA {schema} CASCADE")


def test_bazaar_fn_links_no_libpq_and_hands_a_postgres_shop_to_bazaar(pg_shop):
    libraries = subprocess.run(["ldd", str((ROOT / "bin" / "bazaar-fn").resolve())], capture_output=True,
                               text=True).stdout
    assert "libpq" not in libraries
    user = pg_shop.signup()
    assert pg_shop.sql("SELECT id, email FROM users") == [(user["id"], "kim@example.com")]
    assert pg_shop.call("getProfile", token=pg_shop.login()).body["id"] == user["id"]
    assert not (pg_shop.home / "var" / "bazaar.sqlite").exists(), "a PostgreSQL shop writes no SQLite file"


def test_db_migrate_and_check_answer_without_the_password(pg_shop, postgres_url):
    password = urlparse(postgres_url).password
    check = pg_shop.bazaar("db", "check")
    assert check.code == 70 and check.body["ok"] is False and "bazaar db migrate" in check.body["problems"][0]
    migrated = pg_shop.bazaar("db", "migrate")
    assert migrated.code == 0, migrated.stderr
    # A new database is made from the current schema and marked as having every change.
    assert migrated.body["applied"] == ["2026-11-27-shop", "2026-12-07-variants", "2026-12-07b-images"]
    assert migrated.body["migrations"] == 3
    again = pg_shop.bazaar("db", "migrate")
    assert again.code == 0 and again.body["applied"] == []
    assert pg_shop.bazaar("db", "check").body == {"database": again.body["database"], "ok": True, "problems": []}
    for result in (check, migrated, again):
        assert password not in result.stdout + result.stderr
    assert again.body["database"].startswith("postgres://bazaar@127.0.0.1:")


def test_a_wrong_password_or_a_server_down_is_said_in_words(pg_shop, postgres_url):
    parts = urlparse(postgres_url)
    wrong = postgres_url.replace(f":{parts.password}@", ":not-the-password@")
    refused = pg_shop.bazaar("db", "migrate", env={"BAZAAR_DATABASE_URL": wrong})
    assert refused.code == 78 and "password authentication failed" in refused.stderr
    assert "not-the-password" not in refused.stderr
    down = pg_shop.bazaar("db", "migrate", env={"BAZAAR_DATABASE_URL": "postgres://bazaar:pw@127.0.0.1:1/bazaar"})
    assert down.code == 75 and "cannot be reached" in down.stderr
    busy = pg_shop.call("signup", {"email": "kim@example.com", "password": "correct horse"},
                        env={"BAZAAR_DATABASE_URL": "postgres://bazaar:pw@127.0.0.1:1/bazaar"})
    busy.problem(503, "store_busy", 75)
    assert "did not answer" in busy.body["detail"]
    bad = pg_shop.call("signup", {"email": "kim@example.com", "password": "correct horse"},
                       env={"BAZAAR_DATABASE_URL": "mysql://localhost/bazaar"})
    bad.problem(500, "configuration_error", 70)
    assert bad.body["detail"].startswith("BAZAAR_DATABASE_URL: must be a postgres://")


def test_serve_runs_the_shop_on_postgres_and_is_not_ready_without_its_server(pg_shop):
    server = Runner(pg_shop)
    try:
        shop_flow(server.http)
        status, _, body = server.http("GET", "/readyz")
        assert status == 200 and body["status"] == "ready"
    finally:
        assert server.stop() == 0
    assert pg_shop.sql("SELECT count(*) FROM sellers") == [(2,)]
    down = Runner(pg_shop, env={"BAZAAR_DATABASE_URL": "postgres://bazaar:pw@127.0.0.1:1/bazaar"})
    try:
        status, _, body = down.http("GET", "/readyz")
        assert status == 503 and body["code"] == "not_ready" and "PostgreSQL server does not answer" in body["detail"]
        status, _, body = down.http("GET", "/products")
        assert status == 503 and body["code"] == "store_busy"
    finally:
        down.stop()


def test_the_event_queues_live_in_postgres_and_bazaar_queue_works_on_them(pg_shop):
    from test_orders import Market
    market = Market(pg_shop)
    assert market.place([(market.product(), 1)]).code == 0
    relayed = pg_shop.bazaar("outbox", "relay", "--once")
    assert relayed.code == 0, relayed.stderr
    listed = pg_shop.bazaar("queue", "ls")
    assert listed.code == 0 and listed.body["queues"], listed.stdout
    waiting = pg_shop.sql("SELECT queue, count(*) FROM queue_messages GROUP BY queue")
    assert waiting and all(count >= 1 for _, count in waiting)
    assert not (pg_shop.home / "queues").exists(), "no spool directory for a shop whose queues are in PostgreSQL"
    message = '{"specversion":"1.0","id":"op-1","source":"/operator","type":"test.note","data":{}}'
    put = pg_shop.bazaar("queue", "put", "notes", stdin=message)
    assert put.code == 0, put.stdout + put.stderr
    taken = pg_shop.bazaar("queue", "take", "notes", "--lease", "30")
    assert taken.code == 0 and taken.body["id"] == put.body["id"] and taken.body["message"]["id"] == "op-1"
    nacked = pg_shop.bazaar("queue", "nack", "notes", taken.body["receipt"], "--delay", "0", "--error", "try later")
    assert nacked.code == 0 and nacked.body["outcome"] == "retry"
    again = pg_shop.bazaar("queue", "take", "notes")
    assert again.body["receiveCount"] == 2 and again.body["lastError"] == "try later"
    assert pg_shop.bazaar("queue", "ack", "notes", again.body["receipt"]).code == 0
    stale = pg_shop.bazaar("queue", "ack", "notes", again.body["receipt"])
    assert stale.code == 65 and stale.body["code"] == "lease_lost", stale.stdout
    assert pg_shop.bazaar("queue", "take", "notes").code == 75
    status = pg_shop.bazaar("status", "--json")
    assert status.code == 0 and "notes" in status.body["queues"]


def test_a_shop_copied_into_postgres_answers_every_read_the_same(tmp_path, postgres_url):
    """`make run`'s flow on SQLite (sign-ups, a catalog, an order paid through the sandbox and
    shipped by the scheduler, one left unpaid, one canceled), copied with `bazaar db copy`, then
    served from PostgreSQL: every read answers the same, the old tokens included."""
    import time
    from test_orders import Market
    from test_payments import Checkout, callback_path
    home = tmp_path / "shop"
    home.mkdir()
    shop = Shop(home)
    up = Runner(shop, command="up", args=("--no-storefront",))
    try:
        market = Market(shop)
        paid = Checkout(market, up.http)
        status, _, ready = paid.pay()
        assert status == 200, ready
        status, _, done = up.http("GET", callback_path(paid.checkout(ready)))
        assert status == 200 and done["result"] == "completed", done
        deadline = time.monotonic() + 15
        while paid.order_status() != "shipped":
            assert time.monotonic() < deadline, paid.events()
            time.sleep(0.05)
        other = market.product(stock=7, price=4500, name="Zebra lamp", seller=market.other_seller)
        unpaid = market.place([(other, 3), (paid.product, 1)], token=market.other_buyer).body
        canceled = market.place([(other, 1)]).body
        assert shop.call("cancelOrder", {"id": canceled["id"]}, token=market.buyer).code == 0
    finally:
        assert up.stop() == 0
    shipment = shop.sql("SELECT id FROM shipments")[0][0]
    reads = [
        ("GET", "/products?q=%EC%82%AC%EA%B3%BC", None), ("GET", "/products?sort=name", None),
        ("GET", "/products?sort=price_desc&limit=1", None), ("GET", f"/products/{paid.product['id']}", None),
        ("GET", "/users/me", market.buyer), ("GET", "/orders", market.buyer), ("GET", "/orders", market.other_buyer),
        ("GET", f"/orders/{paid.order['id']}", market.buyer), ("GET", f"/orders/{unpaid['id']}", market.other_buyer),
        ("GET", f"/orders/{canceled['id']}", market.buyer), ("GET", f"/orders/{paid.order['id']}/payment", market.buyer),
        ("GET", "/sellers/me", market.seller), ("GET", "/sellers/me/orders", market.seller),
        ("GET", "/sellers/me/orders", market.other_seller), ("GET", "/sellers/me/shipments", market.seller),
        ("GET", f"/shipments/{shipment}", market.buyer),
    ]

    def answers(runner):
        results = []
        for method, path, token in reads:
            status, _, body = runner.http(method, path, token=token)
            results.append((path, status, body))
        return results

    before_server = Runner(shop)
    try:
        before = answers(before_server)
    finally:
        before_server.stop()
    assert all(status == 200 for _, status, _ in before), [r for r in before if r[1] != 200]
    spool_stats = shop.bazaar("queue", "stats").body

    schema = "copy_" + uuid.uuid4().hex
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute(f"CREATE SCHEMA {schema}")
    try:
        url = f"{postgres_url}?options=-csearch_path%3D{schema}"
        copied = shop.bazaar("db", "copy", "--to", url)
        assert copied.code == 0, copied.stdout + copied.stderr
        assert copied.body["checked"] is True and copied.body["tables"]["orders"] == 3
        assert copied.body["totals"]["orders.total"] == sum(r[0] for r in shop.sql("SELECT total FROM orders"))
        moved = Shop(home, postgres=url)
        after_server = Runner(moved)
        try:
            after = answers(after_server)
        finally:
            after_server.stop()
        for (path, *was), (_, *now) in zip(before, after):
            assert now == was, path
        def depths(stats):  # the oldest message's age moves with the clock
            return [{k: v for k, v in queue.items() if k != "oldestReadyAgeSeconds"} for queue in stats["queues"]]
        assert depths(moved.bazaar("queue", "stats").body) == depths(spool_stats)
        again = shop.bazaar("db", "copy", "--to", url)
        assert again.code == 65 and "empty database" in again.stderr
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as db:
            db.execute(f"DROP SCHEMA {schema} CASCADE")


def test_db_copy_refuses_while_the_shop_runs(pg_shop, tmp_path, postgres_url):
    home = tmp_path / "running"
    home.mkdir()
    shop = Shop(home)
    shop.signup()
    server = Runner(shop)
    try:
        refused = shop.bazaar("db", "copy", "--to", pg_shop.postgres)
        assert refused.code == 75 and "has the database open" in refused.stderr, refused.stderr
        assert f"pid {server.proc.pid}" in refused.stderr
    finally:
        server.stop()
    assert pg_shop.sql("SELECT to_regclass('users') IS NULL") == [(True,)], "a refused copy touches nothing"
    copied = shop.bazaar("db", "copy", "--to", pg_shop.postgres)
    assert copied.code == 0, copied.stderr
    assert pg_shop.sql("SELECT email FROM users") == [("kim@example.com",)]


@pytest.mark.parametrize("point", ["after-tables", "before-commit"])
def test_a_copy_killed_midway_commits_nothing_and_can_run_again(pg_shop, tmp_path, point):
    """The copy is one transaction: a crash after the tables (or the messages) are loaded leaves
    the target empty and the SQLite shop as it was, and the next copy goes through."""
    from test_orders import Market
    home = tmp_path / "crashing"
    home.mkdir()
    shop = Shop(home)
    market = Market(shop)
    assert market.place([(market.product(), 2)]).code == 0
    assert shop.bazaar("outbox", "relay", "--once").code == 0
    crashed = shop.bazaar("db", "copy", "--to", pg_shop.postgres, env={"BAZAAR_COPY_FAULT": point})
    assert crashed.code == 86, crashed.stderr
    assert pg_shop.sql("SELECT count(*) FROM users") == [(0,)]
    assert pg_shop.sql("SELECT count(*) FROM queue_messages") == [(0,)]
    assert shop.sql("SELECT count(*) FROM orders") == [(1,)], "the SQLite shop is untouched"
    copied = shop.bazaar("db", "copy", "--to", pg_shop.postgres)
    assert copied.code == 0, copied.stderr
    assert copied.body["tables"]["orders"] == 1 and copied.body["messages"]["orders"] == 1
    assert pg_shop.sql("SELECT count(*) FROM users") == [(2,)]
