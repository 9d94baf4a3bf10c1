#!/usr/bin/env bash
# The shop from the shell: a user signs up and logs in; a seller registers and offers a
# product; anyone searches the catalog; the user places an order (the stock is reserved),
# and the outbox relay carries its event into the spool, where a worker takes it.
# Runs against a throw-away BAZAAR_HOME unless one is set (`make demo`; `make run` serves HTTP).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export BAZAAR_HOME="${BAZAAR_HOME:-$(mktemp -d)}"
fn="$root/functions"
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
json() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

echo "BAZAAR_HOME=$BAZAAR_HOME"
"$root/bin/bazaar" functions

step "functions/signup < functions/samples/signup.json"
"$fn/signup" < "$fn/samples/signup.json" 2>/dev/null

step "functions/signup < functions/samples/signup.json   # again: 409, exit 65"
"$fn/signup" < "$fn/samples/signup.json" 2>/dev/null || echo "exit $?"

step "functions/login < functions/samples/login.json"
login="$("$fn/login" < "$fn/samples/login.json" 2>/dev/null)"
echo "$login"
export BAZAAR_TOKEN="$(json token <<<"$login")"

step "BAZAAR_TOKEN=… functions/getProfile"
"$fn/getProfile" < /dev/null

step "functions/updateProfile < functions/samples/updateProfile.json"
"$fn/updateProfile" < "$fn/samples/updateProfile.json" 2>/dev/null

step "functions/logout; functions/getProfile   # revoked: 401, exit 77"
"$fn/logout" < /dev/null 2>/dev/null
"$fn/getProfile" < /dev/null 2>/dev/null || echo "exit $?"

step "functions/registerSeller < functions/samples/registerSeller.json"
"$fn/registerSeller" < "$fn/samples/registerSeller.json" 2>/dev/null

step "functions/sellerLogin < functions/samples/sellerLogin.json"
export BAZAAR_TOKEN="$("$fn/sellerLogin" < "$fn/samples/sellerLogin.json" 2>/dev/null | json token)"
echo "BAZAAR_TOKEN=${BAZAAR_TOKEN:0:24}…"

step "functions/createProduct < functions/samples/createProduct.json"
product="$("$fn/createProduct" < "$fn/samples/createProduct.json" 2>/dev/null)"
echo "$product"
id="$(json id <<<"$product")"

step "echo '{\"id\":\"$id\",\"add\":-3}' | functions/adjustStock"
echo "{\"id\":\"$id\",\"add\":-3}" | "$fn/adjustStock" 2>/dev/null

step "echo '{\"q\":\"사과\"}' | functions/listProducts   # public: no token needed"
echo '{"q":"사과"}' | BAZAAR_TOKEN= "$fn/listProducts" 2>/dev/null

step "functions/login (the user again)"
export BAZAAR_TOKEN="$(echo '{"email":"kim@example.com","password":"correct horse"}' | "$fn/login" 2>/dev/null | json token)"

step "echo '{\"items\":[{\"productId\":\"$id\",\"quantity\":2}],…}' | functions/placeOrder   # priced by the catalog"
order="$(sed "s/prd_PRODUCT_ID/$id/" "$fn/samples/placeOrder.json" | "$fn/placeOrder" 2>/dev/null)"
echo "$order"

step "echo '{\"id\":\"$id\"}' | functions/getProduct   # 2 of its units are reserved"
echo "{\"id\":\"$id\"}" | "$fn/getProduct" 2>/dev/null

step "bazaar outbox stats; bazaar outbox relay --once   # the order.placed event, committed with the order"
"$root/bin/bazaar" outbox stats
"$root/bin/bazaar" outbox relay --once

step "bazaar queue work orders --once -- sh -c 'cat; echo'   # one program run per message; exit 0 acks"
"$root/bin/bazaar" queue work orders --once -- sh -c 'cat; echo' 2>/dev/null

step "bazaar db check"
"$root/bin/bazaar" db check

step "bazaar queue stats"
"$root/bin/bazaar" queue stats
