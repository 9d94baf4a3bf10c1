"""The throw-away PostgreSQL cluster that `make test` starts (scripts/pg-cluster.sh): what issue
18's adapter and multi-host tests will run against. It must be a real server, reachable on
loopback only, refusing a wrong password, run by an unprivileged account, and gone afterwards."""

import os
import subprocess
from urllib.parse import urlparse

from conftest import ROOT

PSQL = "/usr/lib/postgresql/15/bin/psql"


def psql(url, sql, password=None):
    parts = urlparse(url)
    env = {**os.environ, "PGPASSWORD": parts.password if password is None else password, "PGCONNECT_TIMEOUT": "5"}
    return subprocess.run([PSQL, "-h", parts.hostname, "-p", str(parts.port), "-U", parts.username,
                           "-d", parts.path[1:], "-qAtX", "-c", sql], capture_output=True, text=True, env=env)


def test_the_cluster_is_a_real_loopback_server_with_passwords(postgres_url):
    answer = psql(postgres_url, "SELECT current_setting('server_version_num')::int / 10000, "
                                "current_setting('listen_addresses'), current_setting('password_encryption')")
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.strip() == "15|127.0.0.1|scram-sha-256"
    refused = psql(postgres_url, "SELECT 1", password="wrong")
    assert refused.returncode != 0 and "password authentication failed" in refused.stderr
    owner = psql(postgres_url, "SELECT pg_catalog.pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'bazaar'")
    assert owner.stdout.strip() == "bazaar"


def alive(pid):
    """Whether `pid` runs (a zombie waiting for its parent to reap it has ended)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_stop_removes_the_cluster():
    import tempfile
    from pathlib import Path
    directory = Path(tempfile.mkdtemp(prefix="bazaar-pg-"))
    os.chmod(directory, 0o755)
    script = ROOT / "scripts" / "pg-cluster.sh"
    url = subprocess.run([str(script), "start", str(directory / "c")], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert psql(url, "SELECT 1").stdout.strip() == "1"
    pid = int((directory / "c" / "data" / "postmaster.pid").read_text().split()[0])
    if os.geteuid() == 0:
        assert os.stat(directory / "c" / "data").st_uid != 0, "the server runs as an unprivileged account"
    subprocess.run([str(script), "stop", str(directory / "c")], check=True)
    assert not (directory / "c").exists()
    assert not alive(pid), "the server process ended"
    assert psql(url, "SELECT 1").returncode != 0
    directory.rmdir()
