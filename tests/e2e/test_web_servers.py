"""The shop behind real web servers running the CGI program from deploy/, checked with curl."""

import grp
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import BIN, ROOT, SECRET

# The CGI program the web servers run: the slim binary (it hands payment routes to bazaar).
FN = ROOT / "bin" / "bazaar-fn"
from http_client import Client, free_port, gateway_rules, shop_flow, wait_for


@pytest.fixture
def lighttpd(tmp_path):
    if not shutil.which("lighttpd"):
        pytest.fail("lighttpd is not installed: `make test` installs it")
    for sub in ("www", "log"):
        (tmp_path / sub).mkdir()
    (tmp_path / "secret").write_text(SECRET)
    port = free_port()
    env = {**os.environ, "BAZAAR_HOME": str(tmp_path), "BAZAAR_BIN": str(FN.resolve()), "BAZAAR_PORT": str(port),
           "BAZAAR_JWT_SECRET_FILE": str(tmp_path / "secret")}
    server = subprocess.Popen(["lighttpd", "-D", "-f", str(ROOT / "deploy/lighttpd/bazaar.conf")], env=env)
    wait_for(port)
    yield Client(f"http://127.0.0.1:{port}/api")
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def apache():
    if not shutil.which("apache2"):
        pytest.fail("apache2 is not installed: `make test` installs it")
    # Apache runs CGI programs as its User: as root that is www-data, which needs a home it owns.
    user, group = service_account()
    home = owned_home("bazaar-apache-", ("www", "log"), user)
    port = free_port()
    env = {**os.environ, "BAZAAR_HOME": str(home), "BAZAAR_BIN": str(FN.resolve()), "BAZAAR_PORT": str(port),
           "BAZAAR_JWT_SECRET_FILE": str(home / "secret"), "BAZAAR_USER": user, "BAZAAR_GROUP": group}
    server = subprocess.Popen(
        ["apache2", "-f", str(ROOT / "deploy/apache/bazaar.conf"), "-DFOREGROUND"], env=env)
    wait_for(port)
    yield Client(f"http://127.0.0.1:{port}/api")
    server.terminate()
    server.wait(timeout=10)
    shutil.rmtree(home, ignore_errors=True)


def service_account():
    """Who runs the CGI program: as root, www-data (which needs a home it owns); else us."""
    user = "www-data" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    return user, grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name


def owned_home(prefix, subdirs, user):
    home = Path(tempfile.mkdtemp(prefix=prefix))
    for sub in subdirs:
        (home / sub).mkdir()
    (home / "secret").write_text(SECRET)
    if os.geteuid() == 0:
        entry = pwd.getpwnam(user)
        for path in [home, *home.rglob("*")]:
            os.chown(path, entry.pw_uid, entry.pw_gid)
    return home


def render_nginx(template, names, env, home):
    """deploy/nginx/TEMPLATE rendered as its comment says (envsubst of `names` only) into HOME/nginx.conf."""
    text = (ROOT / "deploy/nginx" / template).read_text()
    variables = " ".join("$" + name for name in names.split())
    (home / "nginx.conf").write_text(subprocess.run(
        ["envsubst", variables], input=text, capture_output=True, text=True, env=env, check=True).stdout)


@pytest.fixture
def nginx():
    for program in ("nginx", "fcgiwrap", "envsubst"):
        if not shutil.which(program):
            pytest.fail(f"{program} is not installed: `make test` installs it")
    user, group = service_account()
    home = owned_home("bazaar-nginx-", ("log", "run", "tmp"), user)
    port = free_port()
    env = {**os.environ, "BAZAAR_HOME": str(home), "BAZAAR_BIN": str(FN.resolve()), "BAZAAR_PORT": str(port),
           "BAZAAR_JWT_SECRET_FILE": str(home / "secret"), "BAZAAR_USER": user, "BAZAAR_GROUP": group}
    render_nginx("bazaar.conf.template", "BAZAAR_HOME BAZAAR_BIN BAZAAR_PORT BAZAAR_JWT_SECRET_FILE BAZAAR_USER "
                 "BAZAAR_GROUP", env, home)
    socket_path = home / "run/fcgiwrap.sock"
    as_user = ["runuser", "-u", user, "--"] if os.geteuid() == 0 else []
    # Its own process group: runuser does not pass SIGTERM on to fcgiwrap and its children.
    wrapper = subprocess.Popen(
        [*as_user, "fcgiwrap", "-c", "4", "-p", str(FN.resolve()), "-s", f"unix:{socket_path}"], env=env,
        start_new_session=True)
    for _ in range(200):
        if socket_path.exists():
            break
        time.sleep(0.025)
    server = subprocess.Popen(["nginx", "-c", str(home / "nginx.conf")], env=env)
    wait_for(port)
    yield Client(f"http://127.0.0.1:{port}/api")
    server.terminate()
    server.wait(timeout=10)
    os.killpg(wrapper.pid, signal.SIGTERM)
    wrapper.wait(timeout=10)
    for _ in range(200):  # every process of the group, fcgiwrap's children included, is gone
        try:
            os.killpg(wrapper.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.025)
    else:
        os.killpg(wrapper.pid, signal.SIGKILL)
        pytest.fail("fcgiwrap outlived SIGTERM")
    shutil.rmtree(home, ignore_errors=True)


def test_flow_through_lighttpd_cgi(lighttpd):
    product, owner = shop_flow(lighttpd)
    gateway_rules(lighttpd, product, owner)
    # A payment route: bazaar-fn hands it to bazaar (exec), which answers as CGI; without a
    # KakaoPay key a web server deployment takes no payment, and a forged callback changes nothing.
    status, _, problem = lighttpd("GET", "/payments/kakaopay/approve?state=pay_x.y&pg_token=t")
    assert status == 404 and problem["code"] == "payment_state_invalid"
    status, _, problem = lighttpd("GET", "/orders/ord_00000000000000000000000000/payment", token=owner)
    assert status == 403 and problem["code"] == "forbidden_role"


def test_flow_through_apache_cgid(apache):
    product, owner = shop_flow(apache)
    # CGIPassAuth On: the bearer token reaches the program.
    status, _, profile = apache("GET", "/sellers/me", token=owner)
    assert status == 200 and profile["status"] == "active"
    status, headers, _ = apache("DELETE", "/sellers/me", {"password": "wrong horse"}, token=owner)
    assert status == 403
    status, headers, problem = apache("POST", f"/products/{product['id']}", {})
    assert status == 405 and headers["allow"] == "DELETE, GET, HEAD, PATCH"


def test_flow_through_nginx_fcgiwrap(nginx):
    product, owner = shop_flow(nginx)
    gateway_rules(nginx, product, owner)
    # Headers reach the program as FastCGI parameters: the token and the request id.
    status, _, profile = nginx("GET", "/sellers/me", token=owner)
    assert status == 200 and profile["status"] == "active"


# FastCGI: one long-running `bazaar fcgi` behind each server (deploy/*/bazaar-fastcgi.*).

FULL = ROOT / "bin" / "bazaar"


@pytest.fixture
def lighttpd_fastcgi(tmp_path):
    """lighttpd spawns `bazaar fcgi` itself and hands it the socket as standard input."""
    for sub in ("www", "log", "run"):
        (tmp_path / sub).mkdir()
    (tmp_path / "secret").write_text(SECRET)
    port = free_port()
    env = {**os.environ, "BAZAAR_HOME": str(tmp_path), "BAZAAR_BIN": str(FULL.resolve()), "BAZAAR_PORT": str(port),
           "BAZAAR_JWT_SECRET_FILE": str(tmp_path / "secret")}
    server = subprocess.Popen(["lighttpd", "-D", "-f", str(ROOT / "deploy/lighttpd/bazaar-fastcgi.conf")], env=env)
    wait_for(port)
    client = Client(f"http://127.0.0.1:{port}/api")
    client.home = tmp_path
    yield client
    server.terminate()
    server.wait(timeout=10)
    deadline = time.monotonic() + 30
    while responders(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not responders(tmp_path), "lighttpd stopped, its FastCGI responder must stop too"


def responders(home):
    """The `bazaar fcgi` processes serving `home`."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if (proc / "cmdline").read_bytes().split(b"\0")[1:2] == [b"fcgi"] and \
                    f"BAZAAR_HOME={home}".encode() in (proc / "environ").read_bytes().split(b"\0"):
                found.append(int(proc.name))
        except (OSError, IndexError):
            pass
    return found


@pytest.fixture
def nginx_fastcgi():
    """nginx connects to `bazaar fcgi`, which got its socket as systemd's socket activation passes it."""
    user, group = service_account()
    home = owned_home("bazaar-nginx-fcgi-", ("log", "run", "tmp"), user)
    port = free_port()
    env = {**os.environ, "BAZAAR_HOME": str(home), "BAZAAR_PORT": str(port), "BAZAAR_USER": user,
           "BAZAAR_GROUP": group, "BAZAAR_JWT_SECRET_FILE": str(home / "secret"), "BAZAAR_MAX_INPUT_BYTES": "65536"}
    render_nginx("bazaar-fastcgi.conf.template", "BAZAAR_HOME BAZAAR_PORT BAZAAR_USER BAZAAR_GROUP", env, home)
    # What bazaar-fcgi.socket does: the manager binds the socket (owned by the service's user),
    # then starts the service with it as descriptor 3 and LISTEN_PID/LISTEN_FDS set.
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(home / "run/bazaar-fcgi.sock"))
    listener.listen(256)
    entry = pwd.getpwnam(user)
    os.chown(home / "run/bazaar-fcgi.sock", entry.pw_uid, entry.pw_gid)
    os.chmod(home / "run/bazaar-fcgi.sock", 0o660)
    as_user = ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--clear-groups"] \
        if os.geteuid() == 0 else []
    responder = subprocess.Popen(
        [*as_user, "sh", "-c", 'LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" fcgi 3<&0 0</dev/null', str(FULL.resolve())],
        stdin=listener.fileno(), env=env, stderr=open(home / "log/fcgi.log", "w"))
    listener.close()
    server = subprocess.Popen(["nginx", "-c", str(home / "nginx.conf")], env=env)
    wait_for(port)
    client = Client(f"http://127.0.0.1:{port}/api")
    client.home, client.responder = home, responder
    yield client
    server.terminate()
    server.wait(timeout=10)
    responder.terminate()
    assert responder.wait(timeout=30) == 0, (home / "log/fcgi.log").read_text()
    shutil.rmtree(home, ignore_errors=True)


def test_flow_through_lighttpd_fastcgi(lighttpd_fastcgi):
    product, owner = shop_flow(lighttpd_fastcgi)
    gateway_rules(lighttpd_fastcgi, product, owner)
    # One responder served every request: lighttpd started it once.
    assert len(responders(lighttpd_fastcgi.home)) == 1
    status, _, problem = lighttpd_fastcgi("GET", "/payments/kakaopay/approve?state=pay_x.y&pg_token=t")
    assert status == 404 and problem["code"] == "payment_state_invalid"


def test_flow_through_nginx_fastcgi(nginx_fastcgi):
    product, owner = shop_flow(nginx_fastcgi)
    gateway_rules(nginx_fastcgi, product, owner)
    status, _, profile = nginx_fastcgi("GET", "/sellers/me", token=owner)
    assert status == 200 and profile["status"] == "active"
    # A body under nginx's limit and over the responder's (BAZAAR_MAX_INPUT_BYTES): read and
    # dropped, then 413 from Bazaar, said as a problem; the connection serves on.
    status, _, problem = nginx_fastcgi("POST", "/users", raw="{" + " " * 100_000 + "}")
    assert status == 413 and problem["code"] == "payload_too_large"
    # Requests from many connections at once, on kept-alive upstream connections.
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda _: nginx_fastcgi("GET", f"/products/{product['id']}")[0], range(64)))
    assert answers == [200] * 64
    log = [json.loads(line) for line in (nginx_fastcgi.home / "log/fcgi.log").read_text().splitlines()]
    assert any(l.get("message") == "listening" and "descriptor 3" in l.get("fastcgi", "") for l in log)
