"""The shop behind real web servers running the CGI program from deploy/, checked with curl."""

import grp
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import BIN, ROOT, SECRET
from http_client import Client, free_port, gateway_rules, shop_flow, wait_for


@pytest.fixture
def lighttpd(tmp_path):
    if not shutil.which("lighttpd"):
        pytest.fail("lighttpd is not installed: `make test` installs it")
    for sub in ("www", "log"):
        (tmp_path / sub).mkdir()
    (tmp_path / "secret").write_text(SECRET)
    port = free_port()
    env = {**os.environ, "BAZAAR_HOME": str(tmp_path), "BAZAAR_BIN": str(BIN.resolve()), "BAZAAR_PORT": str(port),
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
    home = Path(tempfile.mkdtemp(prefix="bazaar-apache-"))
    for sub in ("www", "log"):
        (home / sub).mkdir()
    (home / "secret").write_text(SECRET)
    user = "www-data" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    group = grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name
    if os.geteuid() == 0:
        for path in [home, *home.rglob("*")]:
            os.chown(path, pwd.getpwnam(user).pw_uid, pwd.getpwnam(user).pw_gid)
    port = free_port()
    env = {**os.environ, "BAZAAR_HOME": str(home), "BAZAAR_BIN": str(BIN.resolve()), "BAZAAR_PORT": str(port),
           "BAZAAR_JWT_SECRET_FILE": str(home / "secret"), "BAZAAR_USER": user, "BAZAAR_GROUP": group}
    server = subprocess.Popen(
        ["apache2", "-f", str(ROOT / "deploy/apache/bazaar.conf"), "-DFOREGROUND"], env=env)
    wait_for(port)
    yield Client(f"http://127.0.0.1:{port}/api")
    server.terminate()
    server.wait(timeout=10)
    shutil.rmtree(home, ignore_errors=True)


def test_flow_through_lighttpd_cgi(lighttpd):
    product, owner = shop_flow(lighttpd)
    gateway_rules(lighttpd, product, owner)


def test_flow_through_apache_cgid(apache):
    product, owner = shop_flow(apache)
    # CGIPassAuth On: the bearer token reaches the program.
    status, _, profile = apache("GET", "/sellers/me", token=owner)
    assert status == 200 and profile["status"] == "active"
    status, headers, _ = apache("DELETE", "/sellers/me", {"password": "wrong horse"}, token=owner)
    assert status == 403
    status, headers, problem = apache("POST", f"/products/{product['id']}", {})
    assert status == 405 and headers["allow"] == "DELETE, GET, HEAD, PATCH"
