"""Issue 16's findings, through the real binary: a database removed, replaced or made read-only
under the shop."""

import os
import shutil
import subprocess

import pytest

from conftest import BUSINESS_NUMBERS
from http_client import Runner


def immutable(path, on):
    """`chattr ±i`: read-only even for root, who ignores permission bits (the tests run as root)."""
    subprocess.run(["chattr", "+i" if on else "-i", str(path)], check=True)


def seed(shop):
    shop.register_seller("shop@example.com", BUSINESS_NUMBERS[0])
    seller = shop.seller_login("shop@example.com")
    return seller, shop.create_product(seller, stock=5)


def test_a_removed_database_is_refused_not_recreated(shop):
    seller, product = seed(shop)
    var = shop.home / "var"
    assert (var / ".bazaar.sqlite.created").exists(), "the first creation leaves a marker"
    server = Runner(shop.home)
    try:
        http = server.http
        status, headers, body = http("GET", "/readyz")
        assert status == 200 and body == {"status": "ready"} and headers["cache-control"] == "no-store"
        for name in os.listdir(var):
            if name.startswith("bazaar.sqlite"):
                os.remove(var / name)  # rm var/bazaar.sqlite*
        status, _, problem = http("POST", "/products", {"name": "Ghost", "price": 1000, "stock": 1}, token=seller)
        assert status == 500 and problem["code"] == "store_missing" and "was removed" in problem["detail"]
        assert http("GET", f"/products/{product['id']}")[2]["code"] == "store_missing"
        status, _, problem = http("GET", "/readyz")
        assert status == 503 and problem["code"] == "not_ready" and "removed" in problem["detail"]
        assert http("GET", "/healthz")[0] == 200, "the process lives; it is not ready"
        access = [line for line in server.access() if line.get("problem") == "store_missing"]
        assert access, "the log says so"
    finally:
        server.stop()
    # A new process refuses too, and creates nothing.
    fresh = shop.call("getProduct", {"id": product["id"]})
    fresh.problem(500, "store_missing", 70)
    assert "restore the file from a backup" in fresh.body["detail"]
    assert not (var / "bazaar.sqlite").exists()
    # Removing the marker is the operator's explicit way to start over.
    os.remove(var / ".bazaar.sqlite.created")
    assert shop.call("getProduct", {"id": product["id"]}).body["code"] == "product_not_found"


def test_a_replaced_database_file_is_noticed(shop):
    seller, product = seed(shop)
    database = shop.home / "var" / "bazaar.sqlite"
    server = Runner(shop.home)
    try:
        copy = shop.home / "var" / "copy.sqlite"
        shutil.copy(database, copy)
        os.replace(copy, database)
        status, _, problem = server.http("GET", f"/products/{product['id']}")
        assert status == 500 and problem["code"] == "store_missing" and "replaced" in problem["detail"]
        assert server.http("GET", "/readyz")[0] == 503
    finally:
        server.stop()


def test_a_read_only_database_is_503_and_recovers_without_a_restart(shop):
    seller, product = seed(shop)
    database = shop.home / "var" / "bazaar.sqlite"
    immutable(database, True)
    try:
        cli = shop.call("signup", {"email": "ro@example.com", "password": "correct horse"})
        cli.problem(503, "store_read_only", 75)
        server = Runner(shop.home)
        try:
            http = server.http
            assert http("GET", f"/products/{product['id']}")[0] == 200, "reads still work"
            status, headers, problem = http("POST", "/users", {"email": "a@example.com", "password": "correct horse"})
            assert status == 503 and problem["code"] == "store_read_only", problem
            status, _, problem = http("GET", "/readyz")
            assert status == 503 and "read-only" in problem["detail"]
            immutable(database, False)
            status, _, user = http("POST", "/users", {"email": "a@example.com", "password": "correct horse"})
            assert status == 201, user
            assert http("GET", "/readyz")[0] == 200
        finally:
            server.stop()
    finally:
        immutable(database, False)
    checked = shop.bazaar("db", "check")
    assert checked.code == 0, checked.stdout
