#!/usr/bin/env python3
"""GET /products/{id} over HTTP for a product with 100 variants (two options of ten values, made
through createProduct) against a product without options, both on one `bazaar serve`, in the same
run: wrk rounds interleaved so that the machine's drift hits both alike. The ratio is the wide
product's requests/s over the plain one's, per round; the report gives the median round.

Usage: Benchmarks/variants_http.py [--rounds N] [--duration S] [--connections C], with bin/bazaar
pointing at a release build (`make bench-catalog` runs it after the in-process catalog benchmark).
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import free_port, wait_for  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BIN = (ROOT / "bin/bazaar").resolve()
SECRET = "bench-secret-0123456789abcdef0123456789abcdef"
PASSWORD = "correct horse battery"


def call(method, url, body, token=None):
    args = ["curl", "-s", "-X", method, url, "-H", "Content-Type: application/json", "--data-binary", json.dumps(body)]
    if token:
        args += ["-H", f"Authorization: Bearer {token}"]
    return json.loads(subprocess.run(args, capture_output=True, check=True).stdout)


def wrk(url, duration, connections):
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", url],
                         capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        raise SystemExit(f"{url} answered errors:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=4)
    parser.add_argument("--connections", type=int, default=8)
    options = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bazaar-bench-variants-"))
    port = free_port()
    env = {"PATH": os.environ["PATH"], "BAZAAR_HOME": str(home), "BAZAAR_JWT_SECRET": SECRET,
           "BAZAAR_LOG_LEVEL": "warning"}
    serve = subprocess.Popen([str(BIN), "serve", "--port", str(port), "--no-storefront"], env=env,
                             stderr=subprocess.DEVNULL)
    try:
        wait_for(port)
        base = f"http://127.0.0.1:{port}"
        call("POST", base + "/sellers", {"email": "shop@example.com", "password": PASSWORD,
                                         "businessName": "Bench", "businessNumber": "220-81-62517"})
        seller = call("POST", base + "/sellers/auth", {"email": "shop@example.com", "password": PASSWORD})["token"]
        plain = call("POST", base + "/products", {"name": "청송 사과 5kg", "description": "Crisp apples",
                                                   "price": 32000, "stock": 40}, seller)
        sizes = [f"{n}호" for n in range(1, 11)]
        colours = ["빨강", "주황", "노랑", "초록", "파랑", "남색", "보라", "검정", "하양", "회색"]
        wide = call("POST", base + "/products", {
            "name": "면 셔츠", "description": "열 가지 크기, 열 가지 색",
            "options": [{"name": "크기", "values": sizes}, {"name": "색상", "values": colours}],
            "variants": [{"optionValues": {"크기": size, "색상": colour}, "sku": f"SHIRT-{i}-{j}",
                          "price": 19000 + 500 * i, "stock": 30}
                         for i, size in enumerate(sizes) for j, colour in enumerate(colours)]}, seller)
        assert len(wide["variants"]) == 100, wide
        paths = {"no options": f"/products/{plain['id']}", "100 variants": f"/products/{wide['id']}"}
        sizes_bytes = {name: len(subprocess.run(["curl", "-s", base + path], capture_output=True, check=True).stdout)
                       for name, path in paths.items()}
        rates = {name: [] for name in paths}
        for round_ in range(options.rounds):
            for name, path in paths.items():
                rates[name].append(wrk(base + path, options.duration, options.connections))
            print(f"round {round_ + 1}: " + ", ".join(f"{name} {rates[name][-1]:,.0f}/s" for name in paths),
                  flush=True)
        ratios = [w / p for w, p in zip(rates["100 variants"], rates["no options"])]
        print()
        print("| `GET /products/{id}` over `bazaar serve` | body bytes | requests/s (median) |")
        print("|---|---|---|")
        for name in paths:
            print(f"| {name} | {sizes_bytes[name]:,} | {statistics.median(rates[name]):,.0f} |")
        print()
        print(f"100 variants ÷ no options: **{statistics.median(ratios):.2f}×** "
              f"(range {min(ratios):.2f}–{max(ratios):.2f}; target ≥ 0.5×)")
    finally:
        serve.terminate()
        serve.wait(timeout=30)
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
