"""`bazaar fcgi` spoken to directly in FastCGI 1.0 (a client written from the specification):
requests multiplexed on one kept connection, management records, limits, the Unix socket's
permissions, and a stop that answers what is in flight first."""

import json
import os
import signal
import socket
import stat
import struct
import subprocess
import time

import pytest

from conftest import BIN, SECRET

BEGIN, ABORT, END, PARAMS, STDIN, STDOUT, GET_VALUES, GET_VALUES_RESULT = 1, 2, 3, 4, 5, 6, 9, 10


def record(kind, request_id, content=b""):
    padding = (8 - len(content) % 8) % 8
    return struct.pack(">BBHHBx", 1, kind, request_id, len(content), padding) + content + b"\0" * padding


def pairs(items):
    out = b""
    for name, value in items.items():
        for text in (name.encode(), value.encode()):
            out += bytes([len(text)]) if len(text) < 128 else struct.pack(">I", len(text) | 0x80000000)
        out += name.encode() + value.encode()
    return out


def request(request_id, method, path, body=b"", keep=True, headers=None):
    params = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "REMOTE_ADDR": "127.0.0.1"}
    if body:
        params.update(CONTENT_LENGTH=str(len(body)), CONTENT_TYPE="application/json")
    params.update(headers or {})
    out = record(BEGIN, request_id, struct.pack(">HB5x", 1, 1 if keep else 0))
    out += record(PARAMS, request_id, pairs(params)) + record(PARAMS, request_id)
    for start in range(0, len(body), 65535):
        out += record(STDIN, request_id, body[start:start + 65535])
    return out + record(STDIN, request_id)


def read_records(sock, until_ended):
    """Records until `until_ended` requests have ended: {id: (status, headers, body)}, and the others."""
    buffer, stdout, answers, others = b"", {}, {}, []
    while len(answers) < until_ended:
        chunk = sock.recv(65536)
        assert chunk, "the responder closed the connection early"
        buffer += chunk
        while len(buffer) >= 8:
            _, kind, rid, length, padding = struct.unpack(">BBHHBx", buffer[:8])
            if len(buffer) < 8 + length + padding:
                break
            content, buffer = buffer[8:8 + length], buffer[8 + length + padding:]
            if kind == STDOUT:
                stdout[rid] = stdout.get(rid, b"") + content
            elif kind == END and rid not in stdout:  # ended without an answer (a refused role)
                answers[rid] = (None, {}, None, content[4])
            elif kind == END:
                head, _, body = stdout.pop(rid).partition(b"\r\n\r\n")
                lines = head.decode().split("\r\n")
                assert lines[0].startswith("Status: ")
                fields = dict(line.split(": ", 1) for line in lines[1:])
                answers[rid] = (int(lines[0].split()[1]), fields, json.loads(body) if body else None,
                                content[4])
            else:
                others.append((kind, rid, content))
    return answers, others


@pytest.fixture
def responder(tmp_path):
    env = {"PATH": os.environ["PATH"], "BAZAAR_HOME": str(tmp_path), "BAZAAR_JWT_SECRET": SECRET,
           "BAZAAR_MAX_INPUT_BYTES": "4096"}
    log = tmp_path / "fcgi.log"
    proc = subprocess.Popen([str(BIN), "fcgi", "--port", "0"], env=env, stderr=open(log, "w"))
    deadline = time.monotonic() + 30
    while True:
        lines = [json.loads(l) for l in log.read_text().splitlines() if l.startswith("{")]
        listening = [l for l in lines if l.get("message") == "listening"]
        if listening:
            break
        assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.02)
    port = int(listening[0]["fastcgi"].rsplit(":", 1)[1])
    proc.port, proc.log = port, log
    yield proc
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def test_requests_multiplex_on_a_kept_connection(responder):
    with socket.create_connection(("127.0.0.1", responder.port)) as sock:
        ask = record(GET_VALUES, 0, pairs({"FCGI_MPXS_CONNS": "", "FCGI_MAX_REQS": ""}))
        signup = json.dumps({"email": "fcgi@example.com", "password": "correct horse"}).encode()
        # Two requests interleaved record by record, then a third on the same connection.
        first, second = request(1, "POST", "/users", signup), request(2, "GET", "/products")
        sock.sendall(ask + first[:16] + second + first[16:])  # after the first BEGIN_REQUEST record
        answers, others = read_records(sock, 2)
        assert answers[1][0] == 201 and answers[1][2]["email"] == "fcgi@example.com"
        assert answers[2][0] == 200 and answers[2][2] == {"items": [], "nextCursor": None}
        assert answers[2][1]["Cache-Control"] == "no-store" and answers[2][1]["X-Request-Id"].startswith("req_")
        assert others[0][0] == GET_VALUES_RESULT and b"\x0f\x01FCGI_MPXS_CONNS1" in others[0][2]
        sock.sendall(request(3, "GET", "/nowhere", headers={"HTTP_X_REQUEST_ID": "trace-7"}))
        answers, _ = read_records(sock, 1)
        status, fields, problem, protocol = answers[3]
        assert (status, problem["code"], fields["X-Request-Id"], protocol) == (404, "route_not_found", "trace-7", 0)


def test_limits_and_unknown_roles_are_answered_and_broken_streams_closed(responder):
    with socket.create_connection(("127.0.0.1", responder.port)) as sock:
        big = b"{" + b" " * 5000 + b"}"
        authorizer = record(BEGIN, 9, struct.pack(">HB5x", 2, 1))
        sock.sendall(request(1, "POST", "/users", big) + authorizer)
        answers, _ = read_records(sock, 2)
        assert answers[1][0] == 413 and answers[1][2]["code"] == "payload_too_large"
        assert answers[9][3] == 3, "FCGI_UNKNOWN_ROLE"
        # A body shorter than its CONTENT_LENGTH: 400, not a hang.
        short = request(2, "POST", "/users", b"{}", headers={"CONTENT_LENGTH": "10"})
        sock.sendall(short)
        answers, _ = read_records(sock, 1)
        assert answers[2][0] == 400 and "ended before CONTENT_LENGTH" in answers[2][2]["detail"]
        sock.sendall(b"\x02" + b"\0" * 7)  # version 2: not FastCGI 1.0
        sock.settimeout(10)
        assert sock.recv(100) == b""
    # The responder serves on after a broken connection.
    with socket.create_connection(("127.0.0.1", responder.port)) as sock:
        sock.sendall(request(1, "GET", "/products", keep=False))
        answers, _ = read_records(sock, 1)
        assert answers[1][0] == 200
        sock.settimeout(10)
        assert sock.recv(100) == b"", "without FCGI_KEEP_CONN the connection closes after the answer"


def test_sigterm_answers_requests_in_flight_then_exits(responder):
    signup = json.dumps({"email": "late@example.com", "password": "correct horse"}).encode()
    with socket.create_connection(("127.0.0.1", responder.port)) as sock:
        sock.sendall(request(1, "POST", "/users", signup))  # a scrypt hash: tens of milliseconds
        time.sleep(0.005)
        responder.send_signal(signal.SIGTERM)
        answers, _ = read_records(sock, 1)
        assert answers[1][0] == 201
    assert responder.wait(timeout=30) == 0
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", responder.port), timeout=2)


def test_unix_socket_with_its_mode(tmp_path):
    path = tmp_path / "run" / "bazaar.sock"
    path.parent.mkdir()
    env = {"PATH": os.environ["PATH"], "BAZAAR_HOME": str(tmp_path), "BAZAAR_JWT_SECRET": SECRET}
    path.write_text("not a socket")  # a file in the way is refused, and left alone
    refused = subprocess.run([str(BIN), "fcgi", "--socket", str(path)], env=env, capture_output=True, text=True)
    assert refused.returncode == 73 and "not a socket is in the way" in refused.stderr
    assert path.read_text() == "not a socket"
    path.unlink()
    with socket.socket(socket.AF_UNIX) as stale:  # a socket left by a process that died is replaced
        stale.bind(str(path))
    proc = subprocess.Popen([str(BIN), "fcgi", "--socket", str(path), "--socket-mode", "600"], env=env,
                            stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                with socket.socket(socket.AF_UNIX) as sock:
                    sock.connect(str(path))
                    sock.sendall(request(1, "GET", "/products"))
                    answers, _ = read_records(sock, 1)
                break
            except ConnectionRefusedError:
                time.sleep(0.02)
        assert answers[1][0] == 200
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        proc.terminate()
        assert proc.wait(timeout=30) == 0


def test_nowhere_to_listen_is_said_in_words(tmp_path):
    env = {"PATH": os.environ["PATH"], "BAZAAR_HOME": str(tmp_path), "BAZAAR_JWT_SECRET": SECRET}
    done = subprocess.run([str(BIN), "fcgi"], env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    assert done.returncode == 64 and "nowhere to listen" in done.stderr
