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

from conftest import BIN, ROOT, SECRET, Shop
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

    def __init__(self, market: Market, http: Client, base: str):
        self.market, self.http, self.base = market, http, base
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
    runner = Runner(shop.home, command="up", env={"KAKAOPAY_TIMEOUT": "2"})
    yield runner
    runner.stop()


@pytest.fixture
def checkout(shop, up):
    market = Market(shop)
    return Checkout(market, up.http, f"http://127.0.0.1:{up.port}")


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
    assert done["result"] == "completed" and done["status"] == "completed" and done["orderStatus"] == "paid"
    assert done["method"] == "MONEY" and done["approvedAt"]
    assert checkout.order_status() == "paid"
    assert checkout.events() == ["order.placed", "payment.completed", "order.paid"]
    status, _, payment = up.http("GET", f"/orders/{checkout.order['id']}/payment", token=checkout.market.buyer)
    assert status == 200 and payment["status"] == "completed" and "redirectUrls" not in payment

    # A browser refresh shows the same outcome and never calls approve again.
    status, _, refreshed = up.http("GET", callback_path(location))
    assert status == 200 and refreshed == done
    assert len(gateway_calls(up, "approve")) == 1
    # A paid order is not payable again.
    status, _, problem = checkout.pay()
    assert status == 409 and problem["code"] == "order_not_payable"

    # The relay carries payment.completed into the spool's payments queue.
    relayed = shop.bazaar("outbox", "relay", "--once")
    assert relayed.code == 0 and relayed.body["relayed"] == 3, relayed.stdout + relayed.stderr
    peek = shop.bazaar("queue", "peek", "payments")
    waiting = [m["message"] for m in peek.body["messages"]]
    assert [e["type"] for e in waiting] == ["payment.completed"]
    assert waiting[0]["data"]["orderId"] == checkout.order["id"] and waiting[0]["data"]["amount"] == 64000
    assert "DEVSANDBOX" not in (shop.home / f"{up.log_path.name}").read_text()
