#!/usr/bin/env python3
"""Make a shop database with a given release's binaries, for the upgrade test.

    scripts/make-upgrade-fixture.py BIN_DIR OUTPUT.sqlite
    scripts/make-upgrade-fixture.py BIN_DIR OUTPUT.sql

BIN_DIR holds that release's `bazaar` and `bazaar-fn`. An OUTPUT ending in .sql holds the same
shop made on PostgreSQL (a throw-away cluster, scripts/pg-cluster.sh), as plain `pg_dump` SQL
without owners or privileges, to restore into an empty database. The shop gets what a real one has after
a few days: buyers (one with an address, one signed out, one failed sign-in), two sellers (one
fulfilling by hand), products (one deleted, one re-stocked), a paid and shipped order, an order
with a ready payment, a cancelled one and an unpaid one that is overdue by the time a test
opens the file, with their events relayed. The file is checkpointed (no -wal beside it).
"""

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

FUNCTIONS = ["signup", "login", "logout", "updateProfile", "registerSeller", "sellerLogin", "updateSellerSettings",
             "createProduct", "deleteProduct", "adjustStock", "placeOrder", "cancelOrder", "pay", "approvePayment"]
SHIPPING = {"recipient": "Kim Minji", "phone": "010-1234-5678", "postalCode": "06236",
            "line1": "Teheran-ro 152, Gangnam-gu, Seoul", "line2": "5F"}
PASSWORD = "correct horse"
SCRIPTS = Path(__file__).resolve().parent


def main(bin_dir: Path, output: Path):
    work = Path(tempfile.mkdtemp(prefix="bazaar-fixture-"))
    os.chmod(work, 0o755)  # the cluster's owner, `postgres`, must reach it
    cluster = work / "cluster"
    postgres = None
    sandbox = None
    try:
        home, fn = work / "home", work / "fn"
        home.mkdir()
        fn.mkdir()
        for name in FUNCTIONS:
            (fn / name).symlink_to(bin_dir / "bazaar-fn")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = {"PATH": os.environ["PATH"], "BAZAAR_HOME": str(home), "BAZAAR_SCRYPT_LOG_N": "14",
               "BAZAAR_JWT_SECRET": "fixture-secret-0123456789abcdef0123456789abcdef",
               "KAKAOPAY_SECRET_KEY": "DEVKEY123", "KAKAOPAY_BASE_URL": f"http://127.0.0.1:{port}",
               "BAZAAR_PUBLIC_URL": "https://shop.example"}
        if output.suffix == ".sql":
            postgres = subprocess.run([str(SCRIPTS / "pg-cluster.sh"), "start", str(cluster)], capture_output=True,
                                      text=True, check=True, timeout=120).stdout.strip()
            env["BAZAAR_DATABASE_URL"] = postgres
            subprocess.run([str(bin_dir / "bazaar"), "db", "migrate"], env=env, check=True, capture_output=True,
                           timeout=60)
        log = open(work / "sandbox.log", "w")
        sandbox = subprocess.Popen(
            [str(bin_dir / "bazaar"), "sandbox", "kakaopay", "--port", str(port), "--secret-key", "DEVKEY123",
             "--database", str(work / "sandbox.sqlite")], env=env, stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + 30
        while '"listening"' not in (work / "sandbox.log").read_text():
            assert sandbox.poll() is None and time.monotonic() < deadline, (work / "sandbox.log").read_text()
            time.sleep(0.05)

        def call(name, payload=None, token=None, ok=True):
            extra = {"BAZAAR_TOKEN": token} if token else {}
            proc = subprocess.run([str(fn / name)], input=json.dumps(payload or {}).encode(), capture_output=True,
                                  env={**env, **extra}, timeout=60)
            assert (proc.returncode == 0) == ok, (name, proc.returncode, proc.stdout, proc.stderr)
            return json.loads(proc.stdout) if proc.stdout.strip() else {}

        call("signup", {"email": "buyer@example.com", "password": PASSWORD, "name": "Kim Minji"})
        call("signup", {"email": "quiet@example.com", "password": PASSWORD})
        buyer = call("login", {"email": "buyer@example.com", "password": PASSWORD})["token"]
        call("updateProfile", {"phone": "010-1234-5678", "shippingAddress": {
            "recipient": "Kim Minji", "postalCode": "06236", "line1": "Teheran-ro 152"}}, token=buyer)
        quiet = call("login", {"email": "quiet@example.com", "password": PASSWORD})["token"]
        call("logout", token=quiet)
        call("login", {"email": "quiet@example.com", "password": "wrong password"}, ok=False)

        call("registerSeller", {"email": "shop@example.com", "password": PASSWORD, "businessName": "Minji Goods",
                                "businessNumber": "220-81-62517"})
        call("registerSeller", {"email": "farm@example.com", "password": PASSWORD, "businessName": "청송 농원",
                                "businessNumber": "120-81-47521"})
        shop = call("sellerLogin", {"email": "shop@example.com", "password": PASSWORD})["token"]
        farm = call("sellerLogin", {"email": "farm@example.com", "password": PASSWORD})["token"]
        call("updateSellerSettings", {"fulfillment": "manual"}, token=farm)
        towel = call("createProduct", {"name": "Cotton towel", "description": "Soft, 40 × 80 cm", "price": 12000,
                                       "stock": 10, "category": "bath"}, token=shop)
        apples = call("createProduct", {"name": "청송 사과 5kg", "description": "Crisp apples from Cheongsong",
                                        "price": 32000, "stock": 20, "category": "food",
                                        "imageUrl": "https://cdn.example/apples.jpg"}, token=farm)
        old = call("createProduct", {"name": "Old mug", "description": "Discontinued", "price": 5000, "stock": 1},
                   token=shop)
        call("deleteProduct", {"id": old["id"]}, token=shop)
        call("adjustStock", {"id": towel["id"], "add": 5}, token=shop)

        def place(lines, **extra):
            items = [{"productId": p["id"], "quantity": q} for p, q in lines]
            return call("placeOrder", {"items": items, "shipping": SHIPPING, **extra}, token=buyer)

        paid = place([(towel, 2), (apples, 1)], idempotencyKey="fixture-order-1")
        ready = call("pay", {"id": paid["id"]}, token=buyer)
        # The sandbox's page answers Approve with a 303 to the shop's callback: read it, never follow it.
        class Stay(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args):
                return None
        try:
            urllib.request.build_opener(Stay).open(ready["redirectUrls"]["pc"] + "&auto=approve")
            raise AssertionError("the sandbox did not redirect")
        except urllib.error.HTTPError as answer:
            assert answer.code == 303, answer.code
            location = answer.headers["Location"]
        callback = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
        approved = call("approvePayment", {"state": callback["state"], "pg_token": callback["pg_token"]})
        assert approved["result"] == "completed", approved
        waiting = place([(apples, 2)])
        call("pay", {"id": waiting["id"]}, token=buyer)
        canceled = place([(towel, 1)])
        call("cancelOrder", {"id": canceled["id"]}, token=buyer)
        place([(towel, 3)])  # unpaid: overdue once its 30 minutes have passed
        scheduler = subprocess.run([str(bin_dir / "bazaar"), "scheduler", "--once"], env=env, capture_output=True,
                                   timeout=120)
        assert scheduler.returncode == 0, scheduler.stderr

        if postgres:
            dump = subprocess.run(["/usr/lib/postgresql/15/bin/pg_dump", "--no-owner", "--no-privileges",
                                   "--dbname", postgres], capture_output=True, text=True, check=True, timeout=120)
            output.write_text(dump.stdout)
        else:
            database = home / "var" / "bazaar.sqlite"
            with sqlite3.connect(database) as db:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            shutil.copyfile(database, output)
    finally:
        if postgres:
            subprocess.run([str(SCRIPTS / "pg-cluster.sh"), "stop", str(cluster)], capture_output=True, timeout=120)
        if sandbox is not None and sandbox.poll() is None:
            sandbox.send_signal(signal.SIGTERM)
            sandbox.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve())
