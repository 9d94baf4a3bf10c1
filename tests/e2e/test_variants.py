"""Products with options and variants through the built binary and over HTTP: what a seller
declares and changes, what a buyer orders, and per-variant oversell under concurrency."""

import http.client
import json
import threading

import pytest

from conftest import BUSINESS_NUMBERS
from http_client import Runner

SHIPPING = {"recipient": "Kim Minji", "phone": "010-1234-5678", "postalCode": "06236", "line1": "Teheran-ro 152"}
APPLES = {
    "name": "청송 사과", "description": "Crisp", "options": [{"name": "무게", "values": ["5kg", "10kg"]}],
    "variants": [{"optionValues": {"무게": "5kg"}, "sku": "APL-5", "price": 32000, "stock": 10},
                 {"optionValues": {"무게": "10kg"}, "sku": "APL-10", "price": 55000, "stock": 10}],
}


class Orchard:
    """A seller with a product sold in two weights, and a buyer."""

    def __init__(self, shop):
        self.shop = shop
        shop.register_seller("farm@example.com", BUSINESS_NUMBERS[0])
        self.seller = shop.seller_login("farm@example.com")
        shop.signup("buyer@example.com")
        self.buyer = shop.login("buyer@example.com")
        made = shop.call("createProduct", APPLES, token=self.seller)
        assert made.code == 0, made.stdout
        self.apples = made.body
        self.small, self.large = self.apples["variants"]

    def place(self, *lines):
        items = [{"productId": self.apples["id"], "variantId": v["id"], "quantity": q} for v, q in lines]
        return self.shop.call("placeOrder", {"items": items, "shipping": SHIPPING}, token=self.buyer)

    def reserved(self):
        return self.shop.sql("SELECT id, stock, reserved FROM product_variants WHERE product_id = ? ORDER BY position",
                             self.apples["id"])


@pytest.fixture
def orchard(shop):
    return Orchard(shop)


def test_a_product_with_options_lists_its_variants_and_shows_their_range(orchard):
    apples = orchard.shop.call("getProduct", {"id": orchard.apples["id"]}).body
    assert apples == orchard.apples
    assert apples["price"] == 32000 and apples["priceRange"] == {"min": 32000, "max": 55000}
    assert apples["stock"] == 20 and apples["available"] == 20 and apples["options"] == APPLES["options"]
    assert [(v["optionValues"], v["sku"], v["price"], v["position"]) for v in apples["variants"]] == [
        ({"무게": "5kg"}, "APL-5", 32000, 0), ({"무게": "10kg"}, "APL-10", 55000, 1)]
    assert all(v["id"].startswith("var_") and v["available"] == 10 for v in apples["variants"])
    cheap = orchard.shop.call("listProducts", {"maxPrice": 40000}).body["items"]
    assert [p["id"] for p in cheap] == [apples["id"]]


def test_bad_variants_are_named_and_nothing_is_stored(orchard):
    bad = dict(APPLES, variants=[{"optionValues": {"무게": "5kg"}, "price": 1, "stock": 1},
                                 {"optionValues": {"무게": "5kg"}, "price": 1, "stock": 1},
                                 {"optionValues": {"무게": "3kg"}, "price": 1, "stock": 1}])
    refused = orchard.shop.call("createProduct", bad, token=orchard.seller)
    refused.problem(422, "validation_failed", 65)
    assert {(e["field"], e["code"]) for e in refused.body["errors"]} == {
        ("variants[1]", "repeated"), ("variants[2]", "undeclared_value")}
    taken = orchard.shop.call("createProduct", dict(APPLES, name="Other"), token=orchard.seller)
    taken.problem(409, "sku_taken", 65)
    assert orchard.shop.sql("SELECT count(*) FROM products") == [(1,)]
    assert orchard.shop.sql("SELECT count(*) FROM product_variants") == [(2,)]


def test_variants_are_added_changed_stocked_and_deleted(orchard):
    shop, seller, pid = orchard.shop, orchard.seller, orchard.apples["id"]
    options = {"options": [{"name": "중량", "values": ["5kg", "10kg", "3kg"]}]}
    renamed = shop.call("updateProduct", {"id": pid, **options}, token=seller)
    assert renamed.code == 0 and renamed.body["options"] == options["options"], renamed.stdout
    added = shop.call("createVariant", {"id": pid, "optionValues": {"중량": "3kg"}, "price": 21000, "stock": 4},
                      token=seller)
    assert added.code == 0 and added.body["optionValues"] == {"중량": "3kg"} and added.body["position"] == 2
    again = shop.call("createVariant", {"id": pid, "optionValues": {"중량": "3kg"}, "price": 1, "stock": 1},
                      token=seller)
    again.problem(409, "variant_exists", 65)
    changed = shop.call("updateVariant", {"id": pid, "variantId": added.body["id"], "price": 19000, "sku": None},
                        token=seller)
    assert changed.code == 0 and (changed.body["price"], changed.body["sku"]) == (19000, None)
    assert shop.call("getProduct", {"id": pid}).body["price"] == 19000
    needs = shop.call("adjustStock", {"id": pid, "set": 3}, token=seller)
    needs.problem(422, "validation_failed", 65)
    assert needs.body["errors"][0]["field"] == "variantId"
    stocked = shop.call("adjustStock", {"id": pid, "variantId": added.body["id"], "add": 6}, token=seller)
    assert stocked.code == 0 and stocked.body["stock"] == 30, stocked.stdout
    price = shop.call("updateProduct", {"id": pid, "price": 5}, token=seller)
    price.problem(422, "validation_failed", 65)
    gone = shop.call("deleteVariant", {"id": pid, "variantId": added.body["id"]}, token=seller)
    assert gone.code == 0 and len(gone.body["variants"]) == 2
    missing = shop.call("updateVariant", {"id": pid, "variantId": added.body["id"], "price": 1}, token=seller)
    missing.problem(404, "variant_not_found", 65)
    shop.call("deleteVariant", {"id": pid, "variantId": orchard.small["id"]}, token=seller)
    last = shop.call("deleteVariant", {"id": pid, "variantId": orchard.large["id"]}, token=seller)
    last.problem(409, "last_variant", 65)


def test_an_order_names_its_variants_and_records_what_was_sold(orchard):
    placed = orchard.place((orchard.large, 1), (orchard.small, 2))
    assert placed.code == 0, placed.stdout
    lines = placed.body["items"]
    assert [(l["variantId"], l["optionValues"], l["sku"], l["unitPrice"]) for l in lines] == [
        (orchard.large["id"], {"무게": "10kg"}, "APL-10", 55000), (orchard.small["id"], {"무게": "5kg"}, "APL-5", 32000)]
    assert placed.body["total"] == 55000 + 2 * 32000
    assert orchard.reserved() == [(orchard.small["id"], 10, 2), (orchard.large["id"], 10, 1)]
    # The order keeps what was sold after the seller renames the option and deletes the variant.
    orchard.shop.call("updateProduct", {"id": orchard.apples["id"], "options": [{"name": "중량", "values": ["5kg", "10kg"]}]},
                      token=orchard.seller)
    orchard.shop.call("deleteVariant", {"id": orchard.apples["id"], "variantId": orchard.large["id"]},
                      token=orchard.seller)
    kept = orchard.shop.call("getOrder", {"id": placed.body["id"]}, token=orchard.buyer).body
    assert kept["items"] == lines


def test_an_order_must_say_which_variant_and_each_once(orchard):
    shop, pid = orchard.shop, orchard.apples["id"]
    unnamed = shop.call("placeOrder", {"items": [{"productId": pid, "quantity": 1}], "shipping": SHIPPING},
                        token=orchard.buyer)
    unnamed.problem(422, "validation_failed", 65)
    assert [(e["field"], e["code"]) for e in unnamed.body["errors"]] == [("items[0].variantId", "variant_required")]
    twice = orchard.place((orchard.small, 1), (orchard.small, 2))
    twice.problem(422, "validation_failed", 65)
    assert [(e["field"], e["code"]) for e in twice.body["errors"]] == [("items[1].variantId", "repeated")]
    other = orchard.shop.create_product(orchard.seller, name="Pears")
    foreign = shop.call("placeOrder", {"items": [{"productId": pid, "variantId": other["variants"][0]["id"],
                                                  "quantity": 1}], "shipping": SHIPPING}, token=orchard.buyer)
    foreign.problem(409, "product_unavailable", 65)
    short = orchard.place((orchard.small, 1), (orchard.large, 11))
    short.problem(409, "out_of_stock", 65)
    assert short.body["items"] == [{"productId": pid, "variantId": orchard.large["id"], "requested": 11,
                                    "available": 10}]
    assert orchard.reserved() == [(orchard.small["id"], 10, 0), (orchard.large["id"], 10, 0)]


def test_in_stock_lists_products_with_any_variant_left(orchard):
    shop = orchard.shop
    sold_out = shop.create_product(orchard.seller, name="Sold out", stock=0)
    listed = {p["id"] for p in shop.call("listProducts", {"inStock": True}).body["items"]}
    assert listed == {orchard.apples["id"]}
    assert orchard.place((orchard.small, 10)).code == 0
    assert {p["id"] for p in shop.call("listProducts", {"inStock": True}).body["items"]} == {orchard.apples["id"]}
    assert {p["id"] for p in shop.call("listProducts", {}).body["items"]} == {orchard.apples["id"], sold_out["id"]}
    server = Runner(shop, "inprocess")
    try:
        status, _, body = server.http("GET", "/products?inStock=true")
        assert status == 200 and [p["id"] for p in body["items"]] == [orchard.apples["id"]]
        status, _, body = server.http("GET", "/products?inStock=yes")
        assert status == 422 and body["errors"][0]["field"] == "inStock"
    finally:
        assert server.stop() == 0


def test_64_buyers_of_one_variant_and_64_of_its_sibling_never_oversell(orchard):
    """Over HTTP, 128 concurrent buyers: 64 want the 5 kg box, 64 the 10 kg; 10 of each win."""
    server = Runner(orchard.shop, "inprocess")
    try:
        statuses = {orchard.small["id"]: [], orchard.large["id"]: []}
        barrier = threading.Barrier(128)

        def client(variant):
            body = json.dumps({"items": [{"productId": orchard.apples["id"], "variantId": variant, "quantity": 1}],
                               "shipping": SHIPPING})
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
            barrier.wait()
            connection.request("POST", "/orders", body, {"Content-Type": "application/json",
                                                         "Authorization": f"Bearer {orchard.buyer}"})
            answer = connection.getresponse()
            payload = json.loads(answer.read())
            statuses[variant].append((answer.status, payload.get("code")))
            connection.close()

        threads = [threading.Thread(target=client, args=(v,)) for v in list(statuses) * 64]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for variant, answers in statuses.items():
            assert sorted(answers, key=repr) == sorted([(201, None)] * 10 + [(409, "out_of_stock")] * 54, key=repr)
        assert orchard.reserved() == [(orchard.small["id"], 10, 10), (orchard.large["id"], 10, 10)]
    finally:
        assert server.stop() == 0
