#!/usr/bin/env python3
"""The storefront (issue 15): what each page weighs, and how soon a buyer sees products.

1. **Weight**: each page's HTML + CSS + JS as served (the page, its style sheet and every ES module
   it imports, transitively), uncompressed. The budget is 100 KB a page.
2. **Time to a usable product list**: headless Chromium (Debian's, through Debian's chromedriver)
   opens `/` on `bazaar serve` with 60 products; the time from navigation start until the first
   product card is in the page, read from a MutationObserver installed before any page script.
   Next to it, in the same browser and run, the floor: the JSON call the page makes
   (`GET /products?limit=12`) alone, timed with `fetch` from an already loaded page. Both are
   interleaved, --rounds times each; the browser's cache is on, as for a returning buyer (pages
   are `no-store`, the modules and the style sheet revalidate by ETag). The page's time is also
   split: HTML received, and modules run (DOMContentLoaded).

Usage: .venv/bin/python Benchmarks/storefront.py [--rounds N] with bin/bazaar pointing at a
release build (`make bench-storefront`).
"""

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from benchlib import free_port, percentile, wait_for

ROOT = Path(__file__).resolve().parents[1]
BIN = (ROOT / "bin/bazaar").resolve()
SECRET = "bench-secret-0123456789abcdef0123456789abcdef"

# Installed before the page's own scripts: notes when the first product card appears.
OBSERVER = """
new MutationObserver((_, observer) => {
  if (document.querySelector('#products li.product')) {
    window.__listReady = performance.now();
    observer.disconnect();
  }
}).observe(document, {subtree: true, childList: true});
"""


def page_weights(base):
    """{page: (bytes, [files])}: the HTML, its style sheets and every module it imports, transitively
    (the browser tests check the budget with this too)."""
    weights = {}
    for page in ["/", "/seller", "/operator"]:
        seen, queue, total = set(), [page], 0
        while queue:
            path = queue.pop()
            if path in seen:
                continue
            seen.add(path)
            with urllib.request.urlopen(base + path) as answer:
                body = answer.read()
            total += len(body)
            text = body.decode()
            queue += re.findall(r'(?:href|src)="(/assets/[^"]+)"', text)
            queue += ["/assets/" + name for name in re.findall(r'from "\./([^"]+)"', text)]
        weights[page] = (total, sorted(seen))
    return weights


def seed(base):
    def call(method, path, body, token=None):
        request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json",
                                                  **({"Authorization": f"Bearer {token}"} if token else {})})
        with urllib.request.urlopen(request) as answer:
            return json.loads(answer.read())

    call("POST", "/sellers", {"email": "bench@example.com", "password": "correct horse",
                              "businessName": "Bench", "businessNumber": "220-81-62517"})
    token = call("POST", "/sellers/auth", {"email": "bench@example.com", "password": "correct horse"})["token"]
    for index in range(60):
        call("POST", "/products", {"name": f"청송 사과 {index}kg", "description": "Crisp apples",
                                   "price": 1000 + index * 100, "stock": 50}, token)


def browser():
    """Chromium with the tests' own start-up (a TMPDIR of its own, removed by quit())."""
    sys.path.insert(0, str(ROOT / "tests" / "e2e"))
    from conftest import chromium
    from selenium.webdriver.chrome.options import Options

    options = Options()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"]:
        options.add_argument(argument)
    driver = chromium(options)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": OBSERVER})
    return driver


def list_ready(driver, base):
    """(HTML received, modules run (DOMContentLoaded), first card shown), ms from navigation start."""
    driver.get("about:blank")
    driver.get(base + "/")
    for _ in range(500):
        ready = driver.execute_script("""
            if (!window.__listReady) return null;
            const [n] = performance.getEntriesByType('navigation');
            return [n.responseEnd, n.domContentLoadedEventEnd, window.__listReady];""")
        if ready is not None:
            return ready
        time.sleep(0.01)
    raise SystemExit("the product list never appeared")


def json_alone(driver):
    return driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const start = performance.now();
        fetch('/products?limit=12', {cache: 'no-store', headers: {Accept: 'application/json'}})
          .then((r) => r.json()).then(() => done(performance.now() - start));""")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    arguments = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bazaar-bench-storefront-"))
    port = free_port()
    env = {"PATH": os.environ["PATH"], "BAZAAR_HOME": str(home), "BAZAAR_JWT_SECRET": SECRET,
           "BAZAAR_SCRYPT_LOG_N": "14", "BAZAAR_LOG_LEVEL": "warning"}
    server = subprocess.Popen([str(BIN), "serve", "--port", str(port)], env=env, cwd=home,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    driver = None
    try:
        wait_for(port)
        base = f"http://127.0.0.1:{port}"
        seed(base)
        weights = page_weights(base)
        driver = browser()
        list_ready(driver, base)  # warm the server and the browser once
        loads, calls = [], []
        for _ in range(arguments.rounds):
            loads.append(list_ready(driver, base))
            calls.append(json_alone(driver))
        html, modules, pages = ([load[i] for load in loads] for i in range(3))
        print("page weight (HTML + CSS + JS, uncompressed; budget 100 KB):")
        for page, (size, files) in weights.items():
            print(f"  {page:<10} {size / 1024:6.1f} KB in {len(files)} files")
        print(f"time to a usable product list (navigation start → first card), {arguments.rounds} loads:")
        print(f"  HTML received    median {statistics.median(html):6.1f} ms")
        print(f"  modules run      median {statistics.median(modules):6.1f} ms  (DOMContentLoaded)")
        print(f"  page  median {statistics.median(pages):6.1f} ms  p90 {percentile(pages, 0.9):6.1f} ms")
        print(f"  JSON  median {statistics.median(calls):6.1f} ms  p90 {percentile(calls, 0.9):6.1f} ms"
              "  (GET /products?limit=12 alone, fetch from a loaded page)")
        print(f"  page / JSON call: {statistics.median(pages) / statistics.median(calls):.1f}× (medians)")
    finally:
        if driver:
            driver.quit()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        subprocess.run(["rm", "-rf", str(home)])


if __name__ == "__main__":
    main()
