"""A shop made by an earlier release opens with this one, migrates in place, changes nothing,
and serves the same accounts, products, orders and payments.

The fixture was made with commit c8531b4's binaries by scripts/make-upgrade-fixture.py (its
docstring says what the shop holds); its JWT secret is the script's.
"""

import contextlib
import shutil
import sqlite3

import pytest

from conftest import ROOT, Shop

FIXTURE = ROOT / "Tests" / "BazaarStoreTests" / "Fixtures" / "shop-c8531b4.sqlite"
SECRET = "fixture-secret-0123456789abcdef0123456789abcdef"
TABLES = ["users", "issued_tokens", "sellers", "login_failures", "products", "orders", "order_lines", "outbox",
          "idempotency_keys", "payments", "shipments", "shipment_lines", "processed_events", "grdb_migrations"]


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


def test_an_earlier_release_s_shop_migrates_in_place_without_changing_a_row(upgraded):
    database = upgraded.home / "var" / "bazaar.sqlite"
    before = dump(database)
    assert len(before["orders"]) == 4 and len(before["payments"]) == 2 and len(before["users"]) == 2

    migrated = upgraded.bazaar("db", "migrate")
    assert migrated.code == 0, migrated.stdout + migrated.stderr
    assert migrated.body["applied"] == [] and migrated.body["journalMode"] == "wal"
    check = upgraded.bazaar("db", "check")
    assert check.code == 0 and check.body["ok"] is True, check.stdout
    assert dump(database) == before
    # The overdue unpaid order waits for expiry; opening the shop did not expire it.
    (status,), = upgraded.sql("SELECT status FROM orders WHERE total = 36000")
    assert status == "pending_payment"


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
