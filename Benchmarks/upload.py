#!/usr/bin/env python3
"""A 12-megapixel JPEG uploaded end to end (curl → `bazaar serve` → libvips → the database →
the 201 answer) against the `vips` command line making the same four renditions of the same
file (WebP 320, 640 and 1280 wide and a JPEG of 1280, each with its metadata stripped), in one
run. Prints the medians and their ratio (docs/benchmarks.md; `make bench-upload`)."""

import argparse
import io
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

from benchlib import free_port, wait_for

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "bin" / "bazaar"
SECRET = "bench-secret-bench-secret-bench-secret-0123"


def photo(path, width=4000, height=3000):
    """A camera-like 12 MP JPEG: smooth gradients with grain, so it compresses as photos do."""
    random.seed(7)
    small = Image.new("RGB", (width // 16, height // 16))
    small.putdata([(x * 255 // (width // 16), y * 255 // (height // 16), (x * y) % 256)
                   for y in range(height // 16) for x in range(width // 16)])
    image = small.resize((width, height), Image.BICUBIC)
    grain = Image.effect_noise((width, height), 24).convert("RGB")
    Image.blend(image, grain, 0.15).save(path, "JPEG", quality=88)


def timed(command, **kwargs):
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, **kwargs)
    return time.perf_counter() - started


def vips_cli(source, out):
    """What a shop without Bazaar would run: four `vips` commands, one per rendition."""
    started = time.perf_counter()
    for width in (320, 640, 1280):
        subprocess.run(["vips", "thumbnail", source, f"{out}/r{width}.webp[Q=80,strip]", str(width),
                        "--height", "10000000", "--size", "down"], check=True, capture_output=True)
    subprocess.run(["vips", "thumbnail", source, f"{out}/r1280.jpg[Q=85,strip,interlace,optimize_coding]",
                    "1280", "--height", "10000000", "--size", "down"], check=True, capture_output=True)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bazaar-bench-upload-"))
    source = home / "photo.jpg"
    photo(source)
    env = {**os.environ, "BAZAAR_HOME": str(home), "BAZAAR_JWT_SECRET": SECRET, "BAZAAR_SCRYPT_LOG_N": "14"}

    def call(name, payload, token=None):
        extra = {"BAZAAR_TOKEN": token} if token else {}
        done = subprocess.run([str(BIN), "invoke", name], input=json.dumps(payload).encode(), capture_output=True,
                              env={**env, **extra}, check=True)
        return json.loads(done.stdout)

    call("registerSeller", {"email": "bench@example.com", "password": "correct horse battery",
                            "businessName": "Bench", "businessNumber": "220-81-62517"})
    token = call("sellerLogin", {"email": "bench@example.com", "password": "correct horse battery"})["token"]
    port = free_port()
    server = subprocess.Popen([str(BIN), "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        wait_for(port)
        uploads, cli = [], []
        for round_ in range(args.rounds):
            # A product per round: ten photos a product at most.
            product = call("createProduct", {"name": f"Lamp {round_}", "price": 9000, "stock": 1}, token)["id"]
            uploads.append(timed(["curl", "-sf", "-o", "/dev/null", "-H", f"Authorization: Bearer {token}",
                                  "-H", "Content-Type: image/jpeg", "--data-binary", f"@{source}",
                                  f"http://127.0.0.1:{port}/products/{product}/images"]))
            out = tempfile.mkdtemp(dir=home)
            cli.append(vips_cli(str(source), out))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    upload, floor = statistics.median(uploads), statistics.median(cli)
    print(json.dumps({
        "source": {"bytes": source.stat().st_size, "pixels": "4000x3000"},
        "uploadMs": round(upload * 1000, 1), "uploadRangeMs": [round(min(uploads) * 1000, 1),
                                                             round(max(uploads) * 1000, 1)],
        "vipsCliMs": round(floor * 1000, 1), "vipsCliRangeMs": [round(min(cli) * 1000, 1), round(max(cli) * 1000, 1)],
        "uploadToVipsCli": round(upload / floor, 2),
    }, indent=2))
    subprocess.run(["rm", "-rf", str(home)])


if __name__ == "__main__":
    sys.exit(main())
