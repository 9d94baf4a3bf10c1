"""Payments end to end: the built binary, the KakaoPay adapter, and either Bazaar's sandbox
(`bazaar up`, `bazaar sandbox kakaopay`) or a KakaoPay fake written from the documentation
alone (kakaopay_fake.py). Every gateway outcome the issue lists has a test here."""

import json
import os
import signal
import sqlite3
import subprocess
import threading
import time
import urllib.parse

import pytest

from conftest import BIN, ROOT, SECRET, Shop, chromium
from http_client import Client, Runner, free_port
from kakaopay_fake import FakeKakaoPay
from test_orders import SHIPPING, Market


def curl(url, method="GET", headers=()):
    """One request, no redirects followed: (status, headers, body text)."""
    args = ["curl", "-s", "-i", "-X", method, url, "--max-time", "30"]
    for header in headers:
        args += ["-H", header]
    out = subprocess.run(args, capture_output=True, timeout=60).stdout.decode()
    head, _, text = out.replace("\r\n", "\n").partition("\n\n")
    lines = head.split("\n")
    found = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        found[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), found, text


def callback_path(url):
    """The shop-relative path and query of a callback URL."""
    parts = urllib.parse.urlsplit(url)
    return parts.path + "?" + parts.query


class Checkout:
    """A market whose buyer has an order, and a way to pay it over HTTP."""

    def __init__(self, market: Market, http: Client):
        self.market, self.http = market, http
        self.product = market.product(stock=5, price=32000, name="청송 사과 5kg")
        placed = market.place([(self.product, 2)])
        assert placed.code == 0, placed.stdout
        self.order = placed.body

    def pay(self, token=None, order=None):
        return self.http("POST", f"/orders/{(order or self.order)['id']}/payment", {}, token=token or self.market.buyer)

    def checkout(self, ready, action="approve"):
        """The buyer on the sandbox's page: where the browser is sent next (the Location)."""
        status, headers, _ = curl(ready["redirectUrls"]["pc"] + f"&auto={action}")
        assert status == 303, (status, headers)
        return headers["location"]

    def order_status(self):
        return self.market.shop.sql("SELECT status FROM orders WHERE id = ?", self.order["id"])[0][0]

    def events(self):
        return [t for (t,) in self.market.shop.sql("SELECT type FROM outbox ORDER BY seq")]


@pytest.fixture
def up(shop):
    # Without the storefront, a browser gets the callback's own page rather than a 303 to it.
    runner = Runner(shop, command="up", args=("--no-storefront",), env={"KAKAOPAY_TIMEOUT": "2"})
    yield runner
    runner.stop()


@pytest.fixture
def checkout(shop, up):
    market = Market(shop)
    return Checkout(market, up.http)


def gateway_calls(runner, endpoint):
    return [l for l in runner.access() if l["path"] == f"/sandbox/kakaopay/online/v1/payment/{endpoint}"]


def test_pay_through_the_sandbox_approve_and_the_order_is_paid_with_its_events(checkout, up, shop):
    status, _, ready = checkout.pay()
    assert status == 200, ready
    assert ready["status"] == "ready" and ready["sandbox"] is True and ready["amount"] == 64000
    assert ready["orderId"] == checkout.order["id"] and ready["id"].startswith("pay_")
    assert set(ready["redirectUrls"]) == {"pc", "mobile", "app"}
    assert ready["redirectUrls"]["pc"].startswith(f"http://127.0.0.1:{up.port}/sandbox/kakaopay/checkout/T")
    # Paying again while that payment is ready answers the same payment, without a second ready.
    again = checkout.pay()
    assert again[0] == 200 and again[2] == ready
    assert len(gateway_calls(up, "ready")) == 1
    # The ready call carried the server's total and the partner ids; the key never shows.
    tid, total, user, order = sqlite3.connect(shop.home / "var" / "kakaopay-sandbox.sqlite").execute(
        "SELECT tid, total, partner_user_id, partner_order_id FROM payments").fetchone()
    assert (total, order) == (64000, checkout.order["id"]) and user.startswith("usr_")

    location = checkout.checkout(ready)
    assert location.startswith(f"http://127.0.0.1:{up.port}/payments/kakaopay/approve?state=pay_")
    assert "&pg_token=" in location and checkout.order["id"] not in location
    status, _, done = up.http("GET", callback_path(location))
    assert status == 200, done
    assert done["result"] == "completed" and done["status"] == "completed"
    assert done["orderStatus"] in ("paid", "shipped")  # the scheduler in `bazaar up` may have shipped it
    assert done["method"] == "MONEY" and done["approvedAt"]
    assert checkout.events()[:3] == ["order.placed", "payment.completed", "order.paid"]
    status, _, payment = up.http("GET", f"/orders/{checkout.order['id']}/payment", token=checkout.market.buyer)
    assert status == 200 and payment["status"] == "completed" and "redirectUrls" not in payment

    # A browser refresh shows the same outcome and never calls approve again.
    status, _, refreshed = up.http("GET", callback_path(location))
    assert status == 200 and {**refreshed, "orderStatus": None} == {**done, "orderStatus": None}
    assert len(gateway_calls(up, "approve")) == 1
    # A paid order is not payable again.
    status, _, problem = checkout.pay()
    assert status == 409 and problem["code"] == "order_not_payable"

    # The scheduler inside `bazaar up` relays payment.completed to the payments queue, consumes
    # it (recording it as processed) and ships the order.
    (event_id,) = shop.sql("SELECT id FROM outbox WHERE type = 'payment.completed'")[0]
    deadline = time.monotonic() + 10
    while checkout.order_status() != "shipped":
        assert time.monotonic() < deadline, checkout.events()
        time.sleep(0.05)
    assert shop.sql("SELECT consumer FROM processed_events WHERE event_id = ?", event_id) == [("shipments.request",)]
    assert shop.sql("SELECT status FROM shipments") == [("started",)]
    assert "DEVSANDBOX" not in (shop.home / f"{up.log_path.name}").read_text()


def query_of(url):
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def test_cancel_and_fail_callbacks_leave_the_order_payable_and_a_forged_state_changes_nothing(checkout, up):
    status, _, first = checkout.pay()
    location = checkout.checkout(first, "cancel")
    assert location.startswith(f"http://127.0.0.1:{up.port}/payments/kakaopay/cancel?state=pay_")
    assert "pg_token" not in location
    status, _, canceled = up.http("GET", callback_path(location))
    assert status == 200 and canceled["result"] == "canceled" and canceled["status"] == "canceled"
    assert canceled["failure"]["reason"] == "buyer_canceled" and canceled["orderStatus"] == "pending_payment"
    assert checkout.order_status() == "pending_payment"

    # Paying again starts a new payment; its fail callback ends that one.
    status, _, second = checkout.pay()
    assert status == 200 and second["id"] != first["id"] and second["status"] == "ready"
    location = checkout.checkout(second, "fail")
    status, _, failed = up.http("GET", callback_path(location))
    assert status == 200 and failed["result"] == "failed" and failed["orderStatus"] == "pending_payment"

    # A third attempt; before it is approved, states that are not its own are refused.
    status, _, third = checkout.pay()
    approve = checkout.checkout(third)
    state = query_of(approve)["state"]
    payment_id, secret = state.split(".")
    before = checkout.market.shop.sql("SELECT id, status, updated_at FROM payments ORDER BY seq")
    for forged in [payment_id + "." + secret[:-1] + ("A" if secret[-1] != "A" else "B"), payment_id, "pay_x.y",
                   first["id"] + "." + secret, "", "../etc"]:
        query = urllib.parse.urlencode({"state": forged, "pg_token": query_of(approve)["pg_token"]})
        status, _, problem = up.http("GET", "/payments/kakaopay/approve?" + query)
        assert (status, problem["code"]) in ((404, "payment_state_invalid"), (422, "validation_failed")), problem
    status, _, problem = up.http("GET", "/payments/kakaopay/approve?state=" + urllib.parse.quote(state))
    assert status == 422 and problem["errors"][0]["field"] == "pg_token"
    assert checkout.market.shop.sql("SELECT id, status, updated_at FROM payments ORDER BY seq") == before
    assert len(gateway_calls(up, "approve")) == 0
    # The old payment's own callback shows its recorded outcome and approves nothing.
    status, _, old = up.http("GET", callback_path(location))
    assert status == 200 and old["id"] == second["id"] and old["result"] == "failed"
    # The real one still works.
    status, _, done = up.http("GET", callback_path(approve))
    assert status == 200 and done["result"] == "completed" and checkout.order_status() in ("paid", "shipped")


def test_a_browser_gets_a_page_or_is_sent_to_the_return_url(shop):
    runner = Runner(shop, command="up",
                    env={"BAZAAR_PAYMENT_RETURN_URL": "https://shop.example/orders/done?from=pay"})
    try:
        market = Market(shop)
        flow = Checkout(market, runner.http)
        status, _, ready = flow.pay()
        location = flow.checkout(ready)
        status, headers, _ = curl(location, headers=["Accept: text/html"])
        assert status == 303 and headers["cache-control"] == "no-store"
        target = headers["location"]
        assert target.startswith("https://shop.example/orders/done?from=pay&")
        assert query_of(target) == {"from": "pay", "orderId": flow.order["id"], "payment": "completed"}
    finally:
        runner.stop()
    runner = Runner(shop, command="up", args=("--no-storefront",))
    try:
        flow = Checkout(market, runner.http)
        status, _, ready = flow.pay()
        location = flow.checkout(ready, "cancel")
        status, headers, page = curl(location, headers=["Accept: text/html,application/xhtml+xml"])
        assert status == 200 and headers["content-type"].startswith("text/html")
        assert "default-src 'none'" in headers["content-security-policy"] and headers["cache-control"] == "no-store"
        assert "Payment canceled" in page and flow.order["id"] in page and "<script" not in page
        status, headers, body = curl(location, headers=["Accept: application/json"])
        assert status == 200 and json.loads(body)["result"] == "canceled"
    finally:
        runner.stop()


def test_refund_cancels_a_paid_order_releases_its_stock_and_emits_both_events(shop):
    """Through the shell runner (no scheduler runs, so nothing ships the order first)."""
    sandbox = Sandbox(shop.home)
    try:
        flow = ShellCheckout(shop, sandbox.base)
        ready = flow.pay()
        assert shop.call("approvePayment", flow.approve_args(ready.body)).body["result"] == "completed"
        assert flow.market.stock(flow.product) == (5, 2)
        canceled = shop.call("cancelOrder", {"id": flow.order["id"]}, token=flow.market.buyer)
        assert canceled.code == 0 and canceled.body["status"] == "canceled", canceled.stdout
        assert canceled.body["payment"]["status"] == "canceled"
        assert flow.market.stock(flow.product) == (5, 0)
        payment = flow.get().body
        assert payment["status"] == "canceled" and payment["canceledAmount"] == 64000 and payment["canceledAt"]
        assert [t for (t,) in shop.sql("SELECT type FROM outbox ORDER BY seq")] == [
            "order.placed", "payment.completed", "order.paid", "payment.canceled", "order.canceled"]
        assert sandbox.status() == [("CANCEL_PAYMENT",)]
        # Canceling again is refused and refunds nothing more.
        shop.call("cancelOrder", {"id": flow.order["id"]}, token=flow.market.buyer).problem(
            409, "order_not_cancelable", 65)
        # The scheduler then finds a payment.completed for an order no longer paid: no shipment.
        passed = shop.bazaar("scheduler", "--once")
        assert passed.code == 0 and passed.body["shipmentsRequested"] == 0, passed.stdout
        assert shop.sql("SELECT count(*) FROM shipments") == [(0,)]
    finally:
        sandbox.stop()


def test_canceling_an_unpaid_order_cancels_its_ready_payment_and_its_callback_is_refused(checkout, up):
    status, _, ready = checkout.pay()
    location = checkout.checkout(ready)
    status, _, order = up.http("POST", f"/orders/{checkout.order['id']}/cancel", {}, token=checkout.market.buyer)
    assert status == 200 and order["status"] == "canceled"
    status, _, late = up.http("GET", callback_path(location))
    assert status == 200 and late["result"] == "canceled" and late["failure"]["reason"] == "order_canceled"
    assert len(gateway_calls(up, "approve")) == 0 and checkout.order_status() == "canceled"


def test_two_approvals_at_once_charge_once(checkout, up):
    status, _, ready = checkout.pay()
    location = checkout.checkout(ready)
    results = []
    threads = [threading.Thread(target=lambda: results.append(up.http("GET", callback_path(location))))
               for _ in range(6)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert all(status == 200 for status, _, _ in results), results
    assert {body["result"] for _, _, body in results} <= {"completed", "pending"}
    assert len(gateway_calls(up, "approve")) == 1
    status, _, payment = up.http("GET", f"/orders/{checkout.order['id']}/payment", token=checkout.market.buyer)
    assert payment["status"] == "completed" and checkout.order_status() in ("paid", "shipped")
    assert checkout.events().count("payment.completed") == 1


def test_authorization_matrix_of_the_payment_functions(checkout, up):
    market = checkout.market
    order = checkout.order["id"]
    for method, path in [("POST", f"/orders/{order}/payment"), ("GET", f"/orders/{order}/payment")]:
        body = {} if method == "POST" else None
        status, _, problem = up.http(method, path, body)
        assert status == 401 and problem["code"] == "unauthenticated"
        status, _, problem = up.http(method, path, body, token=market.seller)
        assert status == 403 and problem["code"] == "forbidden_role", problem
        status, _, problem = up.http(method, path, body, token=market.other_buyer)
        assert status == 404 and problem["code"] == "order_not_found"
    status, _, problem = up.http("GET", f"/orders/{order}/payment", token=market.buyer)
    assert status == 404 and problem["code"] == "payment_not_found"
    # The callbacks are public: bound by their state, not a token.
    status, _, problem = up.http("GET", "/payments/kakaopay/cancel?state=pay_00000000000000000000000000.x",
                                 token=market.other_buyer)
    assert status == 404 and problem["code"] == "payment_state_invalid"


class Sandbox:
    """`bazaar sandbox kakaopay` as its own process (a gateway that can be stopped and slowed)."""

    def __init__(self, home, port=0, args=()):
        self.home = home
        self.port = port or free_port()
        self.args = args
        self.database = home / f"sandbox-{self.port}.sqlite"
        self.start()

    def start(self):
        self.log_path = self.home / f"sandbox-{time.monotonic_ns()}.log"
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(
                [str(BIN), "sandbox", "kakaopay", "--port", str(self.port), "--secret-key", "DEVKEY123",
                 "--database", str(self.database), "--control", *self.args],
                env={"PATH": os.environ["PATH"], "BAZAAR_HOME": str(self.home)}, stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + 30
        while '"listening"' not in self.log_path.read_text():
            assert self.proc.poll() is None and time.monotonic() < deadline, self.log_path.read_text()
            time.sleep(0.02)
        self.base = f"http://127.0.0.1:{self.port}"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)

    def delays(self, **seconds):
        status, _, _ = Client(self.base)("PUT", "/_control/delays", seconds)
        assert status == 200

    def status(self):
        return sqlite3.connect(self.database).execute("SELECT status FROM payments").fetchall()


class ShellCheckout:
    """A market paying through the shell runner (`functions/NAME`), with a gateway configured
    by the environment, as cron or a CGI deployment runs it."""

    def __init__(self, shop, base, timeout="1", key="DEVKEY123"):
        self.shop = shop
        self.market = Market(shop)
        shop.env.update({"KAKAOPAY_SECRET_KEY": key, "KAKAOPAY_BASE_URL": base, "KAKAOPAY_TIMEOUT": timeout,
                         "BAZAAR_PUBLIC_URL": "https://shop.example"})
        self.product = self.market.product(stock=5, price=32000)
        placed = self.market.place([(self.product, 2)])
        assert placed.code == 0, placed.stdout
        self.order = placed.body

    def pay(self):
        return self.shop.call("pay", {"id": self.order["id"]}, token=self.market.buyer)

    def get(self):
        return self.shop.call("getPayment", {"id": self.order["id"]}, token=self.market.buyer)

    def approve_args(self, ready):
        """Follow the sandbox's page with Approve: the callback's state and pg_token."""
        status, headers, _ = curl(ready["redirectUrls"]["pc"] + "&auto=approve")
        assert status == 303, status
        return query_of(headers["location"])

    def order_status(self):
        return self.shop.sql("SELECT status FROM orders WHERE id = ?", self.order["id"])[0][0]


@pytest.fixture
def sandbox(shop):
    process = Sandbox(shop.home)
    yield process
    process.stop()


def test_the_shell_runner_pays_through_the_adapter_and_the_sandbox(shop, sandbox):
    flow = ShellCheckout(shop, sandbox.base)
    ready = flow.pay()
    assert ready.code == 0, ready.stdout + ready.stderr
    assert ready.body["sandbox"] is False and ready.body["redirectUrls"]["pc"].startswith(sandbox.base + "/checkout/T")
    callback = flow.approve_args(ready.body)
    done = shop.call("approvePayment", callback)
    assert done.code == 0 and done.body["result"] == "completed", done.stdout
    assert flow.order_status() == "paid" and sandbox.status() == [("SUCCESS_PAYMENT",)]
    assert "DEVKEY123" not in ready.stderr + done.stderr + ready.stdout + done.stdout
    # The relay carries payment.completed into the spool's payments queue.
    relayed = shop.bazaar("outbox", "relay", "--once")
    assert relayed.code == 0 and relayed.body["relayed"] == 3, relayed.stdout + relayed.stderr
    waiting = [m["message"] for m in shop.bazaar("queue", "peek", "payments").body["messages"]]
    assert [e["type"] for e in waiting] == ["payment.completed"]
    assert waiting[0]["data"]["orderId"] == flow.order["id"] and waiting[0]["data"]["amount"] == 64000


def test_approving_a_tid_the_gateway_expired_fails_the_payment_and_the_order_stays_payable(shop):
    expiring = Sandbox(shop.home, args=("--ready-ttl", "1"))
    try:
        flow = ShellCheckout(shop, expiring.base)
        ready = flow.pay()
        callback = flow.approve_args(ready.body)
        time.sleep(1.2)
        done = shop.call("approvePayment", callback)
        assert done.code == 0 and done.body["result"] == "failed", done.stdout
        assert done.body["failure"]["reason"] == "payment_expired" and flow.order_status() == "pending_payment"
        again = flow.pay()
        assert again.code == 0 and again.body["id"] != ready.body["id"]
    finally:
        expiring.stop()


def test_our_own_ready_expiry_refuses_without_calling_approve(shop, sandbox):
    flow = ShellCheckout(shop, sandbox.base)
    shop.env["KAKAOPAY_READY_TTL"] = "1"
    ready = flow.pay()
    callback = flow.approve_args(ready.body)
    time.sleep(1.2)
    done = shop.call("approvePayment", callback)
    assert done.body["result"] == "failed" and done.body["failure"]["reason"] == "payment_expired"
    assert sandbox.status() == [("AUTH_PASSWORD",)]


def test_gateway_down_is_503_then_the_payment_is_reconciled_once_it_is_back(shop, sandbox):
    flow = ShellCheckout(shop, sandbox.base)
    ready = flow.pay()
    callback = flow.approve_args(ready.body)
    sandbox.stop()
    refused = flow.pay()
    assert refused.code == 0 and refused.body["id"] == ready.body["id"]  # still ready: same answer, no call
    other = flow.market.place([(flow.product, 1)])
    down = shop.call("pay", {"id": other.body["id"]}, token=flow.market.buyer)
    down.problem(503, "payment_gateway_unavailable", 75)
    approving = shop.call("approvePayment", callback)
    approving.problem(503, "payment_gateway_unavailable", 75)
    assert shop.sql("SELECT status FROM payments WHERE id = ?", ready.body["id"]) == [("approving",)]
    assert flow.order_status() == "pending_payment"
    # The sweep leaves an order alone while its approval is in flight.
    shop.sql("UPDATE orders SET expires_at = created_at + 1 WHERE id = ?", flow.order["id"])
    assert shop.bazaar("orders", "expire").body["expired"] == 0
    sandbox.start()
    time.sleep(3.1)  # KAKAOPAY_TIMEOUT (1 s) + 2 s: the call counts as lost
    settled = flow.get()
    assert settled.code == 0, settled.stdout
    # The approve never reached the gateway: the payment is ready again and the callback works.
    assert settled.body["status"] == "ready"
    done = shop.call("approvePayment", callback)
    assert done.body["result"] == "completed" and flow.order_status() == "paid"


def test_a_gateway_timeout_is_503_and_reconciliation_finds_the_approval(shop, sandbox):
    flow = ShellCheckout(shop, sandbox.base)
    ready = flow.pay()
    callback = flow.approve_args(ready.body)
    sandbox.delays(approve=4)
    started = time.monotonic()
    slow = shop.call("approvePayment", callback)
    slow.problem(503, "payment_gateway_unavailable", 75)
    assert time.monotonic() - started < 3.5
    assert "within 1 s" in slow.body["detail"]
    time.sleep(3.1)
    assert sandbox.status() == [("SUCCESS_PAYMENT",)]
    reconciled = shop.bazaar("payments", "reconcile", "--once")
    assert reconciled.code == 0 and reconciled.body["completed"] == 1, reconciled.stdout + reconciled.stderr
    assert flow.order_status() == "paid"
    assert [t for (t,) in shop.sql("SELECT type FROM outbox ORDER BY seq")][-2:] == ["payment.completed", "order.paid"]
    # The browser's refresh of the same callback now shows the outcome.
    assert shop.call("approvePayment", callback).body["result"] == "completed"


def test_a_crash_between_the_gateways_answer_and_our_commit_is_reconciled(shop, sandbox):
    flow = ShellCheckout(shop, sandbox.base, timeout="10")
    ready = flow.pay()
    callback = flow.approve_args(ready.body)
    sandbox.delays(approve=3)
    proc = subprocess.Popen([str(ROOT / "functions" / "approvePayment")], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=shop.env)
    proc.stdin.write(json.dumps(callback).encode())
    proc.stdin.close()
    deadline = time.monotonic() + 10
    while sandbox.status() != [("SUCCESS_PAYMENT",)]:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    proc.kill()  # the gateway approved; our process dies before it hears so
    proc.wait()
    proc.stdout.close()
    proc.stderr.close()
    assert shop.sql("SELECT status FROM payments") == [("approving",)] and flow.order_status() == "pending_payment"
    early = shop.bazaar("payments", "reconcile", "--once")
    assert early.body["checked"] == 0  # not yet lost: the call may still be running
    shop.sql("UPDATE payments SET attempted_at = attempted_at - 60000")
    reconciled = shop.bazaar("payments", "reconcile", "--once")
    assert reconciled.body["completed"] == 1, reconciled.stdout
    assert flow.order_status() == "paid" and shop.sql("SELECT status FROM payments") == [("completed",)]
    again = shop.bazaar("payments", "reconcile", "--once")
    assert again.body["checked"] == 0


def test_no_key_means_no_payments_outside_bazaar_up(shop):
    market = Market(shop)
    product = market.product()
    order = market.place([(product, 1)]).body
    shell = shop.call("pay", {"id": order["id"]}, token=market.buyer)
    shell.problem(500, "payment_not_configured", 70)
    assert "KAKAOPAY_SECRET_KEY" in shell.body["detail"]
    keyed = shop.call("pay", {"id": order["id"]}, token=market.buyer, env={"KAKAOPAY_SECRET_KEY": "DEVKEY123"})
    keyed.problem(500, "payment_not_configured", 70)
    assert "BAZAAR_PUBLIC_URL" in keyed.body["detail"] and "DEVKEY123" not in keyed.stdout + keyed.stderr
    server = Runner(shop)
    try:
        status, _, problem = server.http("POST", f"/orders/{order['id']}/payment", {}, token=market.buyer)
        assert status == 500 and problem["code"] == "payment_not_configured"
        status, _, _ = server.http("GET", "/sandbox/kakaopay/")
        assert status == 404
    finally:
        server.stop()


@pytest.fixture
def fake():
    gateway = FakeKakaoPay(key="DEVKEY123")
    yield gateway
    gateway.close()


def test_the_adapter_speaks_the_documented_wire_format(shop, fake):
    flow = ShellCheckout(shop, fake.base)
    ready = flow.pay()
    assert ready.code == 0, ready.stdout + ready.stderr
    (endpoint, headers, body), = fake.calls
    assert endpoint == "ready" and headers["Authorization"] == "SECRET_KEY DEVKEY123"
    assert headers["Content-Type"] == "application/json"
    assert body["cid"] == "TC0ONETIME" and body["partner_order_id"] == flow.order["id"]
    assert body["partner_user_id"] == flow.order["userId"] and body["total_amount"] == 64000
    assert body["tax_free_amount"] == 0 and body["quantity"] == 2 and body["item_name"] == "Cotton towel"
    state = query_of(body["approval_url"])["state"]
    assert body["approval_url"] == "https://shop.example/payments/kakaopay/approve?state=" + state
    assert body["cancel_url"].endswith("/cancel?state=" + state) and body["fail_url"].endswith("/fail?state=" + state)
    assert len(state.split(".")[1]) >= 43
    done = shop.call("approvePayment", {"state": state, "pg_token": "abc123"})
    assert done.body["result"] == "completed" and done.body["method"] == "CARD"
    assert fake.calls_to("approve") == [{"cid": "TC0ONETIME", "tid": list(fake.payments)[0],
                                         "partner_order_id": flow.order["id"], "partner_user_id": flow.order["userId"],
                                         "pg_token": "abc123"}]
    refund = shop.call("cancelOrder", {"id": flow.order["id"]}, token=flow.market.buyer)
    assert refund.body["status"] == "canceled", refund.stdout
    assert fake.calls_to("cancel")[0]["cancel_amount"] == 64000 and fake.calls_to("cancel")[0]["cancel_tax_free_amount"] == 0


def test_an_approved_amount_other_than_the_orders_is_refunded_at_once(shop, fake):
    flow = ShellCheckout(shop, fake.base)
    ready = flow.pay()
    state = query_of(fake.calls_to("ready")[0]["approval_url"])["state"]
    original = fake.approve
    fake.script["approve"] = lambda body: (lambda status, answer: (status, {**answer, "amount": {"total": 100}}))(
        *original(body))
    done = shop.call("approvePayment", {"state": state, "pg_token": "abc123"})
    assert done.code == 0 and done.body["result"] == "failed" and done.body["failure"]["reason"] == "amount_mismatch"
    assert flow.order_status() == "pending_payment"
    assert [c["cancel_amount"] for c in fake.calls_to("cancel")] == [100]
    alert = [json.loads(l) for l in done.stderr.splitlines() if '"error"' in l]
    assert alert and alert[0]["level"] == "error" and "mismatch" in alert[0]["message"]
    assert [t for (t,) in shop.sql("SELECT type FROM outbox")] == ["order.placed"]


@pytest.mark.parametrize("status, body, problem, exit_code", [
    (400, {"code": -797, "msg": "limit exceeded", "extras": {"method_result_code": "X", "method_result_message": "monthly"}},
     (502, "payment_gateway_rejected"), 70),
    (400, {"error_code": -731, "error_message": "invalid cid"}, (500, "payment_not_configured"), 70),
    (401, {"error_code": "UNAUTHORIZED", "error_message": "bad key"}, (500, "payment_not_configured"), 70),
    (400, {"error_code": "-798", "error_message": "ip not allowed"}, (500, "payment_not_configured"), 70),
    (500, {"msg": "internal"}, (503, "payment_gateway_unavailable"), 75),
    (502, None, (503, "payment_gateway_unavailable"), 75),
    (200, {"unexpected": True}, (503, "payment_gateway_unavailable"), 75),
])
def test_gateway_errors_in_either_shape_map_to_problems(shop, fake, status, body, problem, exit_code):
    flow = ShellCheckout(shop, fake.base)
    fake.script["ready"] = lambda _: (status, body)
    result = flow.pay()
    result.problem(*problem, exit_code)
    assert "DEVKEY123" not in result.stdout + result.stderr
    assert shop.sql("SELECT count(*) FROM payments") == [(0,)]


def test_approve_errors_end_the_payment_with_the_gateways_reason(shop, fake):
    flow = ShellCheckout(shop, fake.base)
    flow.pay()
    state = query_of(fake.calls_to("ready")[0]["approval_url"])["state"]
    fake.script["approve"] = lambda _: (400, {"code": -708, "msg": "invalid pg_token"})
    done = shop.call("approvePayment", {"state": state, "pg_token": "wrong"})
    assert done.body["result"] == "failed" and done.body["failure"]["reason"] == "not_authenticated"
    assert "invalid pg_token" in done.body["failure"]["message"]


def test_an_already_approved_answer_is_reconciled_never_charged_twice(shop, fake):
    flow = ShellCheckout(shop, fake.base)
    flow.pay()
    state = query_of(fake.calls_to("ready")[0]["approval_url"])["state"]
    tid = list(fake.payments)[0]
    fake.approve({"tid": tid, "cid": "TC0ONETIME", "partner_order_id": "x", "partner_user_id": "y"})
    done = shop.call("approvePayment", {"state": state, "pg_token": "abc"})
    assert done.body["result"] == "completed", done.stdout
    assert [name for name, _, _ in fake.calls] == ["ready", "approve", "order"]
    assert flow.order_status() == "paid"


def test_a_slow_gateway_does_not_stall_reads(shop, fake):
    """8 pay calls hang on the gateway; GET /products/{id} keeps answering meanwhile."""
    market = Market(shop)
    product = market.product(stock=50)
    orders = [market.place([(product, 1)]).body for _ in range(8)]
    fake.hang["ready"] = 6
    server = Runner(shop, env={"KAKAOPAY_SECRET_KEY": "DEVKEY123", "KAKAOPAY_BASE_URL": fake.base,
                                    "BAZAAR_PUBLIC_URL": "https://shop.example", "KAKAOPAY_TIMEOUT": "10"})
    try:
        answers = []
        payers = [threading.Thread(target=lambda o=o: answers.append(
            server.http("POST", f"/orders/{o['id']}/payment", {}, token=market.buyer))) for o in orders]
        [t.start() for t in payers]
        deadline = time.monotonic() + 5
        while len(fake.calls_to("ready")) < 8:
            assert time.monotonic() < deadline, len(fake.calls)
            time.sleep(0.02)
        started = time.monotonic()
        reads = []
        for _ in range(20):
            t0 = time.monotonic()
            status, _, got = server.http("GET", f"/products/{product['id']}")
            reads.append(time.monotonic() - t0)
            assert status == 200 and got["id"] == product["id"]
        assert len(answers) == 0, "the reads finished while every pay call was still blocked"
        assert time.monotonic() - started < 3 and max(reads) < 1, reads
        [t.join() for t in payers]
        assert sorted(status for status, _, _ in answers) == [200] * 8
    finally:
        fake.hang.clear()
        server.stop()


def test_payment_samples_run_against_the_sandbox(shop, sandbox):
    """functions/samples for the payment functions, as the README shows them: PAYMENT_STATE and
    PG_TOKEN stand for what the sandbox's checkout page hands the browser."""
    samples = ROOT / "functions" / "samples"
    flow = ShellCheckout(shop, sandbox.base)
    for action, callback in [("cancel", "paymentCanceled"), ("fail", "paymentFailed"), ("approve", "approvePayment")]:
        raw = (samples / "pay.json").read_text().replace("ord_ORDER_ID", flow.order["id"])
        ready = shop.call("pay", raw=raw, token=flow.market.buyer)
        assert ready.code == 0, ready.stdout
        status, headers, _ = curl(ready.body["redirectUrls"]["pc"] + f"&auto={action}")
        arguments = query_of(headers["location"])
        raw = (samples / f"{callback}.json").read_text().replace("PAYMENT_STATE", arguments["state"])
        raw = raw.replace("PG_TOKEN", arguments.get("pg_token", ""))
        result = shop.call(callback, raw=raw)
        assert result.code == 0 and result.body["result"] == {"cancel": "canceled", "fail": "failed"}.get(
            action, "completed"), result.stdout
    raw = (samples / "getPayment.json").read_text().replace("ord_ORDER_ID", flow.order["id"])
    got = shop.call("getPayment", raw=raw, token=flow.market.buyer)
    assert got.code == 0 and got.body["status"] == "completed" and got.body["orderStatus"] == "paid"
    order = shop.call("getOrder", {"id": flow.order["id"]}, token=flow.market.buyer).body
    assert order["payment"] == {"id": got.body["id"], "status": "completed", "amount": 64000, "sandbox": False}


def test_a_real_browser_pays_on_the_sandbox_checkout_page(checkout, up):
    """Headless Chromium (Debian's, with Debian's chromedriver: Selenium never downloads one)
    opens pay's redirectUrls.pc, clicks Approve, and lands on the shop's return page."""
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    status, _, ready = checkout.pay()
    assert status == 200, ready
    options = Options()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=390,844"]:
        options.add_argument(argument)
    browser = chromium(options)
    try:
        browser.get(ready["redirectUrls"]["pc"])
        assert browser.find_element(By.ID, "amount").text == "64000"
        assert browser.find_element(By.ID, "item").text == "청송 사과 5kg"
        browser.find_element(By.ID, "approve").click()
        WebDriverWait(browser, 15).until(lambda b: "/payments/kakaopay/approve" in b.current_url)
        WebDriverWait(browser, 15).until(lambda b: b.find_elements(By.ID, "payment"))
        assert browser.find_element(By.ID, "payment").text == "completed"
        assert browser.find_element(By.ID, "orderId").text == checkout.order["id"]
        assert "Payment completed" in browser.find_element(By.TAG_NAME, "h1").text
    finally:
        browser.quit()
    assert checkout.order_status() in ("paid", "shipped")


def test_the_sandbox_answers_kakaopays_errors_in_its_wire_format(shop, sandbox):
    """The sandbox called directly as a merchant would: the documented refusals, by code."""
    api = Client(sandbox.base)
    key = ["Authorization: SECRET_KEY DEVKEY123"]
    ready = {"cid": "TC0ONETIME", "partner_order_id": "o1", "partner_user_id": "u1", "item_name": "Apples",
             "quantity": 1, "total_amount": 12000, "tax_free_amount": 0,
             "approval_url": "http://shop.test/ok", "cancel_url": "http://shop.test/c", "fail_url": "http://shop.test/f"}

    def code(answer):
        status, _, body = answer
        return status, body.get("error_code")

    assert code(api("POST", "/online/v1/payment/ready", ready, headers=["Authorization: SECRET_KEY wrong"])) == \
        (401, -730)
    assert code(api("POST", "/online/v1/payment/ready", raw="cid=TC0ONETIME", headers=key + [
        "Content-Type: application/x-www-form-urlencoded"])) == (400, -2)
    assert code(api("POST", "/online/v1/payment/ready", {**ready, "total_amount": None}, headers=key)) == (400, -2)
    status, _, answer = api("POST", "/online/v1/payment/ready", ready, headers=key)
    assert status == 200 and len(answer["tid"]) == 20 and answer["next_redirect_pc_url"].startswith(sandbox.base)
    tid = answer["tid"]
    approve = {"cid": "TC0ONETIME", "tid": tid, "partner_order_id": "o1", "partner_user_id": "u1", "pg_token": "x"}
    assert code(api("POST", "/online/v1/payment/approve", approve, headers=key)) == (400, -701)
    assert code(api("POST", "/online/v1/payment/approve", {**approve, "tid": "T0000000000000000000"},
                    headers=key)) == (400, -721)
    status, headers, _ = curl(answer["next_redirect_pc_url"] + "&auto=approve")
    token = query_of(headers["location"])["pg_token"]
    assert headers["location"] == "http://shop.test/ok?pg_token=" + token
    assert code(api("POST", "/online/v1/payment/approve", {**approve, "partner_user_id": "u2", "pg_token": token},
                    headers=key)) == (400, -707)
    assert code(api("POST", "/online/v1/payment/approve", approve, headers=key)) == (400, -708)
    status, _, approved = api("POST", "/online/v1/payment/approve", {**approve, "pg_token": token}, headers=key)
    assert status == 200 and approved["amount"]["total"] == 12000 and approved["aid"]
    assert code(api("POST", "/online/v1/payment/approve", {**approve, "pg_token": token}, headers=key)) == (400, -702)
    cancel = {"cid": "TC0ONETIME", "tid": tid, "cancel_amount": 12001, "cancel_tax_free_amount": 0}
    assert code(api("POST", "/online/v1/payment/cancel", cancel, headers=key)) == (400, -710)
    status, _, canceled = api("POST", "/online/v1/payment/cancel", {**cancel, "cancel_amount": 2000}, headers=key)
    assert status == 200 and canceled["status"] == "PART_CANCEL_PAYMENT"
    assert canceled["cancel_available_amount"]["total"] == 10000
    status, _, order = api("POST", "/online/v1/payment/order", {"cid": "TC0ONETIME", "tid": tid}, headers=key)
    assert status == 200 and order["status"] == "PART_CANCEL_PAYMENT" and order["canceled_amount"]["total"] == 2000
    assert [a["payment_action_type"] for a in order["payment_action_details"]] == ["PAYMENT", "CANCEL"]
    # A tid past its time cannot be approved: -723.
    expiring = Sandbox(shop.home, args=("--ready-ttl", "1"))
    try:
        fresh = Client(expiring.base)("POST", "/online/v1/payment/ready", ready, headers=key)[2]
        status, headers, _ = curl(fresh["next_redirect_pc_url"] + "&auto=approve")
        time.sleep(1.1)
        late = {**approve, "tid": fresh["tid"], "pg_token": query_of(headers["location"])["pg_token"]}
        assert code(Client(expiring.base)("POST", "/online/v1/payment/approve", late, headers=key)) == (400, -723)
    finally:
        expiring.stop()


def test_bazaar_up_with_process_isolation_pays_through_its_sandbox(shop):
    """The function processes inherit the sandbox's settings and the storefront as the return page."""
    runner = Runner(shop, isolation="process", command="up")
    try:
        flow = Checkout(Market(shop), runner.http)
        status, _, ready = flow.pay()
        assert status == 200 and ready["sandbox"] is True, ready
        location = flow.checkout(ready)
        status, headers, _ = curl(location, headers=["Accept: text/html"])
        assert status == 303 and headers["location"] == (
            f"http://127.0.0.1:{runner.port}/?orderId={flow.order['id']}&payment=completed")
        status, _, again = runner.http("GET", callback_path(location))  # a script gets the JSON, as recorded
        assert status == 200 and again["result"] == "completed"
        assert flow.order_status() in ("paid", "shipped")
    finally:
        runner.stop()


def test_bazaar_fn_links_no_http_client_and_hands_payment_functions_to_bazaar(shop):
    """libcurl and its libraries would cost every function process start-up; bazaar-fn runs the
    payment functions by exec'ing bazaar in its place (same argv, environment and stdin)."""
    libraries = subprocess.run(["ldd", str((ROOT / "bin" / "bazaar-fn").resolve())], capture_output=True,
                               text=True).stdout
    assert "libcurl" not in libraries and "FoundationNetworking" not in libraries
    market = Market(shop)
    order = market.place([(market.product(), 1)]).body
    result = shop.call("pay", {"id": order["id"]}, token=market.buyer)
    result.problem(500, "payment_not_configured", 70)
    assert "KAKAOPAY_SECRET_KEY is not set" in result.body["detail"]  # bazaar's answer, not bazaar-fn's
