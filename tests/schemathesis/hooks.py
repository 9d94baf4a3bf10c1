"""Data generation for the formats docs/openapi.yaml names but JSON Schema cannot spell out.

schemathesis loads this module (SCHEMATHESIS_HOOKS) before it runs. Each strategy produces
values the API accepts; schemathesis's checks themselves are not changed.
"""

import json
import os
import urllib.error
import urllib.request
import uuid

import schemathesis
from hypothesis import strategies as st

WEIGHTS = [1, 3, 7, 1, 3, 7, 1, 3, 5]


def business_number(digits):
    """A 사업자등록번호 with its NTS check digit, with or without dashes."""
    total = sum(d * w for d, w in zip(digits, WEIGHTS)) + digits[8] * 5 // 10
    text = "".join(map(str, digits)) + str((10 - total % 10) % 10)
    return text


schemathesis.openapi.format(
    "kr-business-number",
    st.tuples(st.lists(st.integers(0, 9), min_size=9, max_size=9), st.booleans()).map(
        lambda pair: (lambda n: f"{n[:3]}-{n[3:5]}-{n[5:]}" if pair[1] else n)(business_number(pair[0]))),
)
# Bazaar's addresses are ASCII dot-atoms with a dotted domain (Email.swift), a narrower set
# than the general `email` format, whose generator would stray outside it.
schemathesis.openapi.format(
    "email", st.from_regex(r"[A-Za-z0-9_+-]{1,20}(\.[a-z0-9]{1,10})?@[a-z0-9]{1,20}(-[a-z0-9]{1,5})?\.[a-z]{2,10}",
                           fullmatch=True))
schemathesis.openapi.format("phone", st.from_regex(r"\+?[0-9]{2,3}[ -]?[0-9]{3,4}[ -]?[0-9]{4}", fullmatch=True))
schemathesis.openapi.format(
    "http-url", st.from_regex(r"https?://[a-z0-9]{1,20}(\.[a-z]{2,6})?(/[A-Za-z0-9._~%-]{0,30}){0,3}", fullmatch=True))
schemathesis.openapi.format(
    "search-text",
    st.lists(st.from_regex(r"[a-z0-9가-힣]{1,10}", fullmatch=True), max_size=8).map(" ".join))


@schemathesis.hook
def map_case(ctx, case):
    case = _without_made_up_cursors(case)
    if not (case.meta and case.meta.generation.mode.is_positive and isinstance(case.body, (dict, type(None)))):
        return case
    case = _variants_that_match_their_options(case)
    return _one_line_per_variant_and_fresh_keys(case)


@schemathesis.hook
def before_call(ctx, case, kwargs):
    """The stateful phase sends what its links carry, after map_case: a variant id taken from one
    product's answer may arrive with another product's path."""
    _stock_of_the_product_s_own_variant(case)
    _the_product_s_own_photos(case)
    if case.meta and case.meta.generation.mode.is_positive and all(
            component.mode.is_positive for component in case.meta.components.values()):
        _photos_that_are_photos(case)


def _stock_of_the_product_s_own_variant(case):
    """adjustStock names one of the product's variants (and must, with options). A case whose
    variantId is a string, or absent, gets the product's first variant when it names none of
    its own; a value of another type is left for the server to refuse."""
    body = case.body
    if case.method.upper() != "POST" or case.path != "/products/{id}/stock" or not isinstance(body, dict):
        return
    given = body.get("variantId")
    if given is not None and not isinstance(given, str):
        return
    product = _product((case.path_parameters or {}).get("id"))
    if product is None:
        return
    own = [v["id"] for v in product["variants"]]
    if (given is not None or product["options"]) and given not in own:
        case.body = {**body, "variantId": own[0]}


def _tiny(fmt):
    """A real 8 × 8 image in `fmt` (Pillow), made once."""
    import io
    from PIL import Image
    if fmt not in _TINY:
        out = io.BytesIO()
        Image.new("RGB", (8, 8), (200, 40, 40)).save(out, fmt)
        _TINY[fmt] = out.getvalue()
    return _TINY[fmt]


_TINY = {}


def _photos_that_are_photos(case):
    """An upload's `data` must be a real JPEG, PNG or WebP of the type declared (its own bytes
    judge it), which JSON Schema cannot say: schema-valid cases carry one."""
    if case.method.upper() != "POST" or case.path != "/products/{id}/images":
        return case
    import base64
    if isinstance(case.body, dict):
        case.body = {**case.body, "data": base64.b64encode(_tiny("JPEG")).decode(), "contentType": "image/jpeg"}
    return case


def _the_product_s_own_photos(case):
    """`imageIds` lists the product's own photos, every one once; `imageAlt` and a variant's
    `imageId` name its photos: cases get the product's photos (or none) in their place, and a
    product's changes fit its options (the stateful phase may have sent them to another)."""
    body = case.body
    if not isinstance(body, dict) or case.method.upper() != "PATCH":
        return
    if case.path not in ("/products/{id}", "/products/{id}/variants/{variantId}"):
        return
    product = _product((case.path_parameters or {}).get("id"))
    if product is None:
        return
    if case.path == "/products/{id}":
        # As map_case does, for what the stateful phase's links changed since.
        if product["options"]:
            body.pop("price", None)
        if "options" in body:
            body["options"] = product["options"] if body["options"] is not None else None
    own = [image["id"] for image in product["images"]]
    if "imageIds" in body and body["imageIds"] is not None:
        body["imageIds"] = own
    if isinstance(body.get("imageAlt"), dict):
        body["imageAlt"] = {image: text for image, text in zip(own, body["imageAlt"].values())}
    if body.get("imageId") is not None and body["imageId"] not in own:
        body["imageId"] = own[0] if own else None
    case.body = body


def _product(product_id):
    """The product as the shop serves it (SCHEMATHESIS_BASE_URL, set by the test), or None."""
    base = os.environ.get("SCHEMATHESIS_BASE_URL")
    if not base or not isinstance(product_id, str):
        return None
    try:
        with urllib.request.urlopen(f"{base}/products/{urllib.request.quote(product_id, safe='')}", timeout=10) as r:
            return json.loads(r.read())
    except (urllib.error.URLError, ValueError):
        return None


def _post(path, body, token=None):
    request = urllib.request.Request(os.environ["SCHEMATHESIS_BASE_URL"] + path, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def _foreign_product():
    """The id of a product with options of a second seller, made once through the API; None
    when the shop cannot be reached."""
    if "id" not in _FOREIGN and os.environ.get("SCHEMATHESIS_BASE_URL"):
        try:
            account = {"email": "st-other@example.com", "password": "correct horse battery staple"}
            _post("/sellers", {**account, "businessName": "Other", "businessNumber": business_number([1] * 9)})
            token = _post("/sellers/auth", account)["token"]
            _FOREIGN["id"] = _post("/products", {
                "name": "Other's", "options": [{"name": "size", "values": ["S"]}],
                "variants": [{"optionValues": {"size": "S"}, "price": 1000, "stock": 1}]}, token)["id"]
        except (urllib.error.URLError, ValueError, KeyError):
            return None
    return _FOREIGN.get("id")


_FOREIGN = {}


def _trimmed(text):
    return text.strip(" \t\n\r\x0b\x0c\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
                      "\u200a\u2028\u2029\u202f\u205f\u3000\u200b\u200c\u200d\u2060\ufeff") \
        if isinstance(text, str) else text


def _variants_that_match_their_options(case):
    """A product's variants must name its options' declared values, each combination and SKU
    once; a product with options is priced and stocked per variant; which JSON Schema cannot
    say. Schema-valid cases get options with distinct names and values, and variants built from
    them; the operations on an existing product fit it."""
    method, path, body = case.method.upper(), case.path, case.body
    if method == "POST" and path == "/products" and isinstance(body, dict) and body.get("options"):
        options, names = [], set()
        for option in body["options"]:
            name = _trimmed(option.get("name")) if isinstance(option, dict) else None
            if name is None or name in names:
                continue
            names.add(name)
            kept, seen = [], set()
            for value in option.get("values", []):
                if isinstance(value, str) and _trimmed(value) not in seen:
                    seen.add(_trimmed(value))
                    kept.append(value)
            options.append({**option, "values": kept})
        options = [o for o in options if o["values"]][:3] or [{"name": "size", "values": ["S"]}]
        variants = []
        for index, variant in enumerate(body.get("variants") or [{"price": 1, "stock": 0}]):
            if not isinstance(variant, dict) or index >= len(options[0]["values"]):
                break
            values = {o["name"]: o["values"][index % len(o["values"])] for o in options}
            variant = {k: v for k, v in variant.items() if k != "sku"}
            variants.append({**variant, "optionValues": values})
        case.body = {**body, "options": options, "variants": variants}
    elif method == "PATCH" and path == "/products/{id}" and isinstance(body, dict):
        product = _product((case.path_parameters or {}).get("id"))
        if product is not None:
            changed = dict(body)
            if product["options"]:
                changed.pop("price", None)
            if "options" in changed:
                changed["options"] = product["options"] if changed["options"] is not None else None
            case.body = changed
    elif method == "POST" and path == "/products/{id}/variants" and isinstance(body, dict):
        product = _product((case.path_parameters or {}).get("id"))
        if product is not None and product["options"]:
            case.body = {**body, "optionValues": product["variants"][0]["optionValues"]}  # a 409 variant_exists
        elif product is not None and _foreign_product():
            # No options (422 `no_options`): another seller's product instead, a 403 (a 404 would
            # read as "the created product is gone" to the stateful phase).
            case.path_parameters = {**case.path_parameters, "id": _foreign_product()}
    return case


def _one_line_per_variant_and_fresh_keys(case):
    """placeOrder takes a variant once per order, needs the variant of a product with options,
    and takes an idempotency key once per body, which JSON Schema cannot say: schema-valid cases
    name a variant where one is needed, keep the first line of each, and get a new key, so a
    repeat or a reused key is never sent as "valid" data."""
    if case.method.upper() == "POST" and case.path == "/orders" and isinstance(case.body, dict):
        seen, items = set(), []
        for item in case.body.get("items", []):
            if not isinstance(item, dict):
                continue
            if not item.get("variantId"):
                product = _product(item.get("productId"))
                if product is not None:
                    item = {**item, "variantId": product["variants"][0]["id"]}
            key = item.get("variantId") or item.get("productId")
            if key not in seen:
                seen.add(key)
                items.append(item)
        case.body = {**case.body, "items": items or case.body.get("items", [])}
        key = str(uuid.uuid4())  # the header and the body, when both are sent, must agree
        if "idempotencyKey" in case.body:
            case.body["idempotencyKey"] = key
        if case.headers and "Idempotency-Key" in case.headers:
            case.headers = {**case.headers, "Idempotency-Key": key}
    return case


def _without_made_up_cursors(case):
    """A cursor is minted by the server for one listing, so no generated text is one (a
    made-up cursor is a documented 422). Schema-valid cases leave it out; the negative ones
    keep whatever they send."""
    if case.query and "cursor" in case.query and case.meta and case.meta.generation.mode.is_positive:
        case.query = {k: v for k, v in case.query.items() if k != "cursor"}
    return case
