"""Issue 16's findings, through the real binary: a database removed, replaced or made read-only
under the shop; sign-in floods and guessing; an operator blocking accounts."""

import http.client
import json
import os
import shutil
import subprocess
import threading
import time

from conftest import BUSINESS_NUMBERS, PASSWORD
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


def login(shop, email, password, env=None):
    return shop.call("login", {"email": email, "password": password}, env=env)


def test_the_eleventh_wrong_password_waits_even_across_processes(shop):
    """Each `login` is its own process here (as under CGI): the count lives in the store. The
    11th wrong password within a minute is 429 with how long to wait, and so is the right one
    until the backoff passes; an unknown email gets exactly the same answers."""
    shop.signup("kim@example.com")
    env = {"BAZAAR_LOGIN_BACKOFF": "2", "REMOTE_ADDR": "203.0.113.7"}
    for email in ["kim@example.com", "nobody@example.com"]:
        for _ in range(10):
            login(shop, email, "wrong password", env).problem(401, "invalid_credentials", 77)
        held = login(shop, email, "wrong password", env)
        held.problem(429, "too_many_attempts", 75)
        assert 1 <= held.body["retryAfter"] <= 2
    login(shop, "kim@example.com", PASSWORD, env).problem(429, "too_many_attempts", 75)
    other = {**env, "REMOTE_ADDR": "203.0.113.8"}
    assert login(shop, "kim@example.com", PASSWORD, other).code == 0, "another address is not held off"
    time.sleep(2.1)
    assert login(shop, "kim@example.com", PASSWORD, env).code == 0, "after the backoff the right password works"


def test_over_http_the_answer_carries_retry_after_and_only_trusted_proxies_name_the_client(shop):
    shop.signup("kim@example.com")
    server = Runner(shop.home, env={"BAZAAR_TRUSTED_PROXIES": "127.0.0.1", "BAZAAR_LOGIN_ACCOUNT_FAILURES": "25"})
    try:
        def attempt(address, password="wrong password"):
            return server.http("POST", "/users/auth", {"email": "kim@example.com", "password": password},
                               headers=[f"X-Forwarded-For: 198.51.100.99, {address}"])
        for _ in range(10):
            assert attempt("192.0.2.1")[0] == 401
        status, headers, problem = attempt("192.0.2.1", PASSWORD)
        assert status == 429 and problem["code"] == "too_many_attempts"
        assert 55 <= int(headers["retry-after"]) <= 60 and problem["retryAfter"] == int(headers["retry-after"])
        assert attempt("192.0.2.2", PASSWORD)[0] == 200, "the last hop a trusted proxy added is the client"
        # Guessing from many addresses meets the account's own cap (25 here).
        for index in range(15):
            assert attempt(f"192.0.2.{10 + index}")[0] == 401
        status, _, problem = attempt("192.0.2.200", PASSWORD)
        assert status == 429 and problem["code"] == "too_many_attempts"
    finally:
        server.stop()
    untrusted = Runner(shop.home, env={"BAZAAR_LOGIN_FAILURES": "3"})
    try:
        for index in range(3):
            untrusted.http("POST", "/sellers/auth", {"email": "x@example.com", "password": "wrong password"},
                           headers=[f"X-Forwarded-For: 10.1.1.{index}"])
        status, _, problem = untrusted.http("POST", "/sellers/auth", {"email": "x@example.com", "password": "nope"},
                                            headers=["X-Forwarded-For: 10.9.9.9"])
        assert status == 429, "from an untrusted peer, X-Forwarded-For is ignored: every try came from 127.0.0.1"
    finally:
        untrusted.stop()


def test_an_operator_blocks_and_unblocks_accounts_from_the_shell(shop):
    user = shop.signup("kim@example.com")
    token = shop.login("kim@example.com")
    seller, product = seed(shop)
    seller_id = shop.call("getSellerProfile", token=seller).body["id"]
    blocked = shop.bazaar("accounts", "block", user["id"])
    assert blocked.code == 0 and blocked.body["status"] == "blocked"
    shop.call("getProfile", token=token).problem(401, "token_revoked", 77)
    login(shop, "kim@example.com", PASSWORD).problem(403, "account_blocked", 77)
    assert shop.bazaar("accounts", "block", seller_id).body["status"] == "blocked"
    shop.call("getProduct", {"id": product["id"]}).problem(404, "product_not_found", 65)
    shop.call("sellerLogin", {"email": "shop@example.com", "password": PASSWORD}).problem(403, "account_blocked", 77)
    assert shop.bazaar("accounts", "unblock", user["id"]).body["status"] == "active"
    assert shop.bazaar("accounts", "unblock", seller_id).body["status"] == "active"
    assert login(shop, "kim@example.com", PASSWORD).code == 0
    assert shop.call("getProduct", {"id": product["id"]}).code == 0
    missing = shop.bazaar("accounts", "block", "usr_" + "0" * 26)
    assert missing.code == 65 and missing.body["code"] == "user_not_found"


def test_reads_keep_going_through_a_login_flood(shop):
    """200 wrong sign-ins at once (unknown emails, so each costs a full scrypt check) against
    `bazaar serve`: password checks wait on their own threads and queue, past which they are
    answered 429 at once; catalog reads meanwhile answer as usual (they took 5.8 s before)."""
    seller, product = seed(shop)
    server = Runner(shop.home, env={"BAZAAR_HASHING_QUEUE": "32", "BAZAAR_SCRYPT_LOG_N": "15"})
    try:
        results = []

        def flood(index):
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
            try:
                connection.request("POST", "/users/auth", json.dumps(
                    {"email": f"flood{index}@example.com", "password": "wrong password"}),
                    {"Content-Type": "application/json"})
                answer = connection.getresponse()
                results.append((answer.status, answer.getheader("Retry-After")))
                answer.read()
            finally:
                connection.close()
        threads = [threading.Thread(target=flood, args=(index,)) for index in range(200)]
        for thread in threads:
            thread.start()
        reads = []
        reader = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        while any(thread.is_alive() for thread in threads) and len(reads) < 200:
            started = time.monotonic()
            reader.request("GET", f"/products/{product['id']}")
            answer = reader.getresponse()
            answer.read()
            assert answer.status == 200
            reads.append(time.monotonic() - started)
        for thread in threads:
            thread.join()
        reader.close()
        statuses = [status for status, _ in results]
        assert len(statuses) == 200 and set(statuses) <= {401, 429}
        assert statuses.count(429) > 0 and all(after == "1" for status, after in results if status == 429)
        assert len(reads) >= 10, "reads went on during the flood"
        assert max(reads) < 1.0, f"slowest read during the flood: {max(reads):.3f} s"
    finally:
        server.stop()


def test_smaller_findings(shop):
    """Token answers are never cached; a number too large for 64 bits says so; names of only
    zero-width characters are empty; bidirectional overrides are refused."""
    shop.signup("kim@example.com")
    server = Runner(shop.home)
    try:
        status, headers, body = server.http("POST", "/users/auth", {"email": "kim@example.com", "password": PASSWORD})
        assert status == 200 and headers["cache-control"] == "no-store"
        token = body["token"]
        shop.register_seller("shop@example.com", BUSINESS_NUMBERS[0])
        seller = shop.seller_login("shop@example.com")
        status, _, problem = server.http("POST", "/products", raw='{"name":"Cup","price":9223372036854775808,"stock":1}',
                                         token=seller)
        assert status == 422 and problem["errors"] == [
            {"field": "price", "code": "out_of_range",
             "detail": "price is too large: a whole number must be at most 9223372036854775807 in size"}]
        status, _, problem = server.http("PATCH", "/users/me", {"name": "\u200b\u200b\ufeff"}, token=token)
        assert status == 422 and problem["errors"][0]["code"] == "required", problem
        status, _, problem = server.http("POST", "/products", {"name": "Cup \u202egnp.exe", "price": 100, "stock": 1},
                                         token=seller)
        assert status == 422 and "bidirectional" in problem["errors"][0]["detail"], problem
        assert server.http("POST", "/products", {"name": "\u200bCup\u200b", "price": 100, "stock": 1},
                           token=seller)[2]["name"] == "Cup"
    finally:
        server.stop()


def test_an_internal_database_error_logs_no_sql(shop):
    """A table gone (a damaged database): the caller gets 500 internal_error, and the log line
    says what SQLite said, never the statement or what was bound to it."""
    shop.signup("kim@example.com")
    import sqlite3
    with sqlite3.connect(shop.home / "var" / "bazaar.sqlite") as db:
        db.execute("DROP TABLE login_failures")
    failed = login(shop, "kim@example.com", "secret-guess-123")
    failed.problem(500, "internal_error", 70)
    logged = failed.stderr
    assert "no such table: login_failures" in logged, logged
    assert "SELECT" not in logged and "kim@example.com" not in logged and "secret-guess-123" not in logged
