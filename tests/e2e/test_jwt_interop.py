"""Bazaar's tokens against PyJWT, in both directions, and PyJWT-made forgeries."""

import time
import uuid

import jwt
import pytest

from conftest import SECRET


@pytest.fixture
def user(shop):
    return shop.signup()


def mint(sub, secret=SECRET, alg="HS256", **overrides):
    now = int(time.time())
    claims = {"sub": sub, "role": "user", "jti": str(uuid.uuid4()), "iat": now, "exp": now + 600, **overrides}
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, secret, algorithm=alg)


def test_our_tokens_verify_in_pyjwt(shop, user):
    token = shop.login()
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"require": ["exp", "iat", "sub", "jti"]})
    assert claims["sub"] == user["id"] and claims["role"] == "user"
    assert claims["exp"] - claims["iat"] == 3600
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, SECRET + "x", algorithms=["HS256"])


def test_pyjwt_tokens_verify_here_and_can_be_revoked(shop, user):
    token = mint(user["id"])
    profile = shop.call("getProfile", token=token)
    assert profile.code == 0 and profile.body["id"] == user["id"]
    assert shop.call("logout", token=token).code == 0
    shop.call("getProfile", token=token).problem(401, "token_revoked", 77)
    # nbf in the past is fine; a NumericDate must be an integer (below).
    assert shop.call("getProfile", token=mint(user["id"], nbf=int(time.time()) - 5)).code == 0


@pytest.mark.parametrize(
    "forge, code",
    [
        (lambda sub: mint(sub, secret=SECRET[::-1]), "token_invalid"),
        (lambda sub: mint(sub, alg="HS512"), "token_invalid"),
        (lambda sub: mint(sub, secret=None, alg="none"), "token_invalid"),
        (lambda sub: mint(sub, secret=SECRET.encode(), alg="HS384"), "token_invalid"),
        (lambda sub: mint(sub, exp=int(time.time()) - 1), "token_expired"),
        (lambda sub: mint(sub, nbf=int(time.time()) + 600), "token_not_yet_valid"),
        (lambda sub: mint(sub, jti=None), "token_invalid"),
        (lambda sub: mint(sub, exp=None), "token_invalid"),
        (lambda sub: mint(sub, role="admin"), "token_invalid"),
        (lambda sub: mint(sub, exp="tomorrow"), "token_invalid"),
        (lambda sub: jwt.encode({"sub": sub}, SECRET, algorithm="HS256", headers={"crit": ["exp"]}), "token_invalid"),
        (lambda sub: mint(sub)[:-2], "token_invalid"),
        (lambda sub: mint(sub) + ".extra", "token_invalid"),
        (lambda sub: "not-a-token", "token_invalid"),
    ],
    ids=["wrong-secret", "hs512", "alg-none", "hs384", "expired", "not-yet-valid", "no-jti", "no-exp",
         "unknown-role", "exp-string", "crit-header", "truncated-signature", "four-segments", "garbage"],
)
def test_forgeries_are_refused(shop, user, forge, code):
    shop.call("getProfile", token=forge(user["id"])).problem(401, code, 77)


def test_a_seller_token_is_forbidden_for_user_functions(shop, user):
    shop.call("getProfile", token=mint("sel_" + "0" * 26, role="seller")).problem(403, "forbidden_role", 77)


def test_a_valid_token_for_a_missing_user_is_404(shop, user):
    shop.call("getProfile", token=mint("usr_" + "0" * 26)).problem(404, "user_not_found", 65)


@pytest.mark.parametrize(
    "overrides",
    [
        {"exp": time.time() + 600.5},
        {"iat": int(time.time()) + 1_000_000, "exp": int(time.time()) + 1_000_600},
        {"exp": 253402300799},
        {"exp": int(time.time()) + 3601, "iat": int(time.time())},
        {"jti": ""},
        {"iat": time.time()},
        {"role": "seller"},
        {"role": "operator"},
    ],
    ids=["float-exp", "iat-far-ahead", "exp-year-9999", "longer-than-the-ttl", "empty-jti", "float-iat",
         "user-id-as-seller", "user-id-as-operator"],
)
def test_loose_claims_are_refused_even_with_the_real_key(shop, user, overrides):
    shop.call("getProfile", token=mint(user["id"], **overrides)).problem(401, "token_invalid", 77)


def test_a_nul_in_a_subject_or_any_text_is_refused(shop, user):
    """`usr_X\u0000junk` used to authenticate as `usr_X` (SQLite cut the text at the NUL)."""
    shop.call("getProfile", token=mint(user["id"] + "\u0000junk")).problem(401, "token_invalid", 77)
    token = shop.login()
    refused = shop.call("updateProfile", {"name": "Kim\u0000Admin"}, token=token)
    refused.problem(422, "validation_failed", 65)
    assert refused.body["errors"] == [{"field": "name", "code": "invalid", "detail": "name must not contain NUL characters"}]
    lookup = shop.call("getProduct", {"id": "prd_" + "0" * 26 + "\u0000"})
    assert lookup.code == 65 and lookup.body["code"] == "validation_failed"


def test_secret_file_is_read_with_its_trailing_newline_dropped(shop, user, tmp_path):
    secret_file = tmp_path / "jwt.key"
    secret_file.write_text("file-secret-0123456789abcdef0123456789abcdef\n")
    env = {"BAZAAR_JWT_SECRET_FILE": str(secret_file)}
    token = shop.call("login", {"email": "kim@example.com", "password": "correct horse"},
                      env=env, unset=["BAZAAR_JWT_SECRET"]).body["token"]
    assert jwt.decode(token, "file-secret-0123456789abcdef0123456789abcdef", algorithms=["HS256"])["sub"] == user["id"]
    shop.call("getProfile", env={"BAZAAR_JWT_SECRET_FILE": str(tmp_path / "missing")},
              unset=["BAZAAR_JWT_SECRET"]).problem(500, "configuration_error", 70)
