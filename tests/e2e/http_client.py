"""HTTP helpers shared by the web-server and runner tests: curl as the client, `bazaar serve`
as a process, the issue's flow."""

import json
import os
import signal
import socket
import subprocess
import time

import pytest

from conftest import BIN, BUSINESS_NUMBERS, PASSWORD, SECRET


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """curl against one server; every answer parsed into (status, headers, body)."""

    def __init__(self, base):
        self.base = base

    def __call__(self, method, path, body=None, token=None, headers=(), raw=None):
        args = ["curl", "-s", "-i", "-X", method, self.base + path, "--max-time", "30"]
        if method == "HEAD":
            args[3:5] = ["-I"]
        for header in headers:
            args += ["-H", header]
        if token:
            args += ["-H", f"Authorization: Bearer {token}"]
        if body is not None or raw is not None:
            if not any(h.lower().startswith("content-type:") for h in headers):
                args += ["-H", "Content-Type: application/json"]
            args += ["--data-binary", raw if raw is not None else json.dumps(body)]
        out = subprocess.run(args, capture_output=True, timeout=60).stdout.decode()
        head, _, text = out.replace("\r\n", "\n").partition("\n\n")
        lines = head.split("\n")
        status = int(lines[0].split()[1])
        found = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            found[name.strip().lower()] = value.strip()
        return status, found, json.loads(text) if text.strip() else None


def wait_for(port):
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"nothing listens on port {port}")


def shop_flow(http):
    """The issue's flow: signup → login → registerSeller → sellerLogin → createProduct →
    listProducts (search) → getProduct → updateProduct (owner) → a forbidden update."""
    status, _, user = http("POST", "/users", {"email": "kim@example.com", "password": PASSWORD})
    assert status == 201 and user["id"].startswith("usr_")
    status, _, login = http("POST", "/users/auth", {"email": "kim@example.com", "password": PASSWORD})
    assert status == 200
    status, _, me = http("GET", "/users/me", token=login["token"])
    assert status == 200 and me["id"] == user["id"]
    sellers = []
    for index, number in enumerate(BUSINESS_NUMBERS[:2]):
        email = f"shop{index}@example.com"
        status, _, seller = http("POST", "/sellers", {
            "email": email, "password": PASSWORD, "businessName": f"Shop {index}", "businessNumber": number})
        assert status == 201, seller
        status, _, auth = http("POST", "/sellers/auth", {"email": email, "password": PASSWORD})
        assert status == 200 and auth["seller"]["id"] == seller["id"]
        sellers.append(auth["token"])
    owner, other = sellers
    status, headers, product = http("POST", "/products", {
        "name": "청송 사과 5kg", "description": "Crisp apples", "price": 32000, "stock": 40}, token=owner)
    assert status == 201 and headers["content-type"] == "application/json"
    status, _, page = http("GET", "/products?q=%EC%82%AC%EA%B3%BC&maxPrice=40000&limit=5")
    assert status == 200 and [p["id"] for p in page["items"]] == [product["id"]]
    status, _, got = http("GET", f"/products/{product['id']}")
    assert status == 200 and got == product
    status, _, updated = http("PATCH", f"/products/{product['id']}", {"price": 29000}, token=owner)
    assert status == 200 and updated["price"] == 29000
    status, headers, problem = http("PATCH", f"/products/{product['id']}", {"price": 1}, token=other)
    assert status == 403 and problem["code"] == "not_product_owner"
    assert headers["content-type"] == "application/problem+json"
    status, _, still = http("GET", f"/products/{product['id']}")
    assert still["price"] == 29000
    return product, owner


def gateway_rules(http, product, owner):
    """The gateway's HTTP rules, whichever transport delivers them."""
    status, headers, problem = http("GET", "/users/me")
    assert status == 401 and headers["www-authenticate"] == 'Bearer realm="bazaar"'
    assert problem["code"] == "unauthenticated"
    status, headers, _ = http("GET", "/users/me", token="not.a.token")
    assert status == 401 and 'error="invalid_token"' in headers["www-authenticate"]
    status, headers, problem = http("PUT", f"/products/{product['id']}", {})
    assert status == 405 and headers["allow"] == "DELETE, GET, HEAD, PATCH" and problem["code"] == "method_not_allowed"
    status, headers, body = http("HEAD", f"/products/{product['id']}")
    assert status == 200 and body is None and int(headers["content-length"]) > 0
    status, _, problem = http("GET", "/products?limit=ten&colour=red")
    assert status == 422 and [(e["field"], e["code"]) for e in problem["errors"]] == [
        ("limit", "wrong_type"), ("colour", "unknown_field")]
    status, _, problem = http("POST", "/products", raw="name=x", token=owner,
                              headers=["Content-Type: application/x-www-form-urlencoded"])
    assert status == 415 and problem["code"] == "unsupported_media_type"
    status, _, problem = http("GET", "/nowhere")
    assert status == 404 and problem["code"] == "route_not_found"
    status, headers, _ = http("GET", "/products", headers=["X-Request-Id: trace-42"])
    assert headers["x-request-id"] == "trace-42"
    status, headers, _ = http("GET", "/products", headers=["X-Request-Id: not ok!"])
    assert headers["x-request-id"].startswith("req_")
    status, _, problem = http("PATCH", f"/products/{product['id']}", {"id": "prd_other", "price": 5}, token=owner)
    assert status == 422 and problem["errors"][0]["code"] == "conflict"


class Runner:
    """`bazaar serve --port 0`; the port comes from its "listening" log line."""

    def __init__(self, home, isolation="inprocess", args=(), env=None, command="serve"):
        """`home` is a shop's home directory, or a Shop (conftest): then the runner takes the
        shop's environment too, its database URL included."""
        base = {}
        if hasattr(home, "env"):  # a Shop (a Path has a `home` classmethod, so ask for `env`)
            base, home = dict(home.env), home.home
        self.log_path = home / f"{command}-{isolation}-{time.monotonic_ns()}.log"
        full = {"PATH": os.environ["PATH"], "BAZAAR_HOME": str(home), "BAZAAR_JWT_SECRET": SECRET,
                "BAZAAR_SCRYPT_LOG_N": "14", **base, **(env or {})}
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(
                [str(BIN), command, "--port", "0", "--isolation", isolation, *args],
                env=full, cwd=home, stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + 30
        while not (listening := [l for l in self.lines() if l.get("message") == "listening"]):
            assert self.proc.poll() is None, self.log_path.read_text()
            assert time.monotonic() < deadline, "the runner never said it was listening"
            time.sleep(0.02)
        self.port = listening[0]["port"]
        self.http = Client(f"http://127.0.0.1:{self.port}")

    def lines(self):
        return [json.loads(l) for l in self.log_path.read_text().splitlines() if l.startswith("{")]

    def access(self):
        return [l for l in self.lines() if l["logger"] == "bazaar.access"]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=30)
