"""Orders through the built binary and over HTTP: oversell under concurrency, all-or-nothing
lines, idempotency keys, the authorization matrix, what sellers see, expiry, and the outbox
relay under SIGKILL."""

import json
import os
import random
import signal
import subprocess
import threading
import time
import http.client

import jwt
import pytest

from conftest import BIN, BUSINESS_NUMBERS, ROOT, SECRET, Shop
from http_client import Runner

SHIPPING = {"recipient": "Kim Minji", "phone": "010-1234-5678", "postalCode": "06236",
            "line1": "Teheran-ro 152", "line2": "5F"}


class Market:
    """A shop with two sellers, their products and two buyers."""

    def __init__(self, shop: Shop):
        self.shop = shop
        shop.register_seller("shop@example.com", BUSINESS_NUMBERS[0])
        shop.register_seller("other@example.com", BUSINESS_NUMBERS[1])
        self.seller = shop.seller_login("shop@example.com")
        self.other_seller = shop.seller_login("other@example.com")
        shop.signup("buyer@example.com")
        shop.signup("other@example.com")
        self.buyer = shop.login("buyer@example.com")
        self.other_buyer = shop.login("other@example.com")

    def product(self, stock=10, price=12000, seller=None, **fields):
        return self.shop.create_product(seller or self.seller, stock=stock, price=price, **fields)

    def place(self, lines, token=None, **extra):
        payload = {"items": [{"productId": p["id"], "quantity": q} for p, q in lines], "shipping": SHIPPING, **extra}
        return self.shop.call("placeOrder", payload, token=token or self.buyer)

    def stock(self, product):
        (stock, reserved), = self.shop.sql("SELECT stock, reserved FROM product_variants WHERE product_id = ?", product["id"])
        return stock, reserved


@pytest.fixture
def market(shop):
    return Market(shop)


def run_all(commands):
    """Start every (args, stdin, env) at once; wait for all; return (exit, stdout, stderr) each."""
    procs = [subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
             for args, _, env in commands]
    for proc, (_, stdin, _) in zip(procs, commands):
        proc.stdin.write(stdin.encode())
        proc.stdin.close()
    results = []
    for proc in procs:
        out, err = proc.stdout.read().decode(), proc.stderr.read().decode()
        results.append((proc.wait(timeout=120), out, err))
    return results


def test_prices_come_from_the_catalog_and_a_client_price_is_refused(market):
    apples = market.product(price=32000)
    placed = market.place([(apples, 2)])
    assert placed.code == 0, placed.stdout
    order = placed.body
    assert order["id"].startswith("ord_") and order["status"] == "pending_payment"
    assert order["items"] == [{"productId": apples["id"], "variantId": apples["variants"][0]["id"], "optionValues": {},
                               "sku": None, "name": "Cotton towel", "unitPrice": 32000, "quantity": 2,
                               "lineTotal": 64000, "sellerId": apples["sellerId"]}]
    assert order["total"] == 64000 and order["currency"] == "KRW" and order["shipping"] == SHIPPING
    cheap = market.shop.call("placeOrder", {"items": [{"productId": apples["id"], "quantity": 1, "price": 1}],
                                            "shipping": SHIPPING}, token=market.buyer)
    cheap.problem(422, "validation_failed", 65)
    assert [e["field"] + ":" + e["code"] for e in cheap.body["errors"]] == ["items[0].price:unknown_field"]
    assert market.stock(apples) == (10, 2)


def test_64_processes_never_oversell_ten_units(market):
    """64 concurrent placeOrder processes, 10 units: exactly 10 win, 20 times over."""
    env = {**market.shop.env, "BAZAAR_TOKEN": market.buyer}
    for repetition in range(20):
        product = market.product(stock=10, name=f"Scarce {repetition}")
        body = json.dumps({"items": [{"productId": product["id"], "quantity": 1}], "shipping": SHIPPING})
        results = run_all([([str(ROOT / "functions/placeOrder")], body, env)] * 64)
        codes = sorted(code for code, _, _ in results)
        assert codes == [0] * 10 + [65] * 54, [r for r in results if r[0] not in (0, 65)][:2]
        refused = [json.loads(out) for code, out, _ in results if code == 65]
        assert all(p["code"] == "out_of_stock" and p["items"][0]["available"] == 0 for p in refused), refused[:1]
        assert not any("database is locked" in out + err for _, out, err in results)
        assert market.stock(product) == (10, 10)


def test_64_http_clients_never_oversell_ten_units(tmp_path, market):
    server = Runner(market.shop, "inprocess")
    try:
        for repetition in range(5):
            product = market.product(stock=10, name=f"Scarce {repetition}")
            body = json.dumps({"items": [{"productId": product["id"], "quantity": 1}], "shipping": SHIPPING})
            statuses, problems = [], []
            barrier = threading.Barrier(64)

            def client():
                connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
                barrier.wait()
                connection.request("POST", "/orders", body, {"Content-Type": "application/json",
                                                             "Authorization": f"Bearer {market.buyer}"})
                answer = connection.getresponse()
                payload = json.loads(answer.read())
                statuses.append(answer.status)
                if answer.status != 201:
                    problems.append(payload["code"])
                connection.close()

            threads = [threading.Thread(target=client) for _ in range(64)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert sorted(statuses) == [201] * 10 + [409] * 54
            assert set(problems) == {"out_of_stock"}
            assert market.stock(product) == (10, 10)
    finally:
        assert server.stop() == 0


def test_a_short_last_line_reserves_nothing(market):
    towels, soap, rare = market.product(stock=5), market.product(stock=5), market.product(stock=1)
    short = market.place([(towels, 2), (soap, 3), (rare, 2)])
    short.problem(409, "out_of_stock", 65)
    assert short.body["items"] == [{"productId": rare["id"], "requested": 2, "available": 1}]
    assert [market.stock(p) for p in (towels, soap, rare)] == [(5, 0), (5, 0), (1, 0)]
    gone = market.product(stock=5)
    market.shop.call("deleteProduct", {"id": gone["id"]}, token=market.seller)
    unavailable = market.place([(towels, 1), (gone, 1)])
    unavailable.problem(409, "product_unavailable", 65)
    assert unavailable.body["items"] == [{"productId": gone["id"], "requested": 1, "available": 0}]
    assert market.shop.sql("SELECT count(*) FROM orders") == [(0,)]


def test_orders_sharing_products_in_opposite_order_never_deadlock(market):
    a, b = market.product(stock=1000), market.product(stock=1000)
    env = {**market.shop.env, "BAZAAR_TOKEN": market.buyer}
    bodies = [json.dumps({"items": [{"productId": x["id"], "quantity": 1}, {"productId": y["id"], "quantity": 1}],
                          "shipping": SHIPPING}) for x, y in ((a, b), (b, a))]
    results = run_all([([str(ROOT / "functions/placeOrder")], bodies[i % 2], env) for i in range(64)])
    assert [code for code, _, _ in results] == [0] * 64, [r for r in results if r[0]][:2]
    assert market.stock(a) == (1000, 64) and market.stock(b) == (1000, 64)


def test_an_idempotency_key_replays_refuses_another_body_and_wins_races(market):
    towels = market.product(stock=50)
    first = market.place([(towels, 2)], idempotencyKey="order-1")
    again = market.place([(towels, 2)], idempotencyKey="order-1")
    assert first.code == again.code == 0 and again.stdout == first.stdout
    other = market.place([(towels, 3)], idempotencyKey="order-1")
    other.problem(422, "idempotency_key_reused", 65)
    # Another user's key of the same name is theirs.
    assert market.place([(towels, 1)], token=market.other_buyer, idempotencyKey="order-1").code == 0
    assert market.stock(towels) == (50, 3)
    # 16 processes with one key: one order, and every answer is that order.
    env = {**market.shop.env, "BAZAAR_TOKEN": market.buyer}
    body = json.dumps({"items": [{"productId": towels["id"], "quantity": 1}], "shipping": SHIPPING,
                       "idempotencyKey": "race"})
    results = run_all([([str(ROOT / "functions/placeOrder")], body, env)] * 16)
    assert [code for code, _, _ in results] == [0] * 16
    assert len({json.loads(out)["id"] for _, out, _ in results}) == 1
    assert market.stock(towels) == (50, 4)
    # A refused request records nothing: the same key works once the body is right.
    refused = market.place([(towels, 999)], idempotencyKey="retry-me")
    refused.problem(409, "out_of_stock", 65)
    assert market.place([(towels, 1)], idempotencyKey="retry-me").code == 0


def test_the_idempotency_key_header_over_http(market):
    towels = market.product(stock=5)
    server = Runner(market.shop, "inprocess")
    try:
        body = {"items": [{"productId": towels["id"], "quantity": 1}], "shipping": SHIPPING}
        headers = ("Idempotency-Key: checkout-7",)
        first = server.http("POST", "/orders", body, token=market.buyer, headers=headers)
        again = server.http("POST", "/orders", body, token=market.buyer, headers=headers)
        assert first[0] == again[0] == 201 and first[2] == again[2]
        clash = server.http("POST", "/orders", {**body, "idempotencyKey": "other"}, token=market.buyer, headers=headers)
        assert clash[0] == 422 and clash[2]["errors"][0] == {
            "field": "idempotencyKey", "code": "conflict",
            "detail": "idempotencyKey is given by the URL and differs in the body"}
        assert market.stock(towels) == (5, 1)
    finally:
        assert server.stop() == 0


class Cast:
    """Every kind of caller for the order functions."""

    def __init__(self, market):
        self.market = market
        self.tokens = {"none": None, "owner": market.buyer, "other": market.other_buyer, "seller": market.seller}
        claims = jwt.decode(market.buyer, SECRET, algorithms=["HS256"])
        claims.update(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)
        self.tokens["expired"] = jwt.encode(claims, SECRET, algorithm="HS256")
        self.product = market.product(stock=100)

    def order(self):
        placed = self.market.place([(self.product, 1)])
        assert placed.code == 0
        return placed.body


EXPECTED = {
    # caller: (status, code, exit) for getOrder and cancelOrder on the owner's order
    "none": (401, "unauthenticated", 77),
    "expired": (401, "token_expired", 77),
    "seller": (403, "forbidden_role", 77),
    "other": (404, "order_not_found", 65),
}


@pytest.mark.parametrize("function", ["getOrder", "cancelOrder"])
@pytest.mark.parametrize("caller", ["none", "owner", "other", "seller", "expired"])
def test_owner_only_order_functions(market, function, caller):
    cast = Cast(market)
    order = cast.order()
    result = market.shop.call(function, {"id": order["id"]}, token=cast.tokens[caller])
    if caller == "owner":
        assert result.code == 0 and result.body["id"] == order["id"]
    else:
        result.problem(*EXPECTED[caller])
    status = market.shop.sql("SELECT status FROM orders WHERE id = ?", order["id"])[0][0]
    assert status == ("canceled" if caller == "owner" and function == "cancelOrder" else "pending_payment")


@pytest.mark.parametrize("function", ["placeOrder", "listOrders", "listSellerOrders"])
@pytest.mark.parametrize("caller", ["none", "owner", "other", "seller", "expired"])
def test_order_functions_by_role(market, function, caller):
    cast = Cast(market)
    mine = cast.order()
    payload = {"items": [{"productId": cast.product["id"], "quantity": 1}], "shipping": SHIPPING} \
        if function == "placeOrder" else {}
    result = market.shop.call(function, payload, token=cast.tokens[caller])
    wants_seller = function == "listSellerOrders"
    if caller in ("none", "expired"):
        result.problem(*EXPECTED[caller])
    elif (caller == "seller") != wants_seller:
        result.problem(403, "forbidden_role", 77)
    else:
        assert result.code == 0, result.stdout
        if function == "listOrders":
            assert [o["id"] for o in result.body["items"]] == ([mine["id"]] if caller == "owner" else [])
        if function == "listSellerOrders":
            assert [o["id"] for o in result.body["items"]] == [mine["id"]]
    placed = 2 if function == "placeOrder" and caller in ("owner", "other") else 1
    assert market.shop.sql("SELECT count(*) FROM orders") == [(placed,)]


def test_sellers_see_only_their_lines_and_no_address_before_payment(market):
    mine, theirs = market.product(stock=5, price=1000), market.product(stock=5, price=7000, seller=market.other_seller)
    order = market.place([(mine, 1), (theirs, 2)]).body
    market.place([(theirs, 1)], token=market.other_buyer)
    listed = market.shop.call("listSellerOrders", {}, token=market.seller)
    assert listed.code == 0
    assert [o["id"] for o in listed.body["items"]] == [order["id"]]
    view = listed.body["items"][0]
    assert [line["productId"] for line in view["items"]] == [mine["id"]] and view["total"] == 1000
    assert view["shipping"] is None, "an unpaid buyer's address stays hidden"
    assert "userId" not in view and "phone" not in json.dumps(view)
    other = market.shop.call("listSellerOrders", {"limit": 1}, token=market.other_seller)
    assert len(other.body["items"]) == 1 and other.body["nextCursor"]
    rest = market.shop.call("listSellerOrders", {"limit": 1, "cursor": other.body["nextCursor"]},
                            token=market.other_seller)
    assert [o["id"] for o in other.body["items"] + rest.body["items"]] != [] and rest.body["nextCursor"] is None
    assert all(line["sellerId"] == theirs["sellerId"] for o in other.body["items"] + rest.body["items"]
               for line in o["items"])


def test_orders_expire_from_cron_and_race_cancels_cleanly(market):
    towels = market.product(stock=100)
    env = {"BAZAAR_ORDER_TTL": "1"}
    ids = []
    for _ in range(30):
        placed = market.shop.call("placeOrder", {"items": [{"productId": towels["id"], "quantity": 2}],
                                                 "shipping": SHIPPING}, token=market.buyer, env=env)
        assert placed.code == 0
        ids.append(placed.body["id"])
    assert market.stock(towels) == (100, 60)
    time.sleep(1.1)
    cancel_env = {**market.shop.env, "BAZAAR_TOKEN": market.buyer}
    commands = [([str(ROOT / "functions/cancelOrder")], json.dumps({"id": i}), cancel_env) for i in ids]
    commands += [([str(BIN), "orders", "expire"], "", market.shop.env)] * 4
    results = run_all(commands)
    cancels, expiries = results[:30], results[30:]
    assert all(code == 0 for code, _, _ in expiries), expiries
    expired = sum(json.loads(out)["expired"] for _, out, _ in expiries)
    canceled = sum(1 for code, _, _ in cancels if code == 0)
    refused = [json.loads(out) for code, out, _ in cancels if code != 0]
    assert all(p["code"] == "order_not_cancelable" for p in refused), refused[:1]
    assert canceled + expired == 30, "each order was canceled or expired, exactly once"
    assert market.stock(towels) == (100, 0)
    events = market.shop.sql("SELECT type, count(*) FROM outbox GROUP BY type ORDER BY type")
    assert dict(events) == {"order.placed": 30, **({"order.canceled": canceled} if canceled else {}),
                            **({"order.expired": expired} if expired else {})}
    assert json.loads(market.shop.bazaar("orders", "expire").stdout) == {"expired": 0}


def test_a_refused_change_leaves_no_event(market):
    towels = market.product(stock=1)
    assert market.place([(towels, 2)]).code == 65
    assert market.shop.call("cancelOrder", {"id": "ord_" + "0" * 26}, token=market.buyer).code == 65
    assert json.loads(market.shop.bazaar("outbox", "stats").stdout)["pending"] == 0


def spool_events(shop, queue="orders"):
    """Every event id waiting in a queue (the relay's output), with repeats, as `queue peek` shows them."""
    peek = shop.bazaar("queue", "peek", queue, "--limit", "100000")
    assert peek.code == 0, peek.stdout
    return [message["message"]["id"] for message in peek.body["messages"]]


def test_the_relay_loses_no_event_when_killed(market):
    """Events written with 120 orders and 40 cancels; the relay is SIGKILLed at random moments
    (and stopped between publishing and marking) at least 20 times, then runs to the end: every
    event reaches the queue, some more than once (at-least-once), and the duplicates are counted."""
    towels = market.product(stock=1000)
    env = {**market.shop.env, "BAZAAR_TOKEN": market.buyer}
    body = json.dumps({"items": [{"productId": towels["id"], "quantity": 1}], "shipping": SHIPPING})
    # Setup, in waves of 24 processes: 120 writers at once on a loaded 2-core runner can queue past
    # the 5 s busy timeout (503 store_busy, exit 75, as documented); the oversell tests cover racing writers.
    placed = [result for _ in range(5) for result in run_all([([str(ROOT / "functions/placeOrder")], body, env)] * 24)]
    orders = [json.loads(out)["id"] for code, out, _ in placed if code == 0]
    assert len(orders) == 120, [(code, out, err) for code, out, err in placed if code != 0][:3]
    for order in orders[:40]:
        assert market.shop.call("cancelOrder", {"id": order}, token=market.buyer).code == 0
    expected = {row[0] for row in market.shop.sql("SELECT id FROM outbox")}
    assert len(expected) == 160
    rng = random.Random(20261127)
    relay = [str(BIN), "outbox", "relay", "--once", "--lease", "0.2"]
    kills = 0
    for attempt in range(30):
        if attempt % 5 == 4:  # a crash exactly between publishing a batch and marking it
            crashed = subprocess.run(relay, env={**market.shop.env, "BAZAAR_OUTBOX_FAULT": "after-publish"},
                                     capture_output=True, timeout=60)
            assert crashed.returncode in (0, 86)
            kills += crashed.returncode == 86
        else:
            proc = subprocess.Popen(relay, env=market.shop.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.0, 0.03))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.wait(timeout=30)
        time.sleep(0.25)  # leases held by the killed relay pass
    assert kills >= 20
    final = market.shop.bazaar("outbox", "relay", "--once", "--lease", "0.2")
    assert final.code == 0 and final.body["pending"] == 0
    seen = spool_events(market.shop)
    assert set(seen) == expected, "no event lost"
    duplicates = len(seen) - len(set(seen))
    print(f"relay: {kills} kills, {len(seen)} messages for {len(expected)} events, {duplicates} duplicates")
    assert json.loads(market.shop.bazaar("outbox", "stats").stdout) == {
        "pending": 0, "oldestPendingAgeSeconds": None, "relayed": 160}
