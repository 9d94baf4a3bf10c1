"""Sellers and the product catalog through the built binary."""

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor

import jwt
import pytest

from conftest import BUSINESS_NUMBERS, PASSWORD, ROOT, SECRET


def fields(result):
    return [(e["field"], e["code"]) for e in result.body.get("errors", [])]


def test_seller_registration_login_and_duplicates(shop):
    seller = shop.register_seller(number="2208162517")
    assert seller["id"].startswith("sel_") and seller["status"] == "active"
    assert seller["businessNumber"] == "220-81-62517", "shown dashed however it was typed"
    assert "password" not in json.dumps(seller) and "scrypt" not in json.dumps(seller)
    again = shop.call("registerSeller", {
        "email": "SHOP@example.com", "password": PASSWORD, "businessName": "Other", "businessNumber": BUSINESS_NUMBERS[1]})
    again.problem(409, "email_taken", 65)
    same_number = shop.call("registerSeller", {
        "email": "other@example.com", "password": PASSWORD, "businessName": "Other", "businessNumber": "220-81-62517"})
    same_number.problem(409, "business_number_taken", 65)
    # A user account with the seller's email is a different kind of account: allowed.
    assert shop.signup("shop@example.com")["id"].startswith("usr_")

    token = shop.seller_login("Shop@Example.com")
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert claims["role"] == "seller" and claims["sub"] == seller["id"]
    assert shop.call("getSellerProfile", token=token).body == seller
    shop.call("sellerLogin", {"email": "shop@example.com", "password": "wrong horse"}).problem(
        401, "invalid_credentials", 77)


def test_business_number_check_digit_and_field_errors(shop):
    bad = shop.call("registerSeller", {
        "email": "shop@example.com", "password": PASSWORD, "businessName": "  ", "businessNumber": "220-81-62518"})
    bad.problem(422, "validation_failed", 65)
    assert fields(bad) == [("businessName", "required"), ("businessNumber", "bad_check_digit")]
    shape = shop.call("registerSeller", {"email": "x@example.com", "password": PASSWORD, "businessName": "X",
                                         "businessNumber": "22-081-62517"})
    assert fields(shape) == [("businessNumber", "invalid")]
    assert shop.sql("SELECT count(*) FROM sellers") == [(0,)]


def test_user_and_seller_tokens_never_cross(shop):
    shop.signup()
    user_token = shop.login()
    shop.register_seller()
    seller_token = shop.seller_login()
    shop.call("getSellerProfile", token=user_token).problem(403, "forbidden_role", 77)
    shop.call("createProduct", {"name": "x", "price": 1, "stock": 1}, token=user_token).problem(
        403, "forbidden_role", 77)
    shop.call("getProfile", token=seller_token).problem(403, "forbidden_role", 77)
    shop.call("logout", token=seller_token).problem(403, "forbidden_role", 77)
    assert shop.call("sellerLogout", token=seller_token).body == {"loggedOut": True}
    shop.call("getSellerProfile", token=seller_token).problem(401, "token_revoked", 77)


def test_withdrawal_unlists_products_and_keeps_them(shop):
    shop.register_seller()
    token = shop.seller_login()
    product = shop.create_product(token, name="Linen apron")
    shop.call("withdrawSeller", {"password": "wrong horse"}, token=token).problem(403, "wrong_password", 77)
    assert shop.call("listProducts", {"q": "apron"}).body["items"] != []
    gone = shop.call("withdrawSeller", {"password": PASSWORD}, token=token)
    assert gone.code == 0 and gone.body["status"] == "inactive"
    assert shop.call("listProducts", {"q": "apron"}).body["items"] == []
    shop.call("getProduct", {"id": product["id"]}).problem(404, "product_not_found", 65)
    shop.call("getSellerProfile", token=token).problem(401, "token_revoked", 77)
    shop.call("sellerLogin", {"email": "shop@example.com", "password": PASSWORD}).problem(403, "account_inactive", 77)
    # The product row is still there for past orders, not deleted.
    assert shop.sql("SELECT deleted_at FROM products WHERE id = ?", product["id"]) == [(None,)]


def test_create_product_validates_every_field(shop):
    shop.register_seller()
    token = shop.seller_login()
    bad = shop.call("createProduct", {
        "name": "", "price": 0, "stock": -1, "imageUrl": "javascript:alert(1)", "category": "x" * 51, "colour": "red",
    }, token=token)
    bad.problem(422, "validation_failed", 65)
    assert fields(bad) == [("colour", "unknown_field")], "shape problems come first"
    bad = shop.call("createProduct", {"name": "", "price": 0, "stock": -1, "imageUrl": "javascript:alert(1)",
                                      "category": "x" * 51}, token=token)
    assert fields(bad) == [("name", "required"), ("price", "out_of_range"), ("stock", "out_of_range"),
                           ("imageUrl", "invalid"), ("category", "too_long")]
    assert all(e["detail"].startswith(e["field"]) for e in bad.body["errors"]), "messages name their field"
    fraction = shop.call("createProduct", {"name": "x", "price": 12.5, "stock": "3"}, token=token)
    assert fields(fraction) == [("price", "wrong_type"), ("stock", "wrong_type")]
    assert shop.sql("SELECT count(*) FROM products") == [(0,)]
    made = shop.create_product(token, price=1_000_000_000, stock=0, imageUrl="https://img.example.com/t.jpg")
    assert made["price"] == 1_000_000_000 and made["currency"] == "KRW" and made["available"] == 0


def test_update_is_partial_and_null_clears_only_optional_fields(shop):
    shop.register_seller()
    token = shop.seller_login()
    product = shop.create_product(token, category="bath", imageUrl="https://img.example.com/t.jpg")
    updated = shop.call("updateProduct", {"id": product["id"], "price": 9900, "category": None}, token=token)
    assert updated.code == 0
    assert updated.body["price"] == 9900 and updated.body["category"] is None
    assert updated.body["imageUrl"] == product["imageUrl"] and updated.body["name"] == product["name"]
    refused = shop.call("updateProduct", {"id": product["id"], "name": None, "price": None}, token=token)
    assert fields(refused) == [("name", "required"), ("price", "required")]
    assert shop.call("getProduct", {"id": product["id"]}).body == updated.body


def test_renames_reach_the_search_index(shop):
    shop.register_seller()
    token = shop.seller_login()
    product = shop.create_product(token, name="Walnut desk", description="Solid wood")
    assert shop.call("updateProduct", {"id": product["id"], "name": "Oak table"}, token=token).code == 0
    assert shop.call("listProducts", {"q": "walnut"}).body["items"] == []
    assert [p["id"] for p in shop.call("listProducts", {"q": "oak solid"}).body["items"]] == [product["id"]]
    # The index follows edits made outside Bazaar too: the triggers belong to the table.
    shop.sql("UPDATE products SET name = 'Pine shelf' WHERE id = ?", product["id"])
    assert [p["name"] for p in shop.call("listProducts", {"q": "pine"}).body["items"]] == ["Pine shelf"]
    assert shop.call("listProducts", {"q": "oak"}).body["items"] == []
    assert shop.bazaar("db", "check").body["problems"] == []


def test_unknown_and_deleted_products_are_404(shop):
    shop.register_seller()
    token = shop.seller_login()
    product = shop.create_product(token)
    for unknown in ["prd_00000000000000000000000000", "nonsense", "../../etc/passwd", ""]:
        shop.call("getProduct", {"id": unknown}).problem(404, "product_not_found", 65)
        shop.call("updateProduct", {"id": unknown, "name": "x"}, token=token).problem(404, "product_not_found", 65)
    deleted = shop.call("deleteProduct", {"id": product["id"]}, token=token)
    assert deleted.body["status"] == "deleted" and deleted.body["deletedAt"]
    shop.call("getProduct", {"id": product["id"]}).problem(404, "product_not_found", 65)
    shop.call("deleteProduct", {"id": product["id"]}, token=token).problem(404, "product_not_found", 65)
    shop.call("adjustStock", {"id": product["id"], "set": 1}, token=token).problem(404, "product_not_found", 65)
    assert shop.call("listProducts").body["items"] == []


def test_adjust_stock_never_goes_below_what_orders_hold(shop):
    shop.register_seller()
    token = shop.seller_login()
    product = shop.create_product(token, stock=10)
    pid = product["id"]
    assert shop.call("adjustStock", {"id": pid, "add": -4}, token=token).body["stock"] == 6
    assert shop.call("adjustStock", {"id": pid, "set": 20}, token=token).body["stock"] == 20
    # Open orders hold 8 (the orders issue reserves through this column).
    shop.sql("UPDATE product_variants SET reserved = 8 WHERE product_id = ?", pid)
    held = shop.call("adjustStock", {"id": pid, "set": 7}, token=token)
    held.problem(409, "stock_below_reserved", 65)
    assert "8" in held.body["detail"]
    shop.call("adjustStock", {"id": pid, "add": -13}, token=token).problem(409, "stock_below_reserved", 65)
    at_floor = shop.call("adjustStock", {"id": pid, "add": -12}, token=token).body
    assert (at_floor["stock"], at_floor["reserved"], at_floor["available"]) == (8, 8, 0)
    shop.call("adjustStock", {"id": pid, "add": -9}, token=token).problem(409, "stock_out_of_range", 65)
    shop.call("adjustStock", {"id": pid, "add": 1_000_000}, token=token).problem(409, "stock_out_of_range", 65)
    assert fields(shop.call("adjustStock", {"id": pid, "set": 1, "add": 1}, token=token)) == [("add", "conflict")]
    assert fields(shop.call("adjustStock", {"id": pid}, token=token)) == [("set", "required")]
    assert shop.sql("SELECT stock, reserved FROM product_variants WHERE product_id = ?", pid) == [(8, 8)]


def test_concurrent_stock_changes_are_never_lost(shop):
    """Sixteen processes add 1 each at once: every read-modify-write is its own transaction."""
    shop.register_seller()
    token = shop.seller_login()
    pid = shop.create_product(token, stock=0)["id"]

    def add_one(_):
        return shop.call("adjustStock", {"id": pid, "add": 1}, token=token).code

    with ThreadPoolExecutor(16) as pool:
        codes = list(pool.map(add_one, range(16)))
    assert codes == [0] * 16
    assert shop.call("getProduct", {"id": pid}).body["stock"] == 16


def test_search_sort_and_paging_through_the_binary(shop):
    shop.register_seller()
    token = shop.seller_login()
    names = ["청송 사과 5kg", "사과즙 30포", "Green apple", "Apple pie", "배 선물세트", "Pineapple"]
    for i, name in enumerate(names):
        shop.create_product(token, name=name, price=1000 * (i + 1), category="fruit" if i < 4 else "gift")
    found = shop.call("listProducts", {"q": "사과"}).body["items"]
    assert sorted(p["name"] for p in found) == ["사과즙 30포", "청송 사과 5kg"]
    apples = shop.call("listProducts", {"q": "APPLE", "sort": "name"}).body["items"]
    assert [p["name"] for p in apples] == ["Apple pie", "Green apple"], "word prefixes, not substrings"
    cheap = shop.call("listProducts", {"maxPrice": 3000, "sort": "price_desc"}).body["items"]
    assert [p["price"] for p in cheap] == [3000, 2000, 1000]
    seen, cursor = [], None
    while True:
        body = {"sort": "price_asc", "limit": 4, "category": "fruit"}
        if cursor:
            body["cursor"] = cursor
        page = shop.call("listProducts", body).body
        seen += [p["price"] for p in page["items"]]
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert seen == [1000, 2000, 3000, 4000]
    assert shop.call("listProducts", {"q": "\"unbalanced AND ( OR *"}).body["items"] == []
    odd = shop.call("listProducts", {"q": "NEAR(apple pie) pie:"})
    assert odd.code == 0, "FTS5 syntax in the text is plain words"


def test_functions_catalog_lists_the_new_functions(shop):
    listed = json.loads(shop.bazaar("functions", "--json").stdout)
    routes = {f["name"]: (f["method"], f["path"], f["auth"]) for f in listed}
    assert routes["registerSeller"] == ("POST", "/sellers", "public")
    assert routes["withdrawSeller"] == ("DELETE", "/sellers/me", "seller")
    assert routes["adjustStock"] == ("POST", "/products/{id}/stock", "seller")
    assert routes["listProducts"] == ("GET", "/products", "public")
