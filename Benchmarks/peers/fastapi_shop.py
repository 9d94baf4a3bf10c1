"""The HTTP benchmark's peer: what a shop would write instead with FastAPI + uvicorn over the same
SQLite file (WAL), one connection per worker thread, async endpoints, uvloop and httptools.

GET /products/{id} is ../shared/peers/fastapi_products.py's route unchanged. GET /products (the
first page, no filters) and GET /orders/{id} do the work Bazaar's routes do, with the same SQL:
the listing's SELECT, its products' variants and its cursor; for an order, the bearer token checked with PyJWT
(HS256, exp/iat/sub/jti required, the role), the revocation lookup, the order with its lines,
its latest payment and its shipments, and the same JSON shape.

Usage: BAZAAR_DB=path BAZAAR_JWT_SECRET_FILE=path uvicorn --app-dir Benchmarks/peers fastapi_shop:app
--port P --workers 1 --loop uvloop --http httptools (pip install -r Benchmarks/requirements.txt)."""
import base64, datetime, json, os, sqlite3, threading

import jwt
from fastapi import FastAPI, Header, HTTPException

app = FastAPI()
local = threading.local()
SECRET = open(os.environ["BAZAAR_JWT_SECRET_FILE"], "rb").read().strip()


def db():
    c = getattr(local, "c", None)
    if c is None:
        c = local.c = sqlite3.connect(os.environ["BAZAAR_DB"], check_same_thread=False)
        c.row_factory = sqlite3.Row
    return c


def rfc3339(ms):
    if ms is None:
        return None
    t = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def product_view(r, variants):
    options = json.loads(r["options"])
    names = [o["name"] for o in options]
    views = [{"id": v["id"], "optionValues": dict(zip(names, (v["option1"], v["option2"], v["option3"]))),
              "sku": v["sku"], "price": v["price"], "stock": v["stock"], "reserved": v["reserved"],
              "available": v["stock"] - v["reserved"], "position": v["position"]} for v in variants]
    prices = [v["price"] for v in variants]
    return {"id": r["id"], "sellerId": r["seller_id"], "name": r["name"], "description": r["description"],
            "price": min(prices), "priceRange": {"min": min(prices), "max": max(prices)}, "currency": "KRW",
            "stock": sum(v["stock"] for v in views), "reserved": sum(v["reserved"] for v in views),
            "available": sum(v["available"] for v in views), "imageUrl": r["image_url"], "category": r["category"],
            "options": options, "variants": views,
            "status": "active" if r["deleted_at"] is None else "deleted", "createdAt": rfc3339(r["created_at"]),
            "updatedAt": rfc3339(r["updated_at"]), "deletedAt": rfc3339(r["deleted_at"])}


@app.get("/healthz")
def healthz(): return {"status": "ok"}


@app.get("/products/{pid}")
async def get_product(pid: str):
    r = db().execute("select * from products where id = ? and deleted_at is null", (pid,)).fetchone()
    if r is None: raise HTTPException(404, "product_not_found")
    return dict(r)


@app.get("/products")
async def list_products(limit: int = 20):
    rows = db().execute(
        "SELECT p.* FROM products p JOIN sellers s ON s.id = p.seller_id "
        "WHERE p.deleted_at IS NULL AND s.status = 'active' ORDER BY p.created_at DESC, p.id DESC LIMIT ?",
        (limit + 1,)).fetchall()
    cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        cursor = base64.urlsafe_b64encode(
            f"p1\x1fnewest\x1f0\x1fi{last['created_at']}\x1f{last['id']}".encode()).rstrip(b"=").decode()
    variants = {}
    if rows:
        for v in db().execute(
                f"SELECT * FROM product_variants WHERE product_id IN ({', '.join('?' * len(rows))}) "
                "AND deleted_at IS NULL ORDER BY product_id, position, id", [r["id"] for r in rows]).fetchall():
            variants.setdefault(v["product_id"], []).append(v)
    return {"items": [product_view(r, variants.get(r["id"], [])) for r in rows], "nextCursor": cursor}


@app.get("/orders/{oid}")
async def get_order(oid: str, authorization: str = Header(default="")):
    scheme, _, token = authorization.partition(" ")
    try:
        claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"require": ["exp", "iat", "sub", "jti"]})
    except jwt.PyJWTError:
        raise HTTPException(401, "invalid_token")
    if scheme.lower() != "bearer" or claims.get("role") != "user":
        raise HTTPException(403, "forbidden")
    c = db()
    revoked = c.execute("SELECT revoked_at IS NOT NULL FROM issued_tokens WHERE jti = ?", (claims["jti"],)).fetchone()
    if revoked and revoked[0]:
        raise HTTPException(401, "token_revoked")
    o = c.execute("SELECT * FROM orders WHERE id = ?", (oid,)).fetchone()
    if o is None or o["user_id"] != claims["sub"]:
        raise HTTPException(404, "order_not_found")
    lines = c.execute("SELECT * FROM order_lines WHERE order_id IN (?) ORDER BY order_id, line", (oid,)).fetchall()
    p = c.execute("SELECT * FROM payments WHERE order_id = ? ORDER BY seq DESC LIMIT 1", (oid,)).fetchone()
    shipments = c.execute("SELECT * FROM shipments WHERE order_id = ? ORDER BY seq", (oid,)).fetchall()
    return {
        "id": o["id"], "userId": o["user_id"], "status": o["status"],
        "items": [{"productId": l["product_id"], "variantId": l["variant_id"],
                   "optionValues": {c["name"]: c["value"] for c in json.loads(l["option_values"])}, "sku": l["sku"],
                   "name": l["name"], "unitPrice": l["unit_price"], "quantity": l["quantity"],
                   "lineTotal": l["line_total"], "sellerId": l["seller_id"]} for l in lines],
        "total": o["total"], "currency": "KRW",
        "shipping": {"recipient": o["ship_recipient"], "phone": o["ship_phone"], "postalCode": o["ship_postal_code"],
                     "line1": o["ship_line1"], "line2": o["ship_line2"]},
        "createdAt": rfc3339(o["created_at"]), "updatedAt": rfc3339(o["updated_at"]),
        "expiresAt": rfc3339(o["expires_at"]), "paidAt": rfc3339(o["paid_at"]),
        "canceledAt": rfc3339(o["canceled_at"]), "expiredAt": rfc3339(o["expired_at"]),
        "payment": None if p is None else {"id": p["id"], "status": p["status"], "amount": p["amount"],
                                           "sandbox": bool(p["sandbox"])},
        "shipments": [dict(s) for s in shipments],
    }
