"""`bazaar serve` and `bazaar up` as a client sees them: the real binary on a loopback port, curl."""

import json
import signal
import socket
import sqlite3
import subprocess
import threading
import time

import pytest

from conftest import PASSWORD, ROOT
from http_client import Runner, gateway_rules, shop_flow

MODES = ["inprocess", "process"]


@pytest.fixture(params=MODES)
def runner(request, tmp_path):
    started = Runner(tmp_path, request.param)
    yield started
    started.stop()


def test_flow_and_gateway_rules(runner):
    product, owner = shop_flow(runner.http)
    gateway_rules(runner.http, product, owner)
    status, _, profile = runner.http("GET", "/sellers/me", token=owner)
    assert status == 200 and profile["status"] == "active"


def test_one_access_log_line_per_request(runner):
    ids = [f"trace-{n}" for n in range(3)]
    answers = [runner.http("GET", path, headers=[f"X-Request-Id: {rid}"])
               for path, rid in zip(["/healthz", "/products", "/nowhere"], ids)]
    assert [status for status, _, _ in answers] == [200, 200, 404]
    time.sleep(0.1)
    lines = [l for l in runner.access() if l["requestId"] in ids]
    assert [l["requestId"] for l in lines] == ids
    assert [l["status"] for l in lines] == [200, 200, 404]
    assert lines[1]["function"] == "listProducts" and lines[2]["problem"] == "route_not_found"
    assert all(l["isolation"] == runner.proc.args[-1] and l["durationMs"] >= 0 and l["remote"] == "127.0.0.1"
               for l in lines)


def test_both_modes_answer_alike(tmp_path):
    """Two runners on one home: the same request gets the same status, headers and body."""
    inprocess, process = Runner(tmp_path, "inprocess"), Runner(tmp_path, "process")
    try:
        product, owner = shop_flow(inprocess.http)
        status, _, user = inprocess.http("POST", "/users/auth", {"email": "kim@example.com", "password": PASSWORD})
        requests = [
            ("GET", f"/products/{product['id']}", None, None, []),
            ("HEAD", f"/products/{product['id']}", None, None, []),
            ("GET", "/products?q=%EC%82%AC%EA%B3%BC&sort=price_asc&limit=1", None, None, []),
            ("GET", "/products/prd_00000000000000000000000000", None, None, []),
            ("GET", "/products?limit=ten&colour=red", None, None, []),
            ("GET", "/users/me", None, None, []),
            ("GET", "/users/me", None, "not.a.token", []),
            ("GET", "/users/me", None, user["token"], []),
            ("GET", "/sellers/me", None, user["token"], []),
            ("PUT", "/products", {}, None, []),
            ("DELETE", "/nowhere", None, None, []),
            ("POST", "/users", None, None, ["Content-Type: text/plain"]),
            ("POST", "/users", {"email": "nope", "password": "x", "extra": 1}, None, []),
            ("POST", "/users", {"email": "kim@example.com", "password": PASSWORD}, None, []),
            ("PATCH", f"/products/{product['id']}", {"price": 1}, user["token"], []),
        ]
        for index, (method, path, body, token, headers) in enumerate(requests):
            raw = "plain words" if headers else None
            common = [f"X-Request-Id: same-{index}", *headers]
            one = inprocess.http(method, path, body, token=token, headers=common, raw=raw)
            two = process.http(method, path, body, token=token, headers=common, raw=raw)
            for answer in (one, two):
                answer[1].pop("date", None)
            assert one == two, (method, path)
    finally:
        inprocess.stop()
        process.stop()


@pytest.mark.parametrize("mode", MODES)
def test_body_limit_is_413_and_loses_nothing(tmp_path, mode):
    server = Runner(tmp_path, mode, env={"BAZAAR_MAX_INPUT_BYTES": "1024"})
    try:
        big = json.dumps({"email": "big@example.com", "password": PASSWORD, "name": "x" * 2000})
        status, headers, problem = server.http("POST", "/users", raw=big)
        assert status == 413 and problem["code"] == "payload_too_large"
        assert headers["content-type"] == "application/problem+json" and headers["x-request-id"]
        # Without a declared length (chunked), the limit holds while reading.
        status, _, problem = server.http("POST", "/users", raw=big, headers=[
            "Content-Type: application/json", "Transfer-Encoding: chunked"])
        assert status == 413 and problem["code"] == "payload_too_large"
        status, _, _ = server.http("POST", "/users/auth", {"email": "big@example.com", "password": PASSWORD})
        assert status == 401
        status, _, user = server.http("POST", "/users", {"email": "small@example.com", "password": PASSWORD})
        assert status == 201
    finally:
        assert server.stop() == 0


def test_healthz_and_openapi(runner):
    status, headers, body = runner.http("GET", "/healthz")
    assert status == 200 and body == {"status": "ok"} and headers["x-request-id"]
    status, headers, problem = runner.http("POST", "/healthz", {})
    assert status == 405 and headers["allow"] == "GET, HEAD" and problem["code"] == "method_not_allowed"
    served = subprocess.run(["curl", "-s", "-D", "-", f"http://127.0.0.1:{runner.port}/openapi.yaml"],
                            capture_output=True, check=True).stdout
    head, _, document = served.partition(b"\r\n\r\n")
    assert b"content-type: application/yaml" in head.lower()
    assert document == (ROOT / "docs/openapi.yaml").read_bytes()


def test_process_timeout_is_504_and_writes_nothing(tmp_path):
    # scrypt at 2^17 takes far longer than 100 ms: the function is stopped mid-signup.
    server = Runner(tmp_path, "process", args=["--timeout", "0.1"], env={"BAZAAR_SCRYPT_LOG_N": "17"})
    try:
        started = time.monotonic()
        status, headers, problem = server.http("POST", "/users", {"email": "slow@example.com", "password": PASSWORD})
        assert status == 504 and problem["code"] == "function_timeout"
        assert headers["content-type"] == "application/problem+json"
        assert time.monotonic() - started < 5
        status, _, page = server.http("GET", "/products")
        assert status == 200
    finally:
        assert server.stop() == 0
    with sqlite3.connect(tmp_path / "var/bazaar.sqlite") as db:
        assert db.execute("SELECT count(*) FROM users").fetchone() == (0,)


def test_process_concurrency_cap_is_429(tmp_path):
    # scrypt at 2^18 keeps the first signup busy for most of a second.
    server = Runner(tmp_path, "process", args=["--max-concurrent", "1"], env={"BAZAAR_SCRYPT_LOG_N": "18"})
    try:
        first = {}
        slow = threading.Thread(target=lambda: first.setdefault("answer", server.http(
            "POST", "/users", {"email": "first@example.com", "password": PASSWORD})))
        slow.start()
        time.sleep(0.15)
        status, headers, problem = server.http("POST", "/users", {"email": "second@example.com", "password": PASSWORD})
        assert status == 429 and problem["code"] == "too_many_requests" and headers["retry-after"] == "1"
        # Routing needs no process, so it is never refused.
        status, _, _ = server.http("GET", "/nowhere")
        assert status == 404
        slow.join()
        assert first["answer"][0] == 201
    finally:
        assert server.stop() == 0


@pytest.mark.parametrize("mode", MODES)
def test_sigterm_lets_the_request_in_flight_finish(tmp_path, mode):
    server = Runner(tmp_path, mode, env={"BAZAAR_SCRYPT_LOG_N": "18"})
    answer = {}
    slow = threading.Thread(target=lambda: answer.setdefault("signup", server.http(
        "POST", "/users", {"email": "late@example.com", "password": PASSWORD})))
    slow.start()
    time.sleep(0.15)
    server.proc.send_signal(signal.SIGTERM)
    slow.join()
    assert answer["signup"][0] == 201
    assert server.proc.wait(timeout=30) == 0
    assert server.lines()[-1]["message"] == "stopped"
    refused = subprocess.run(["curl", "-s", f"http://127.0.0.1:{server.port}/healthz"], capture_output=True)
    assert refused.returncode == 7  # connection refused: the listener is gone


def test_up_runs_the_shop(tmp_path):
    server = Runner(tmp_path, command="up")
    try:
        status, _, body = server.http("GET", "/healthz")
        assert status == 200 and body == {"status": "ok"}
        product, _ = shop_flow(server.http)
        assert product["name"] == "청송 사과 5kg"
    finally:
        assert server.stop() == 0


def test_a_raw_utf8_url_gets_a_problem_object_with_a_request_id(runner):
    """curl sends `q=사과` as raw UTF-8, which HTTP/1.1 does not allow: the answer says so in a
    problem object with a request id, and the percent-encoded form (what the README shows) works."""
    raw = subprocess.run(["curl", "-s", "-i", f"http://127.0.0.1:{runner.port}/products?q=사과&limit=5"],
                         capture_output=True, timeout=30).stdout.decode()
    head, _, text = raw.replace("\r\n", "\n").partition("\n\n")
    assert head.startswith("HTTP/1.1 400"), raw
    assert "content-type: application/problem+json" in head.lower() and "x-request-id: req_" in head.lower()
    problem = json.loads(text)
    assert problem["code"] == "bad_request" and "percent-encoded" in problem["detail"]
    assert problem["requestId"] in head
    encoded = subprocess.run(["curl", "-s", "-G", f"http://127.0.0.1:{runner.port}/products",
                              "--data-urlencode", "q=사과", "-d", "limit=5"], capture_output=True, timeout=30)
    assert json.loads(encoded.stdout) == {"items": [], "nextCursor": None}


def test_a_port_in_use_is_named_in_words(runner, tmp_path):
    second = subprocess.run([str(ROOT / "bin" / "bazaar"), "serve", "--port", str(runner.port)],
                            env={"PATH": "/usr/bin:/bin", "BAZAAR_HOME": str(tmp_path),
                                 "BAZAAR_JWT_SECRET": "x" * 32},
                            capture_output=True, text=True, timeout=60)
    assert second.returncode == 69, second.stderr
    assert f"cannot listen on 127.0.0.1:{runner.port}: the port is already in use" in second.stderr
    assert "errno" not in second.stderr and "bind(" not in second.stderr


def read_all(sock, timeout):
    """Everything the server sends until it closes the connection (None if it is still open at `timeout`)."""
    sock.settimeout(0.2)
    received, deadline = b"", time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            return received
        if not chunk:
            return received
        received += chunk
    return None


def test_slow_clients_meet_deadlines_and_the_connection_cap(tmp_path):
    """Five sockets that send half a request head are closed after --header-timeout; three that
    promise a 100-byte body and send a byte a second get 408 after --body-timeout; past
    --max-connections a connection is answered 503. (Before, all eight were still open after 41 s.)"""
    server = Runner(tmp_path, args=("--header-timeout", "2", "--body-timeout", "3", "--max-connections", "12"))
    port = server.port
    try:
        started = time.monotonic()
        heads = []
        for _ in range(5):
            sock = socket.create_connection(("127.0.0.1", port))
            sock.sendall(b"GET /products HTTP/1.1\r\nHost: x\r\n")  # no blank line: the head never ends
            heads.append(sock)
        bodies = []
        for _ in range(3):
            sock = socket.create_connection(("127.0.0.1", port))
            sock.sendall(b"POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 100\r\n\r\n{")
            bodies.append(sock)
        stop = threading.Event()

        def drip():
            while not stop.wait(1):
                for sock in bodies:
                    try:
                        sock.send(b" ")
                    except OSError:
                        pass
        dripper = threading.Thread(target=drip)
        dripper.start()
        try:
            for sock in heads:
                assert read_all(sock, 8) == b"", "a half-sent head is closed without an answer"
            assert time.monotonic() - started < 8
            for sock in bodies:
                answer = read_all(sock, 10)
                assert answer is not None, "a dripping body is cut off"
                head, _, body = answer.decode().partition("\r\n\r\n")
                assert head.startswith("HTTP/1.1 408") and "x-request-id" in head.lower()
                assert json.loads(body)["code"] == "request_timeout"
        finally:
            stop.set()
            dripper.join()
            for sock in heads + bodies:
                sock.close()
        # A keep-alive client that is quick is served as before.
        assert server.http("GET", "/healthz")[0] == 200
        # The cap: 12 held connections, the 13th is refused in words.
        held = [socket.create_connection(("127.0.0.1", port)) for _ in range(12)]
        try:
            time.sleep(0.2)
            status, _, problem = server.http("GET", "/healthz")
            assert status == 503 and problem["code"] == "too_many_connections"
        finally:
            for sock in held:
                sock.close()
        time.sleep(0.2)
        assert server.http("GET", "/healthz")[0] == 200
    finally:
        assert server.stop() == 0


def raw_exchange(port, request):
    sock = socket.create_connection(("127.0.0.1", port))
    try:
        sock.sendall(request)
        answer = read_all(sock, 5)
    finally:
        sock.close()
    head, _, body = (answer or b"").decode("utf-8", "replace").partition("\r\n\r\n")
    return head, body


@pytest.mark.parametrize("request_bytes, status", [
    (b"POST /users HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400),
    (b"POST /users HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}", 400),
    (b"GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n", 400),
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n", 400),
    (b"POST /users HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
     b"zz\r\n{}\r\n0\r\n\r\n", 400),
], ids=["duplicate-content-length", "length-and-chunked", "http-9.9", "100-kb-header", "bad-chunk-size"])
def test_protocol_errors_get_a_problem_object_and_a_request_id(runner, request_bytes, status):
    head, body = raw_exchange(runner.port, request_bytes)
    assert head.startswith(f"HTTP/1.1 {status} "), head
    assert "x-request-id: req_" in head.lower()
    problem = json.loads(body)
    assert problem["code"] == "bad_request" and problem["requestId"].startswith("req_")
