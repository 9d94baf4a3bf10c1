"""A shop made by an earlier release opens with this one, migrates in place (each product gets
its one variant, order and shipment lines name it, nothing else changes), and serves the same
accounts, products, orders and payments.

The fixture was made with commit c8531b4's binaries by scripts/make-upgrade-fixture.py (its
docstring says what the shop holds); its JWT secret is the script's.
"""

import contextlib
import shutil
import sqlite3
import subprocess

import pytest

from conftest import ROOT, Shop

FIXTURE = ROOT / "Tests" / "BazaarStoreTests" / "Fixtures" / "shop-c8531b4.sqlite"
SECRET = "fixture-secret-0123456789abcdef0123456789abcdef"
TABLES = ["users", "issued_tokens", "sellers", "login_failures", "products", "orders", "order_lines", "outbox",
          "idempotency_keys", "payments", "shipments", "shipment_lines", "processed_events", "grdb_migrations"]
# grdb_migrations holds one column, the names.


def dump(path):
    """Every row of every table, in key order: what opening and migrating must leave alone."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        return {table: sorted(db.execute(f"SELECT * FROM {table}").fetchall(), key=repr) for table in TABLES}


@pytest.fixture
def upgraded(tmp_path):
    (tmp_path / "var").mkdir()
    shutil.copyfile(FIXTURE, tmp_path / "var" / "bazaar.sqlite")
    shop = Shop(tmp_path)
    shop.env["BAZAAR_JWT_SECRET"] = SECRET
    return shop


VARIANTS = "2026-12-07-variants"
IMAGES = "2026-12-07b-images"
CHANGES = [VARIANTS, IMAGES]
PRODUCT_FIELDS = "id, seller_id, name, description, price, image_url, category, created_at, updated_at, deleted_at"
LINE_FIELDS = "order_id, line, product_id, seller_id, name, unit_price, quantity, line_total"


def rows(path, statement):
    with contextlib.closing(sqlite3.connect(path)) as db:
        return db.execute(statement).fetchall()


def test_an_earlier_release_s_shop_migrates_in_place_and_each_product_gets_its_variant(upgraded):
    database = upgraded.home / "var" / "bazaar.sqlite"
    before = dump(database)
    assert len(before["orders"]) == 4 and len(before["payments"]) == 2 and len(before["users"]) == 2

    migrated = upgraded.bazaar("db", "migrate")
    assert migrated.code == 0, migrated.stdout + migrated.stderr
    assert migrated.body["applied"] == CHANGES and migrated.body["journalMode"] == "wal"
    check = upgraded.bazaar("db", "check")
    assert check.code == 0 and check.body["ok"] is True, check.stdout
    after = dump(database)
    changed = {"products", "order_lines", "shipment_lines", "grdb_migrations"}
    for table in set(TABLES) - changed:
        assert after[table] == before[table], table
    assert [name for (name,) in after["grdb_migrations"]] == sorted([name for (name,) in before["grdb_migrations"]]
                                                                    + CHANGES)
    # No product has photos yet; the photo store starts empty.
    assert rows(database, "SELECT DISTINCT images FROM products") == [("[]",)]
    assert rows(database, "SELECT count(*) FROM product_variants WHERE image_id IS NOT NULL") == [(0,)]
    assert rows(database, "SELECT count(*) FROM media") == [(0,)]

    # Products keep every field; each one's variant carries its price, stock and reservations.
    old = rows(FIXTURE, f"SELECT {PRODUCT_FIELDS}, stock, reserved FROM products ORDER BY id")
    new = rows(database, f"""SELECT {', '.join('p.' + f for f in PRODUCT_FIELDS.split(', '))}, v.stock, v.reserved
                             FROM products p JOIN product_variants v ON v.product_id = p.id ORDER BY p.id""")
    assert new == old and len(new) == len(before["products"]) >= 3
    variants = rows(database, """SELECT v.id, v.product_id, v.price = p.price, v.option1 || v.option2 || v.option3,
                                        v.sku, v.position, v.deleted_at FROM product_variants v
                                 JOIN products p ON p.id = v.product_id""")
    assert all(vid == "var_" + pid[4:] and same and values == "" and sku is None and position == 0 and gone is None
               for vid, pid, same, values, sku, position, gone in variants), variants
    assert rows(database, "SELECT DISTINCT options FROM products") == [("[]",)]
    columns = [c[1] for c in rows(database, "PRAGMA table_info(products)")]
    assert "stock" not in columns and "reserved" not in columns

    # Order and shipment lines are the same lines, naming the product's variant.
    assert rows(database, f"SELECT {LINE_FIELDS} FROM order_lines ORDER BY order_id, line") == rows(
        FIXTURE, f"SELECT {LINE_FIELDS} FROM order_lines ORDER BY order_id, line")
    assert rows(database, "SELECT DISTINCT variant_id = 'var_' || substr(product_id, 5), option_values, sku "
                          "FROM order_lines") == [(1, "[]", None)]
    assert rows(database, "SELECT shipment_id, line, product_id, quantity FROM shipment_lines ORDER BY 1, 2") == rows(
        FIXTURE, "SELECT shipment_id, line, product_id, quantity FROM shipment_lines ORDER BY 1, 2")
    assert rows(database, "SELECT count(*) FROM shipment_lines WHERE variant_id <> 'var_' || substr(product_id, 5)"
                ) == [(0,)]
    # The overdue unpaid order waits for expiry; opening the shop did not expire it.
    (status,), = upgraded.sql("SELECT status FROM orders WHERE total = 36000")
    assert status == "pending_payment"
    again = upgraded.bazaar("db", "migrate")
    assert again.code == 0 and again.body["applied"] == []


def test_the_upgraded_shop_serves_its_accounts_products_orders_and_payments(upgraded):
    with contextlib.closing(sqlite3.connect(FIXTURE)) as db:
        orders = db.execute("SELECT id, status, total FROM orders ORDER BY seq").fetchall()
        live = db.execute("SELECT id, name, price, stock FROM products WHERE deleted_at IS NULL ORDER BY id").fetchall()

    token = upgraded.login("buyer@example.com")
    profile = upgraded.call("getProfile", token=token)
    assert profile.code == 0, profile.stdout
    assert profile.body["name"] == "Kim Minji" and profile.body["shippingAddress"]["postalCode"] == "06236"

    listed = upgraded.call("listProducts", {})
    assert listed.code == 0, listed.stdout
    assert sorted((p["id"], p["name"], p["price"], p["stock"]) for p in listed.body["items"]) == live
    found = upgraded.call("listProducts", {"q": "사과"})
    assert [p["name"] for p in found.body["items"]] == ["청송 사과 5kg"]

    for order_id, status, total in orders:
        got = upgraded.call("getOrder", {"id": order_id}, token=token)
        assert got.code == 0, got.stdout
        assert (got.body["status"], got.body["total"]) == (status, total)
    paid = upgraded.call("getPayment", {"id": orders[0][0]}, token=token)
    assert paid.code == 0, paid.stdout
    assert (paid.body["status"], paid.body["amount"]) == ("completed", 56000)
    # A signed-out buyer's old password still works, and the seller's products are still theirs.
    assert upgraded.login("quiet@example.com")
    seller = upgraded.seller_login("farm@example.com")
    mine = upgraded.call("listSellerOrders", {}, token=seller)
    assert mine.code == 0 and {o["id"] for o in mine.body["items"]} == {orders[0][0], orders[1][0]}


def test_an_upgraded_product_is_ordered_by_its_id_and_holds_the_reservation_on_its_variant(upgraded):
    token = upgraded.login("buyer@example.com")
    product = next(p for p in upgraded.call("listProducts", {}).body["items"] if p["available"] > 0)
    assert [v["id"] for v in product["variants"]] == ["var_" + product["id"][4:]]
    assert product["options"] == [] and product["priceRange"] == {"min": product["price"], "max": product["price"]}
    placed = upgraded.call("placeOrder", {"items": [{"productId": product["id"], "quantity": 1}]}, token=token)
    assert placed.code == 0, placed.stdout
    assert placed.body["items"][0]["variantId"] == product["variants"][0]["id"]
    now = upgraded.call("getProduct", {"id": product["id"]}).body
    assert now["reserved"] == product["reserved"] + 1 and now["variants"][0]["reserved"] == now["reserved"]


PG_FIXTURE = ROOT / "Tests" / "BazaarStoreTests" / "Fixtures" / "shop-d64c0a3.sql"


@pytest.fixture
def pg_upgraded(tmp_path, postgres_url):
    """The same kind of shop made on PostgreSQL by the previous release (d64c0a3, `pg_dump`
    by scripts/make-upgrade-fixture.py), restored into a database of its own."""
    import uuid
    import psycopg
    name = "upgrade_" + uuid.uuid4().hex[:12]
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute(f"CREATE DATABASE {name}")
    url = postgres_url.rsplit("/", 1)[0] + "/" + name
    restored = subprocess.run(["/usr/lib/postgresql/15/bin/psql", "-v", "ON_ERROR_STOP=1", "-q", "-d", url,
                               "-f", str(PG_FIXTURE)], capture_output=True, text=True, timeout=120)
    assert restored.returncode == 0, restored.stderr
    shop = Shop(tmp_path, postgres=url)
    shop.env["BAZAAR_JWT_SECRET"] = SECRET
    yield shop, url
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute(f"DROP DATABASE {name} WITH (FORCE)")


def test_a_postgresql_shop_of_the_previous_release_migrates_in_place(pg_upgraded):
    import psycopg
    shop, url = pg_upgraded

    def query(statement):
        with psycopg.connect(url) as db:
            return db.execute(statement).fetchall()

    old_products = query(f"SELECT {PRODUCT_FIELDS}, stock, reserved FROM products ORDER BY id")
    old_lines = query(f"SELECT {LINE_FIELDS} FROM order_lines ORDER BY order_id, line")
    old_shipment_lines = query("SELECT shipment_id, line, product_id, quantity FROM shipment_lines ORDER BY 1, 2")
    untouched = ["users", "sellers", "orders", "payments", "shipments", "outbox", "processed_events"]
    before = {table: query(f"SELECT * FROM {table} ORDER BY 1") for table in untouched}
    assert len(old_products) >= 3 and len(before["orders"]) == 4

    migrated = shop.bazaar("db", "migrate")
    assert migrated.code == 0, migrated.stdout + migrated.stderr
    assert migrated.body["applied"] == CHANGES
    assert shop.bazaar("db", "check").body["ok"] is True
    assert query("SELECT DISTINCT images FROM products") == [("[]",)]
    assert query("SELECT count(*) FROM media") == [(0,)]
    assert {table: query(f"SELECT * FROM {table} ORDER BY 1") for table in untouched} == before
    p_fields = ", ".join("p." + f for f in PRODUCT_FIELDS.split(", "))
    assert query(f"""SELECT {p_fields}, v.stock, v.reserved FROM products p
                     JOIN product_variants v ON v.product_id = p.id ORDER BY p.id""") == old_products
    assert query("SELECT count(*) FROM product_variants WHERE id <> 'var_' || substr(product_id, 5)") == [(0,)]
    assert query(f"SELECT {LINE_FIELDS} FROM order_lines ORDER BY order_id, line") == old_lines
    assert query("""SELECT count(*) FROM order_lines
                    WHERE variant_id <> 'var_' || substr(product_id, 5) OR option_values <> '[]'""") == [(0,)]
    assert query("SELECT shipment_id, line, product_id, quantity FROM shipment_lines ORDER BY 1, 2") == \
        old_shipment_lines
    columns = {c for (c,) in query("SELECT column_name FROM information_schema.columns WHERE table_name = 'products'")}
    assert "stock" not in columns and "reserved" not in columns and "options" in columns
    # The upgraded shop sells: a product of the previous release is ordered by its id alone.
    token = shop.login("buyer@example.com")
    product = next(p for p in shop.call("listProducts", {}).body["items"] if p["available"] > 0)
    placed = shop.call("placeOrder", {"items": [{"productId": product["id"], "quantity": 1}]}, token=token)
    assert placed.code == 0, placed.stdout
    assert placed.body["items"][0]["variantId"] == "var_" + product["id"][4:]
