"""The shop behind real web servers running the CGI program from deploy/, checked with curl."""

import grp
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
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
    names = "$BAZAAR_HOME $BAZAAR_BIN $BAZAAR_PORT $BAZAAR_JWT_SECRET_FILE $BAZAAR_USER $BAZAAR_GROUP"
    template = (ROOT / "deploy/nginx/bazaar.conf.template").read_text()
    (home / "nginx.conf").write_text(
        subprocess.run(["envsubst", names], input=template, capture_output=True, text=True, env=env, check=True).stdout)
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
