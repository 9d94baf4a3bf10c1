"""The user functions through the built binary: results, problems and exit codes."""

import os
import sqlite3
import stat
import threading
import json
import re

import pytest

from conftest import BIN, PASSWORD, ROOT


def test_signup_prints_the_user_and_a_duplicate_is_409(shop):
    first = shop.call("signup", {"email": "a@example.com", "password": "correct horse"})
    assert first.code == 0
    assert first.body["email"] == "a@example.com"
    assert first.body["id"].startswith("usr_")
    assert first.body["status"] == "active"
    assert "password" not in first.stdout and "scrypt" not in first.stdout
    again = shop.call("signup", {"email": "A@Example.com", "password": "correct horse"})
    again.problem(409, "email_taken", 65)


def test_login_profile_update_and_logout(shop):
    user = shop.signup(name="Kim")
    login = shop.call("login", {"email": "KIM@example.com", "password": PASSWORD})
    assert login.code == 0
    assert login.body["tokenType"] == "Bearer"
    assert login.body["user"]["id"] == user["id"]
    token = login.body["token"]

    profile = shop.call("getProfile", token=token)
    assert profile.code == 0 and profile.body == user

    address = {"recipient": "Kim", "postalCode": "06236", "line1": "Teheran-ro 152"}
    updated = shop.call("updateProfile", {"phone": "010-1234-5678", "shippingAddress": address}, token=token)
    assert updated.code == 0
    assert updated.body["phone"] == "010-1234-5678"
    assert updated.body["shippingAddress"] == {**address, "line2": None}
    assert updated.body["name"] == "Kim"
    cleared = shop.call("updateProfile", {"shippingAddress": None}, token=token)
    assert cleared.body["shippingAddress"] is None and cleared.body["phone"] == "010-1234-5678"

    assert shop.call("logout", token=token).body == {"loggedOut": True}
    shop.call("getProfile", token=token).problem(401, "token_revoked", 77)
    shop.call("logout", token=token).problem(401, "token_revoked", 77)


def test_token_sources_flag_env_and_cgi_header(shop):
    shop.signup()
    token = shop.login()
    via_flag = shop.bazaar("invoke", "getProfile", "--token", token)
    via_header = shop.call("getProfile", env={"HTTP_AUTHORIZATION": f"Bearer {token}"})
    assert via_flag.code == 0 and via_header.code == 0
    shop.call("getProfile", env={"HTTP_AUTHORIZATION": f"Basic {token}"}).problem(401, "unauthenticated", 77)


def test_change_password_revokes_other_tokens_but_not_the_callers(shop):
    shop.signup()
    old_session = shop.login()
    current = shop.login()
    shop.call("changePassword", {"currentPassword": "wrong password", "newPassword": "battery staple"},
              token=current).problem(403, "wrong_password", 77)
    shop.call("changePassword", {"currentPassword": PASSWORD, "newPassword": "short"},
              token=current).problem(422, "validation_failed", 65)
    done = shop.call("changePassword", {"currentPassword": PASSWORD, "newPassword": "battery staple"}, token=current)
    assert done.code == 0
    shop.call("getProfile", token=old_session).problem(401, "token_revoked", 77)
    assert shop.call("getProfile", token=current).code == 0
    shop.call("login", {"email": "kim@example.com", "password": PASSWORD}).problem(401, "invalid_credentials", 77)
    assert shop.login(password="battery staple")


def test_deactivated_account_cannot_log_in(shop):
    shop.signup()
    token = shop.login()
    shop.call("deactivateAccount", {"password": "not my password"}, token=token).problem(403, "wrong_password", 77)
    closed = shop.call("deactivateAccount", {"password": PASSWORD}, token=token)
    assert closed.code == 0 and closed.body["status"] == "inactive"
    shop.call("getProfile", token=token).problem(401, "token_revoked", 77)
    shop.call("login", {"email": "kim@example.com", "password": PASSWORD}).problem(403, "account_inactive", 77)
    shop.call("login", {"email": "kim@example.com", "password": "wrong pass"}).problem(401, "invalid_credentials", 77)


def test_blocked_account_cannot_log_in(shop):
    user = shop.signup()
    with sqlite3.connect(shop.home / "var" / "bazaar.sqlite") as db:
        db.execute("UPDATE users SET status = 'blocked' WHERE id = ?", (user["id"],))
    shop.call("login", {"email": "kim@example.com", "password": PASSWORD}).problem(403, "account_blocked", 77)


def test_unknown_email_and_wrong_password_look_alike(shop):
    shop.signup()
    unknown = shop.call("login", {"email": "nobody@example.com", "password": PASSWORD}).problem(401, "invalid_credentials", 77)
    wrong = shop.call("login", {"email": "kim@example.com", "password": "wrong pass"}).problem(401, "invalid_credentials", 77)
    assert unknown.body["detail"] == wrong.body["detail"]


@pytest.mark.parametrize(
    "stdin, status, code, fields",
    [
        ("{not json", 400, "malformed_json", None),
        ("[1, 2]", 400, "malformed_json", None),
        ("null", 400, "malformed_json", None),
        ('{"password": "correct horse"}', 422, "validation_failed", ["email:required"]),
        ('{"email": ["a"], "password": 12345678}', 422, "validation_failed", ["email:wrong_type", "password:wrong_type"]),
        ('{"email": "a@example.com", "password": "correct horse", "admin": true}', 422, "validation_failed", ["admin:unknown_field"]),
        ('{"email": "a@b", "password": "short"}', 422, "validation_failed", ["email:invalid", "password:too_short"]),
        ('{"email": "a@example.com", "password": "A@example.com"}', 422, "validation_failed", ["password:same_as_email"]),
    ],
)
def test_bad_input_is_a_problem_with_exit_65(shop, stdin, status, code, fields):
    result = shop.call("signup", raw=stdin).problem(status, code, 65)
    if fields:
        assert [f"{e['field']}:{e['code']}" for e in result.body["errors"]] == fields
        assert all(e["detail"] for e in result.body["errors"])
    assert not (shop.home / "var" / "bazaar.sqlite").exists() or _user_count(shop) == 0


def _user_count(shop):
    with sqlite3.connect(shop.home / "var" / "bazaar.sqlite") as db:
        return db.execute("SELECT count(*) FROM users").fetchone()[0]


def test_oversized_input_is_413_and_read_no_further(shop):
    big = '{"email": "' + "a" * 5000 + '@example.com", "password": "correct horse"}'
    shop.call("signup", raw=big, env={"BAZAAR_MAX_INPUT_BYTES": "1024"}).problem(413, "payload_too_large", 65)
    # Far beyond the limit: the process must answer without swallowing the whole stream.
    shop.call("signup", raw=b" " * (64 << 20)).problem(413, "payload_too_large", 65)


def test_unknown_function_and_bad_usage_exit_64(shop):
    result = shop.bazaar("invoke", "noSuchFunction", stdin="{}")
    assert result.code == 64 and result.body["code"] == "unknown_function"
    assert shop.bazaar("invoke").code == 64
    assert shop.bazaar("invoke", "signup", "--no-such-flag").code == 64


def test_busy_store_is_503_and_exit_75(shop):
    shop.signup()
    db = sqlite3.connect(shop.home / "var" / "bazaar.sqlite", isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    try:
        result = shop.call("signup", {"email": "lee@example.com", "password": PASSWORD},
                           env={"BAZAAR_BUSY_TIMEOUT_MS": "100"})
        result.problem(503, "store_busy", 75)
    finally:
        db.execute("ROLLBACK")
        db.close()
    assert _user_count(shop) == 1
    assert shop.call("signup", {"email": "lee@example.com", "password": PASSWORD}).code == 0


def test_bad_configuration_is_500_and_exit_70(shop):
    shop.call("signup", {"email": "a@example.com", "password": PASSWORD},
              env={"BAZAAR_JWT_SECRET": "too-short"}).problem(500, "configuration_error", 70)
    bad = shop.call("getProfile", env={"BAZAAR_TOKEN_TTL": "forever"}).problem(500, "configuration_error", 70)
    assert "BAZAAR_TOKEN_TTL" in bad.body["detail"] and "forever" not in bad.body["detail"]


def test_generated_secret_is_created_once_with_mode_0600(shop):
    shop.signup()
    token = shop.call("login", {"email": "kim@example.com", "password": PASSWORD}, unset=["BAZAAR_JWT_SECRET"]).body["token"]
    secret = shop.home / "var" / "jwt-secret"
    assert stat.S_IMODE(os.stat(secret).st_mode) == 0o600
    before = secret.read_bytes()
    assert len(before) == 64
    assert shop.call("getProfile", token=token, unset=["BAZAAR_JWT_SECRET"]).code == 0
    assert secret.read_bytes() == before
    # The same token under another secret is a forgery.
    shop.call("getProfile", token=token).problem(401, "token_invalid", 77)


def test_concurrent_first_runs_agree_on_one_secret_and_one_schema(shop):
    results = []

    def login_once():
        results.append(shop.call("signup", {"email": f"u{threading.get_ident()}@example.com", "password": PASSWORD},
                                 unset=["BAZAAR_JWT_SECRET"]))

    threads = [threading.Thread(target=login_once) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r.code == 0 for r in results), [r.stdout for r in results]
    assert [p.name for p in (shop.home / "var").iterdir() if p.name.startswith("jwt-secret")] == ["jwt-secret"]


def test_logs_are_json_lines_with_the_request_id_and_no_secrets(shop):
    result = shop.call("signup", {"email": "kim@example.com", "password": "hunter2 hunter2"}, env={"REQUEST_ID": "req-e2e-1"})
    assert result.code == 0
    (line,) = result.logs
    assert line["requestId"] == "req-e2e-1" and line["function"] == "signup" and line["status"] == 201
    assert isinstance(line["durationMs"], float)
    token = shop.login(password="hunter2 hunter2")
    for r in (result, shop.call("getProfile", token=token)):
        assert "hunter2" not in r.stderr and token not in r.stderr
    # An unsafe request id is replaced, never echoed.
    odd = shop.call("getProfile", token=token, env={"REQUEST_ID": "x\ny"})
    assert odd.logs[0]["requestId"].startswith("req_")


def test_database_is_wal_and_checks_clean(shop):
    first = shop.bazaar("db", "migrate")
    assert first.code == 0 and first.body["applied"] and first.body["migrations"] == len(first.body["applied"])
    shop.signup()
    check = shop.bazaar("db", "check")
    assert check.code == 0
    assert check.body["ok"] is True and check.body["journalMode"] == "wal" and check.body["problems"] == []
    again = shop.bazaar("db", "migrate")
    assert again.code == 0 and again.body["applied"] == [], "an up-to-date database applies nothing"


def test_version_and_a_missing_shim_folder_answer_in_words(shop, tmp_path):
    version = shop.bazaar("--version")
    assert version.code == 0 and re.fullmatch(r"\d+\.\d+\.\d+\n", version.stdout), version.stdout
    missing = tmp_path / "no" / "such"
    shims = shop.bazaar("functions", "--write-shims", str(missing))
    assert shims.code == 73, shims.stderr
    assert f"cannot write the links into {missing}: there is no such directory" in shims.stderr
    assert "NSCocoaErrorDomain" not in shims.stderr and not missing.exists()


def test_catalog_lists_every_function_and_functions_dir_links_each(shop, tmp_path):
    listed = shop.bazaar("functions", "--json")
    names = [f["name"] for f in json.loads(listed.stdout)]
    assert names == [
        "signup", "login", "logout", "getProfile", "updateProfile", "changePassword", "deactivateAccount",
        "registerSeller", "sellerLogin", "sellerLogout", "getSellerProfile", "withdrawSeller",
        "createProduct", "getProduct", "listProducts", "updateProduct", "deleteProduct", "adjustStock",
        "createVariant", "updateVariant", "deleteVariant", "uploadProductImage", "deleteProductImage", "getMedia",
        "placeOrder", "getOrder", "listOrders", "cancelOrder", "listSellerOrders",
        "pay", "approvePayment", "paymentCanceled", "paymentFailed", "getPayment",
        "ship", "deliver", "getShipment", "listShipments", "updateSellerSettings",
    ]
    entries = sorted(p.name for p in (ROOT / "functions").iterdir() if p.name != "samples")
    assert entries == sorted(names), "functions/ must hold exactly one link per catalog function"
    for name in names:
        assert os.readlink(ROOT / "functions" / name) == "../bin/bazaar-fn", f"functions/{name} is stale"
    # Links written elsewhere (a CGI directory, say) dispatch on their own name too.
    out = tmp_path / "cgi-bin"
    out.mkdir()
    assert shop.bazaar("functions", "--write-shims", str(out), "--shim-target", str(BIN.resolve())).code == 0
    assert shop.run([str(out / "getProfile")]).body["code"] == "unauthenticated"
    assert shop.run([str(out / "getProfile"), "--no-such-flag"]).code == 64
    # functions/NAME runs the slim bazaar-fn: the same contract, its own words for bad flags.
    bad = shop.run([str(ROOT / "functions" / "getProfile"), "--no-such-flag"])
    assert bad.code == 64 and "unknown arguments: --no-such-flag" in bad.stderr
    assert shop.run([str(ROOT / "functions" / "getProfile"), "--help"]).code == 0
    assert shop.call("signup", {"email": "fn@example.com", "password": "correct horse"}).code == 0
    assert shop.run([str(ROOT / "functions" / "getProfile"), "--token", shop.login("fn@example.com")]).code == 0
    # Run as a CGI program by a web server, a link serves its one function.
    cgi = shop.run([str(ROOT / "functions" / "getProduct")],
                   env={"GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "GET", "PATH_INFO": "/prd_x"})
    assert cgi.code == 0 and cgi.stdout.startswith("Status: 404"), cgi.stdout


def test_sample_requests_run_in_order(shop):
    """functions/samples/NAME.json exist for every function and work as the README shows them."""
    samples = ROOT / "functions" / "samples"
    names = [f["name"] for f in json.loads(shop.bazaar("functions", "--json").stdout)]
    assert sorted(p.stem for p in samples.glob("*.json")) == sorted(names)
    token = None
    for name in ["signup", "login", "getProfile", "updateProfile", "changePassword", "logout"]:
        result = shop.call(name, raw=(samples / f"{name}.json").read_text(), token=token)
        assert result.code == 0, (name, result.stdout)
        token = result.body.get("token", token)
    token = shop.login(password="battery staple")
    assert shop.call("deactivateAccount", raw=(samples / "deactivateAccount.json").read_text(), token=token).code == 0
    # Seller and product samples; prd_PRODUCT_ID, var_VARIANT_ID, img_IMAGE_ID and MEDIA_NAME
    # stand for the ids createProduct, createVariant and uploadProductImage returned.
    token, product, variant, image, media = None, None, None, None, None
    for name in ["registerSeller", "sellerLogin", "getSellerProfile", "createProduct", "listProducts", "getProduct",
                 "updateProduct", "createVariant", "updateVariant", "adjustStock", "deleteVariant",
                 "uploadProductImage", "getMedia", "deleteProductImage", "deleteProduct", "sellerLogout"]:
        raw = (samples / f"{name}.json").read_text()
        for placeholder, value in [("prd_PRODUCT_ID", product), ("var_VARIANT_ID", variant),
                                   ("img_IMAGE_ID", image), ("MEDIA_NAME", media)]:
            if value:
                raw = raw.replace(placeholder, value)
        result = shop.call(name, raw=raw, token=token)
        assert result.code == 0, (name, result.stdout)
        token = result.body.get("token", token)
        if name == "createProduct":
            product = result.body["id"]
        if name == "createVariant":
            variant = result.body["id"]
        if name == "uploadProductImage":
            image, media = result.body["id"], result.body["renditions"][0]["url"].rsplit("/", 1)[1]
        if name == "listProducts":
            assert [p["id"] for p in result.body["items"]] == [product]
    # Order samples; ord_ORDER_ID stands for the id placeOrder returned.
    seller = shop.seller_login()
    product = shop.create_product(seller, stock=5)["id"]
    shop.signup("buyer@example.com")
    buyer, order = shop.login("buyer@example.com"), None
    for name in ["placeOrder", "placeOrder", "getOrder", "listOrders", "listSellerOrders", "cancelOrder"]:
        raw = (samples / f"{name}.json").read_text().replace("prd_PRODUCT_ID", product)
        if order:
            raw = raw.replace("ord_ORDER_ID", order)
        result = shop.call(name, raw=raw, token=seller if name == "listSellerOrders" else buyer)
        assert result.code == 0, (name, result.stdout)
        if name == "placeOrder":
            assert order in (None, result.body["id"]), "the sample's idempotency key replays the first order"
            order = result.body["id"]
        if name in ("listOrders", "listSellerOrders"):
            assert [o["id"] for o in result.body["items"]] == [order]
    assert result.body["status"] == "canceled"
    token = shop.seller_login()
    assert shop.call("withdrawSeller", raw=(samples / "withdrawSeller.json").read_text(), token=token).code == 0
