"""Data generation for the formats docs/openapi.yaml names but JSON Schema cannot spell out.

schemathesis loads this module (SCHEMATHESIS_HOOKS) before it runs. Each strategy produces
values the API accepts; schemathesis's checks themselves are not changed.
"""

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
    return _one_line_per_product_and_fresh_keys(case)


def _one_line_per_product_and_fresh_keys(case):
    """placeOrder takes a product once per order and an idempotency key once per body, which
    JSON Schema cannot say: schema-valid cases keep the first line of each product and get a
    new key, so a repeat or a reused key is never sent as "valid" data."""
    if (case.method.upper() == "POST" and case.path == "/orders" and isinstance(case.body, dict)
            and case.meta and case.meta.generation.mode.is_positive):
        seen, items = set(), []
        for item in case.body.get("items", []):
            if isinstance(item, dict) and item.get("productId") not in seen:
                seen.add(item.get("productId"))
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
