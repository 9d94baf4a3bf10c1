"""Every product function × every kind of caller, through the built binary: status, problem
code and exit code, and nothing changed by a refused call."""

import time

import jwt
import pytest

from conftest import BUSINESS_NUMBERS, SECRET, Shop


class Cast:
    """One shop with every kind of caller the matrix needs."""

    def __init__(self, shop: Shop):
        self.shop = shop
        shop.signup("buyer@example.com")
        self.tokens = {"none": None, "user": shop.login("buyer@example.com")}
        for role, number in zip(["owner", "other", "withdrawn", "blocked"], BUSINESS_NUMBERS):
            seller = shop.register_seller(f"{role}@example.com", number)
            setattr(self, role, seller)
            self.tokens[role] = shop.seller_login(f"{role}@example.com")
        # The withdrawn and the blocked seller each own a product from before they stopped.
        self.withdrawn_product = shop.create_product(self.tokens["withdrawn"], name="Withdrawn towel")
        self.blocked_product = shop.create_product(self.tokens["blocked"], name="Blocked towel")
        gone = shop.call("withdrawSeller", {"password": "correct horse"}, token=self.tokens["withdrawn"])
        assert gone.code == 0 and gone.body["status"] == "inactive"
        # An operator blocks a seller in the database; its tokens stay unexpired and unrevoked.
        shop.sql("UPDATE sellers SET status = 'blocked' WHERE id = ?", self.blocked["id"])
        # The owner's genuine token, re-signed with exp in the past: expired, not forged.
        claims = jwt.decode(self.tokens["owner"], SECRET, algorithms=["HS256"])
        claims.update(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)
        self.tokens["expired"] = jwt.encode(claims, SECRET, algorithm="HS256")

    def product_for(self, caller):
        """A fresh product for a call: the caller's own when it is a stopped seller."""
        if caller == "withdrawn":
            return self.withdrawn_product
        if caller == "blocked":
            return self.blocked_product
        return self.shop.create_product(self.tokens["owner"])


@pytest.fixture(scope="module")
def cast(tmp_path_factory):
    return Cast(Shop(tmp_path_factory.mktemp("matrix")))


CALLERS = ["none", "user", "owner", "other", "withdrawn", "blocked", "expired"]
REFUSED = {
    "none": (401, "unauthenticated"),
    "user": (403, "forbidden_role"),
    "withdrawn": (401, "token_revoked"),
    "blocked": (403, "account_blocked"),
    "expired": (401, "token_expired"),
}
OWNED = {
    "updateProduct": ({"name": "Renamed towel", "price": 9900}, 200),
    "deleteProduct": ({}, 200),
    "adjustStock": ({"add": 5}, 200),
}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("function", sorted(OWNED))
def test_owner_only_functions(cast, function, caller):
    product = cast.product_for(caller)
    payload, success = OWNED[function]
    result = cast.shop.call(function, {"id": product["id"], **payload}, token=cast.tokens[caller])
    if caller == "owner":
        assert result.code == 0, result.stdout
        assert result.body["id"] == product["id"]
        changed = {"updateProduct": ("name", "Renamed towel"), "deleteProduct": ("status", "deleted"),
                   "adjustStock": ("stock", product["stock"] + 5)}[function]
        assert result.body[changed[0]] == changed[1]
        return
    status, code = REFUSED.get(caller, (403, "not_product_owner"))
    result.problem(status, code, 77)
    # Refused means untouched: same fields, not deleted, never updated since it was created.
    row = cast.shop.sql(
        """SELECT p.name, p.price, v.stock, p.deleted_at, p.updated_at = p.created_at FROM products p
           JOIN product_variants v ON v.product_id = p.id WHERE p.id = ?""", product["id"])
    assert row == [(product["name"], product["price"], product["stock"], None, 1)]


@pytest.mark.parametrize("caller", CALLERS)
def test_create_product(cast, caller):
    result = cast.shop.call(
        "createProduct", {"name": f"Towel by {caller}", "price": 5000, "stock": 1}, token=cast.tokens[caller])
    if caller in ("owner", "other"):
        assert result.code == 0, result.stdout
        assert result.body["sellerId"] == getattr(cast, caller)["id"], "the seller comes from the token"
        return
    result.problem(*REFUSED[caller], 77)
    assert cast.shop.sql("SELECT count(*) FROM products WHERE name = ?", f"Towel by {caller}") == [(0,)]


@pytest.mark.parametrize("caller", CALLERS)
def test_public_reads_ignore_the_token(cast, caller):
    product = cast.shop.create_product(cast.tokens["owner"], name=f"Public read {caller}")
    got = cast.shop.call("getProduct", {"id": product["id"]}, token=cast.tokens[caller])
    assert got.code == 0 and got.body == product
    listed = cast.shop.call("listProducts", {"q": f"public read {caller}"}, token=cast.tokens[caller])
    assert listed.code == 0 and [p["id"] for p in listed.body["items"]] == [product["id"]]
    # Stopped sellers' products are not for sale, whoever asks.
    for hidden in (cast.withdrawn_product, cast.blocked_product):
        cast.shop.call("getProduct", {"id": hidden["id"]}, token=cast.tokens[caller]).problem(
            404, "product_not_found", 65)
