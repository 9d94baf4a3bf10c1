"""Product photos with real files (made and checked with Pillow, not with Bazaar's own code):
uploads over HTTP and from the shell, what is refused and stored, and /media under
`bazaar serve`, CGI (lighttpd running bazaar-fn) and FastCGI (lighttpd running bazaar fcgi; nginx,
which keeps the media it served)."""

import base64
import hashlib
import io
import json
import subprocess

from PIL import Image, ImageCms

from conftest import BUSINESS_NUMBERS, ROOT
from http_client import Runner
from test_web_servers import lighttpd, lighttpd_fastcgi, nginx, nginx_fastcgi, responders  # noqa: F401 (fixtures)

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def phone_photo(width=1600, height=1200):
    """A JPEG as a phone writes it: stored sideways with EXIF orientation 6 (turn 90° clockwise
    to view), the camera's GPS position and an ICC profile. Top half red, bottom half blue."""
    image = Image.new("RGB", (width, height), (220, 20, 20))
    image.paste((20, 20, 220), (0, height // 2, width, height))
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (37.0, 30.0, 15.0), 3: "E", 4: (127.0, 2.0, 30.0)})
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif, icc_profile=icc)
    return out.getvalue()


def encoded(fmt, size=(900, 600), mode="RGB", colour=(10, 120, 30)):
    out = io.BytesIO()
    Image.new(mode, size, colour).save(out, fmt)
    return out.getvalue()


def jpeg_segments(data):
    """The APPn markers of a JPEG's header (0xE0…0xEF), read from its bytes."""
    markers, at = [], 2
    while at + 4 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        if marker == 0xDA:  # start of scan: the header is over
            break
        length = int.from_bytes(data[at + 2:at + 4], "big")
        if 0xE0 <= marker <= 0xEF:
            markers.append((marker, data[at + 4:at + 4 + min(length - 2, 12)]))
        at += 2 + length
    return markers


def assert_no_metadata(data, fmt):
    image = Image.open(io.BytesIO(data))
    assert image.format == fmt
    assert len(image.getexif()) == 0, "EXIF survived"
    for key in ("exif", "icc_profile", "xmp", "XML:com.adobe.xmp"):
        assert not image.info.get(key), f"{key} survived"
    if fmt == "JPEG":
        # Only JFIF (APP0) may remain: no APP1 (EXIF, XMP), APP2 (ICC) or any other block.
        assert [m for m, _ in jpeg_segments(data) if m != 0xE0] == []
    return image


class Studio:
    """A seller with a product, calling functions/NAME from the shell."""

    def __init__(self, shop):
        self.shop = shop
        shop.register_seller("studio@example.com", BUSINESS_NUMBERS[0])
        self.seller = shop.seller_login("studio@example.com")
        self.product = shop.create_product(self.seller)["id"]

    def upload(self, data, content_type="image/jpeg", product=None, **extra):
        payload = {"id": product or self.product, "data": base64.b64encode(data).decode(), **extra}
        if content_type:
            payload["contentType"] = content_type
        return self.shop.call("uploadProductImage", payload, token=self.seller)

    def media_rows(self):
        return self.shop.sql("SELECT count(*) FROM media")[0][0]

    def images(self):
        return self.shop.call("getProduct", {"id": self.product}).body["images"]


def media(shop, url):
    """The stored bytes behind a rendition's url, through the shell's getMedia."""
    answer = shop.call("getMedia", {"name": url.rsplit("/", 1)[1]})
    assert answer.code == 0, answer.stdout
    return base64.b64decode(answer.body["data"])


def test_a_phone_photo_comes_back_upright_without_its_metadata(shop):
    studio = Studio(shop)
    made = studio.upload(phone_photo(), alt="  사과 한 상자  ")
    assert made.code == 0, made.stdout + made.stderr
    photo = made.body
    assert photo["id"].startswith("img_") and photo["alt"] == "사과 한 상자"
    # Upright: the stored 1600 × 1200 turned a quarter is 1200 wide and 1600 high, so the
    # renditions are 320, 640 and its own 1200 (never upscaled to 1280), plus a JPEG of 1200.
    assert (photo["width"], photo["height"]) == (1200, 1600)
    assert [(r["width"], r["format"]) for r in photo["renditions"]] == \
        [(320, "webp"), (640, "webp"), (1200, "webp"), (1200, "jpeg")]
    for rendition in photo["renditions"]:
        data = media(shop, rendition["url"])
        assert rendition["url"] == f"/media/{hashlib.sha256(data).hexdigest()}." + \
            ("webp" if rendition["format"] == "webp" else "jpg")
        assert len(data) == rendition["bytes"]
        image = assert_no_metadata(data, "WEBP" if rendition["format"] == "webp" else "JPEG")
        assert image.size == (rendition["width"], rendition["height"])
        assert rendition["height"] == round(rendition["width"] * 4 / 3)
        # Turned clockwise, the red top is now on the right and the blue bottom on the left.
        rgb = image.convert("RGB")
        left, right = rgb.getpixel((image.width // 8, image.height // 2)), \
            rgb.getpixel((image.width * 7 // 8, image.height // 2))
        assert left[2] > 150 and left[0] < 80, left
        assert right[0] > 150 and right[2] < 80, right
    assert studio.images() == [photo]
    assert b"PhoneMaker" not in media(shop, photo["renditions"][-1]["url"])


def test_png_and_webp_work_and_a_transparent_png_gets_a_white_jpeg(shop):
    studio = Studio(shop)
    png = studio.upload(encoded("PNG", (300, 200), "RGBA", (0, 0, 0, 0)), "image/png")
    assert png.code == 0, png.stdout
    assert [(r["width"], r["format"]) for r in png.body["renditions"]] == [(300, "webp"), (300, "jpeg")]
    fallback = Image.open(io.BytesIO(media(shop, png.body["renditions"][1]["url"]))).convert("RGB")
    assert fallback.getpixel((10, 10)) == (255, 255, 255)
    webp = studio.upload(encoded("WEBP", (2000, 1000)), "image/webp")
    assert webp.code == 0, webp.stdout
    assert [r["width"] for r in webp.body["renditions"]] == [320, 640, 1280, 1280]
    assert [r["height"] for r in webp.body["renditions"]] == [160, 320, 640, 640]
    # No declared type: judged by the bytes alone.
    assert studio.upload(encoded("JPEG", (100, 100)), content_type=None).code == 0
    assert len(studio.images()) == 3


def test_refusals_say_why_and_store_nothing(shop):
    studio = Studio(shop)
    png = encoded("PNG", (50, 50))
    cases = [
        (studio.upload(png, "image/jpeg"), 415, "unsupported_media_type", 65),  # a PNG renamed .jpg
        (studio.upload(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "image/svg+xml"),
         415, "unsupported_media_type", 65),
        (studio.upload(encoded("JPEG", (800, 800))[:1500]), 422, "invalid_image", 65),  # truncated
        # 41 megapixels declared by a small file: refused from its header, before decoding.
        (studio.upload(encoded("PNG", (8200, 5000), "L", 0), "image/png"), 422, "image_too_large", 65),
    ]
    for result, status, code, exit_code in cases:
        result.problem(status, code, exit_code)
    # 11 MB: past the 10 MiB an image may have.
    big = studio.upload(b"\xff\xd8\xff" + bytes(11_000_000))
    big.problem(413, "payload_too_large", 65)
    assert studio.images() == [] and studio.media_rows() == 0
    # Another seller's product, an unknown one, a product's eleventh photo.
    shop.register_seller("other@example.com", BUSINESS_NUMBERS[1])
    other = shop.seller_login("other@example.com")
    theirs = shop.create_product(other)["id"]
    studio.upload(png, "image/png", product=theirs).problem(403, "not_product_owner", 77)
    studio.upload(png, "image/png", product="prd_00000000000000000000000000").problem(404, "product_not_found", 65)
    for index in range(10):
        photo = encoded("PNG", (40, 40), colour=(index * 25, 250 - index * 25, 90))
        assert studio.upload(photo, "image/png").code == 0
    studio.upload(png, "image/png").problem(409, "too_many_images", 65)
    assert len(studio.images()) == 10 and studio.media_rows() == 20


def test_the_same_bytes_are_stored_once_and_go_with_their_last_photo(shop):
    studio = Studio(shop)
    photo = phone_photo(800, 600)
    first, second = studio.upload(photo).body, studio.upload(photo).body
    assert first["id"] != second["id"] and first["renditions"] == second["renditions"]
    assert [r["width"] for r in first["renditions"]] == [320, 600, 600]  # upright 600 × 800
    assert studio.media_rows() == 3
    deleted = shop.call("deleteProductImage", {"id": studio.product, "imageId": first["id"]}, token=studio.seller)
    assert deleted.code == 0 and [i["id"] for i in deleted.body["images"]] == [second["id"]]
    assert studio.media_rows() == 3
    assert shop.call("deleteProductImage", {"id": studio.product, "imageId": second["id"]},
                     token=studio.seller).code == 0
    assert studio.media_rows() == 0
    shop.call("getMedia", {"name": first["renditions"][0]["url"].rsplit("/", 1)[1]}).problem(
        404, "media_not_found", 65)


def test_photos_are_ordered_described_and_shown_by_variants(shop):
    studio = Studio(shop)
    shirt = shop.call("createProduct", {
        "name": "Shirt", "options": [{"name": "색", "values": ["흰색", "검정"]}],
        "variants": [{"optionValues": {"색": "흰색"}, "price": 19000, "stock": 3},
                     {"optionValues": {"색": "검정"}, "price": 19000, "stock": 3}]}, token=studio.seller).body
    white = studio.upload(encoded("PNG", (400, 400), colour=(250, 250, 250)), "image/png", product=shirt["id"]).body
    black = studio.upload(encoded("PNG", (400, 400), colour=(5, 5, 5)), "image/png", product=shirt["id"]).body
    changed = shop.call("updateProduct", {"id": shirt["id"], "imageIds": [black["id"], white["id"]],
                                          "imageAlt": {white["id"]: "흰 셔츠"}}, token=studio.seller)
    assert changed.code == 0, changed.stdout
    assert [(i["id"], i["alt"]) for i in changed.body["images"]] == [(black["id"], ""), (white["id"], "흰 셔츠")]
    shop.call("updateProduct", {"id": shirt["id"], "imageIds": [black["id"]]}, token=studio.seller).problem(
        422, "validation_failed", 65)
    variant = shirt["variants"][0]["id"]
    pointed = shop.call("updateVariant", {"id": shirt["id"], "variantId": variant, "imageId": white["id"]},
                        token=studio.seller)
    assert pointed.code == 0 and pointed.body["imageId"] == white["id"], pointed.stdout
    gone = shop.call("deleteProductImage", {"id": shirt["id"], "imageId": white["id"]}, token=studio.seller).body
    assert [i["id"] for i in gone["images"]] == [black["id"]]
    assert [v["imageId"] for v in gone["variants"]] == [None, None]


def curl(url, *args):
    """curl's answer as (status, headers, body bytes)."""
    out = subprocess.run(["curl", "-s", "-i", "--max-time", "60", url, *args], capture_output=True, timeout=90).stdout
    head, _, body = out.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body


def http_round_trip(base, token, product):
    """Uploads a photo as the request body, then fetches each rendition, then 304s it."""
    photo = phone_photo(1000, 800)
    path = ROOT / ".pytest_cache" / f"upload-{product}.jpg"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(photo)
    try:
        status, _, body = curl(f"{base}/products/{product}/images", "-H", f"Authorization: Bearer {token}",
                               "-H", "Content-Type: image/jpeg", "--data-binary", f"@{path}")
    finally:
        path.unlink()
    assert status == 201, body
    made = json.loads(body)
    assert made["alt"] == "" and (made["width"], made["height"]) == (800, 1000)
    for rendition in made["renditions"]:
        status, headers, data = curl(base + rendition["url"])
        assert status == 200, data
        assert hashlib.sha256(data).hexdigest() == rendition["url"].rsplit("/", 1)[1].split(".")[0]
        assert headers["content-type"] == ("image/webp" if rendition["format"] == "webp" else "image/jpeg")
        assert headers["cache-control"] == "public, max-age=31536000, immutable"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["content-security-policy"] == "default-src 'none'"
        assert headers["etag"] == '"' + rendition["url"].rsplit("/", 1)[1].split(".")[0] + '"'
        status, again, data = curl(base + rendition["url"], "-H", f"If-None-Match: {headers['etag']}")
        assert status == 304 and data == b"" and again["etag"] == headers["etag"]
    # The wrong extension, a made-up name.
    name = made["renditions"][0]["url"].rsplit("/", 1)[1].replace(".webp", ".jpg")
    assert curl(f"{base}/media/{name}")[0] == 404
    # An SVG sent as the body: refused by its bytes.
    status, _, body = curl(f"{base}/products/{product}/images", "-H", f"Authorization: Bearer {token}",
                           "-H", "Content-Type: image/svg+xml", "--data-binary", "<svg/>")
    assert status == 415 and json.loads(body)["code"] == "unsupported_media_type"
    return made


def http_seller(http):
    status, _, _ = http("POST", "/sellers", {"email": "web@example.com", "password": "correct horse battery",
                                             "businessName": "Web", "businessNumber": BUSINESS_NUMBERS[2]})
    assert status == 201
    status, _, login = http("POST", "/sellers/auth", {"email": "web@example.com", "password": "correct horse battery"})
    assert status == 200
    status, _, product = http("POST", "/products", {"name": "Lamp", "price": 9000, "stock": 2}, token=login["token"])
    assert status == 201
    return login["token"], product["id"]


def mapped_libraries(pid):
    """The files mapped into process `pid`, one path a line."""
    return "\n".join(sorted({line.split()[-1] for line in open(f"/proc/{pid}/maps") if "/" in line}))


def test_uploads_and_media_over_bazaar_serve(shop):
    runner = Runner(shop, "inprocess")
    try:
        token, product = http_seller(runner.http)
        base = f"http://127.0.0.1:{runner.port}"
        # libvips is loaded by the first upload, not at start.
        assert "libvips" not in mapped_libraries(runner.proc.pid)
        http_round_trip(base, token, product)
        assert "libvips.so.42" in mapped_libraries(runner.proc.pid)
        # 11 MB as the body is refused before it is read; nothing is stored.
        status, _, body = curl(f"{base}/products/{product}/images", "-H", f"Authorization: Bearer {token}",
                               "-H", "Content-Type: image/jpeg", "-H", "Content-Length: 11000000", "--data-binary",
                               "x")
        assert status == 413 and json.loads(body)["code"] == "payload_too_large"
        assert len(runner.http("GET", f"/products/{product}")[2]["images"]) == 1
        # A body over 1 MiB: curl asks `Expect: 100-continue` and gets its interim answer at once.
        path = runner.log_path.parent / "big.png"
        Image.effect_noise((800, 800), 80).convert("RGB").save(path, "PNG")
        assert path.stat().st_size > 1 << 20
        verbose = subprocess.run(["curl", "-sv", "-o", "/dev/null", "-H", f"Authorization: Bearer {token}",
                                  "-H", "Content-Type: image/png", "--data-binary", f"@{path}",
                                  f"{base}/products/{product}/images"], capture_output=True, text=True, timeout=60)
        assert "> Expect: 100-continue" in verbose.stderr and "< HTTP/1.1 100 Continue" in verbose.stderr, verbose.stderr
        assert "< HTTP/1.1 201" in verbose.stderr
    finally:
        runner.stop()


def test_uploads_and_media_through_lighttpd_cgi(lighttpd):  # noqa: F811
    token, product = http_seller(lighttpd)
    http_round_trip(lighttpd.base, token, product)


def test_uploads_and_media_through_lighttpd_fastcgi(lighttpd_fastcgi):  # noqa: F811
    token, product = http_seller(lighttpd_fastcgi)
    http_round_trip(lighttpd_fastcgi.base, token, product)
    assert len(responders(lighttpd_fastcgi.home)) == 1


def test_nginx_keeps_the_media_it_served_and_answers_them_without_the_responder(nginx_fastcgi):  # noqa: F811
    token, product = http_seller(nginx_fastcgi)
    made = http_round_trip(nginx_fastcgi.base, token, product)
    log = nginx_fastcgi.home / "log/fcgi.log"

    def asked(path):  # requests for `path` that reached `bazaar fcgi` (its access log)
        return [line for line in log.read_text().splitlines() if json.loads(line).get("path") == path]

    for rendition in made["renditions"]:
        path = rendition["url"]
        before = len(asked(path))
        assert before >= 1  # the first fetch went through
        for _ in range(3):
            status, headers, data = curl(nginx_fastcgi.base + path)
            assert status == 200 and headers["x-cache-status"] == "HIT"
            assert hashlib.sha256(data).hexdigest() == path.rsplit("/", 1)[1].split(".")[0]
            assert headers["cache-control"] == "public, max-age=31536000, immutable"
            assert headers["x-content-type-options"] == "nosniff"
        status, again, data = curl(nginx_fastcgi.base + path, "-H", f"If-None-Match: {headers['etag']}")
        assert status == 304 and data == b""
        assert len(asked(path)) == before, "a kept rendition was asked of the responder again"
    # Only media are kept: a product is asked of the responder every time.
    for _ in range(2):
        status, headers, _ = curl(f"{nginx_fastcgi.base}/products/{product}")
        assert status == 200 and "x-cache-status" not in headers
    assert len(asked(f"/products/{product}")) == 2


def test_nginx_cgi_keeps_the_media_it_served(nginx):  # noqa: F811
    token, product = http_seller(nginx)
    made = http_round_trip(nginx.base, token, product)
    for rendition in made["renditions"]:
        status, headers, data = curl(nginx.base + rendition["url"])
        assert status == 200 and headers["x-cache-status"] == "HIT"
        assert hashlib.sha256(data).hexdigest() == rendition["url"].rsplit("/", 1)[1].split(".")[0]
    status, headers, _ = curl(f"{nginx.base}/products/{product}")
    assert status == 200 and "x-cache-status" not in headers


def test_no_binary_links_the_image_library_and_bazaar_fn_hands_uploads_to_bazaar(shop):
    # bazaar loads libvips with dlopen on its first upload; no process that never renders pays for it.
    for binary in ("bazaar-fn", "bazaar"):
        libraries = subprocess.run(["ldd", str((ROOT / "bin" / binary).resolve())], capture_output=True,
                                   text=True).stdout
        assert "libvips" not in libraries and "libglib" not in libraries, (binary, libraries)
    # functions/uploadProductImage is a link to bazaar-fn; the upload still works.
    studio = Studio(shop)
    assert studio.upload(encoded("JPEG", (64, 64))).code == 0
