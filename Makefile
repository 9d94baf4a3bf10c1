# Bazaar — `make run` runs the shop, `make test` passes the tests. Both install what they need.
SHELL := /bin/bash
.DEFAULT_GOAL := help

APT_PACKAGES := libsqlite3-dev libpq-dev libssl-dev libcurl4-openssl-dev libvips-dev curl jq
BENCH_APT_PACKAGES := hyperfine
HTTP_BENCH_APT_PACKAGES := wrk lighttpd nginx fcgiwrap curl
# Real web servers and a real client for the CGI tests (deploy/); a real browser (Chromium and
# its WebDriver) for the checkout test.
TEST_APT_PACKAGES := lighttpd apache2 nginx fcgiwrap gettext-base curl jq chromium chromium-driver fonts-nanum postgresql-15 iproute2
VENV := .venv
PYTHON := $(VENV)/bin/python
DEBUG_BIN := .build/debug/bazaar
RELEASE_BIN := .build/release/bazaar
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help deps venv build release run demo test test-swift test-e2e bench bench-spool bench-spool-backlog bench-catalog bench-http bench-orders bench-payments bench-scheduler bench-storefront bench-login bench-upload bench-pg-clients bench-scaleout format lint clean

help:
	@echo "make run     build (release) and run the shop on http://127.0.0.1:8080 (bazaar up)"
	@echo "make demo    build (release) and walk through the functions from the shell"
	@echo "make test    install what is missing, build, run every test"
	@echo "make build   debug build; bin/bazaar and bin/bazaar-fn point at it"
	@echo "make release release build (--static-swift-stdlib); bin/bazaar, bin/bazaar-fn and bin/bazaar-bench point at it"
	@echo "make bench   start-up benchmark (docs/benchmarks.md)"
	@echo "make bench-spool  spool throughput: floor probe, batch, persist-queue (docs/benchmarks.md)"
	@echo "make bench-spool-backlog  claim+ack/s with 100,000 ready messages against 10 ready, same run"
	@echo "make bench-catalog  listProducts search over 100,000 products against getProduct by id; GET /products/{id} with 100 variants against none, over HTTP"
	@echo "make bench-http  wrk: serve against the FastAPI peer and /healthz; CGI against FastCGI behind lighttpd and nginx"
	@echo "make bench-orders  placeOrder orders/s in-process and per process at 1, 4, 16 clients vs a Python sqlite3 floor"
	@echo "make bench-payments  pay → approve round trips vs the KakaoPay sandbox alone; reads while 8 pay calls hang"
	@echo "make bench-scheduler  approve → shipment started latency vs the spool's publish → claim; whole-flow orders/s"
	@echo "make bench-storefront page weights; time to a usable product list in Chromium vs the JSON call alone"
	@echo "make bench-login  GET /products/{id} p99 with and without a 200-client sign-in flood"
	@echo "make bench-upload  a 12-megapixel JPEG uploaded end to end vs the vips command line making the same renditions"
	@echo "make bench-pg-clients  a one-shot PostgreSQL query with libpq and with postgres-nio: start-up and build time"
	@echo "make bench-scaleout  placeOrder and order → shipped on 1-3 hosts against PostgreSQL vs SQLite; PostgreSQL queue vs spool"
	@echo "make format  swift format the sources in place"
	@echo "make lint    swift format lint --strict (CI fails on a diff)"
	@echo "make clean   remove .build, bin and the venv"

## deps: Debian packages the build links against (installed only when missing).
deps:
	@missing=""; for p in $(APT_PACKAGES) $(EXTRA_APT); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; fi

## venv: Python tools for the end-to-end tests (pytest, PyJWT), rebuilt when requirements change.
venv: $(VENV)/.installed
$(VENV)/.installed: tests/requirements.txt
	@test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install -q --disable-pip-version-check -r tests/requirements.txt
	@touch $@

build: deps
	swift build
	@mkdir -p bin && ln -sfn ../$(DEBUG_BIN) bin/bazaar && ln -sfn ../$(DEBUG_BIN)-fn bin/bazaar-fn

# lld with packed relative relocations (DT_RELR, glibc 2.36+): the position-independent binary
# keeps ASLR and starts about 10 % faster than with a 2.6 MB relocation table (docs/benchmarks.md).
RELEASE_FLAGS := -c release --static-swift-stdlib -Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs

# One product at a time: a whole-package build would also link GRDB's dynamic library product,
# which cannot take a static standard library.
release: deps
	swift build $(RELEASE_FLAGS) --product bazaar
	swift build $(RELEASE_FLAGS) --product bazaar-fn
	swift build $(RELEASE_FLAGS) --product bazaar-bench
	@mkdir -p bin && ln -sfn ../$(RELEASE_BIN) bin/bazaar && ln -sfn ../$(RELEASE_BIN)-fn bin/bazaar-fn \
	  && ln -sfn ../.build/release/bazaar-bench bin/bazaar-bench

## run: the whole shop in one process on port 8080 (PORT=… to change), state in ./var and ./queues.
run: release
	$(RELEASE_BIN) up --host $${HOST:-127.0.0.1} --port $${PORT:-8080}

## demo: the same shop driven from the shell through functions/NAME, in a throw-away home.
demo: release
	scripts/demo.sh

# The functions/ links run whatever bin/bazaar-fn is: the tests point it (and bin/bazaar) at the debug build.
test: venv
	$(MAKE) --no-print-directory deps EXTRA_APT="$(TEST_APT_PACKAGES)"
	swift build --build-tests
	@mkdir -p bin && ln -sfn ../$(DEBUG_BIN) bin/bazaar && ln -sfn ../$(DEBUG_BIN)-fn bin/bazaar-fn
	$(MAKE) --no-print-directory test-swift test-e2e

test-swift:
	swift test --skip-build

test-e2e:
	$(PYTHON) -m pytest -q tests/e2e

bench:
	$(MAKE) --no-print-directory deps EXTRA_APT="$(BENCH_APT_PACKAGES)"
	$(MAKE) --no-print-directory release
	ROUNDS=$${ROUNDS:-7} Benchmarks/startup.sh

## bench-spool: the spool against a bare-syscall floor and persist-queue (Python, PyPI), same run.
bench-spool: venv $(VENV)/.bench-installed
	$(MAKE) --no-print-directory release
	$(PYTHON) Benchmarks/spool.py --rounds $${ROUNDS:-7} --messages $${MESSAGES:-400}

## bench-pg-clients: issue 18's client choice, measured (a throw-away cluster, two probes, hyperfine).
bench-pg-clients:
	$(MAKE) --no-print-directory deps EXTRA_APT="postgresql-15 libpq-dev $(BENCH_APT_PACKAGES)"
	Benchmarks/pg_clients.sh $${RUNS:-200}

## bench-scaleout: placeOrder and order → shipped on 1, 2, 3 hosts (network namespaces) against one
## PostgreSQL, next to the single-box SQLite shop; then the PostgreSQL queue's claim+ack against the spool.
bench-scaleout: venv
	$(MAKE) --no-print-directory deps EXTRA_APT="postgresql-15 wrk"
	$(MAKE) --no-print-directory release
	$(PYTHON) Benchmarks/scaleout.py --rounds $${ROUNDS:-3} --duration $${DURATION:-5} --orders $${ORDERS:-300}
	Benchmarks/queue_backends.sh $${MESSAGES:-5000}

## bench-spool-backlog: claims must not slow with the backlog (issue 17): 100,000 ready against 10.
bench-spool-backlog: release
	.build/release/bazaar-bench spool-backlog --large $${LARGE:-100000} --claims $${CLAIMS:-30000} --rounds $${ROUNDS:-3}

## bench-catalog: text search over a generated 100,000-product catalog against a by-id lookup, same run;
## then GET /products/{id} of a product with 100 variants against one without options, over HTTP (wrk).
bench-catalog: release
	$(MAKE) --no-print-directory deps EXTRA_APT="wrk curl"
	.build/release/bazaar-bench catalog --products $${PRODUCTS:-100000} --rounds $${ROUNDS:-5}
	Benchmarks/variants_http.py --rounds $${ROUNDS:-5}

## bench-http: wrk against `bazaar serve`, the FastAPI peer, and lighttpd/nginx through CGI and FastCGI.
bench-http: venv $(VENV)/.bench-installed
	$(MAKE) --no-print-directory deps EXTRA_APT="$(HTTP_BENCH_APT_PACKAGES)"
	$(MAKE) --no-print-directory release
	$(PYTHON) Benchmarks/http_bench.py --rounds $${ROUNDS:-3} --duration $${DURATION:-5}

## bench-orders: placeOrder in-process (wrk) and per process against the same SQL through Python's sqlite3.
bench-orders:
	$(MAKE) --no-print-directory deps EXTRA_APT="$(HTTP_BENCH_APT_PACKAGES)"
	$(MAKE) --no-print-directory release
	python3 Benchmarks/orders.py --rounds $${ROUNDS:-3} --duration $${DURATION:-5}

## bench-payments: the pay → approve round trip against the sandbox alone, and reads while the gateway hangs.
bench-payments:
	$(MAKE) --no-print-directory deps EXTRA_APT="$(HTTP_BENCH_APT_PACKAGES)"
	$(MAKE) --no-print-directory release
	python3 Benchmarks/payments.py --rounds $${ROUNDS:-3} --orders $${ORDERS:-300} --clients $${CLIENTS:-4}

## bench-scheduler: approve → shipment started (scheduler daemon) next to the spool's own latency.
bench-scheduler: release
	python3 Benchmarks/scheduler.py --latency-orders $${LATENCY_ORDERS:-1000} --orders $${ORDERS:-600}

## bench-storefront: each page's weight, and the time to a usable product list in headless Chromium next to the JSON call alone.
bench-storefront:
	$(MAKE) --no-print-directory deps EXTRA_APT="chromium chromium-driver fonts-nanum"
	$(MAKE) --no-print-directory venv release
	$(PYTHON) Benchmarks/storefront.py --rounds $${ROUNDS:-30}

## bench-login: read latency with and without a concurrent sign-in flood, in the same run.
bench-login: release
	python3 Benchmarks/login_flood.py --rounds $${ROUNDS:-3} --seconds $${SECONDS_EACH:-10}

## bench-upload: a 12-megapixel JPEG uploaded over HTTP against the vips command line making the same renditions.
bench-upload: venv
	$(MAKE) --no-print-directory deps EXTRA_APT="libvips-tools curl"
	$(MAKE) --no-print-directory release
	$(PYTHON) Benchmarks/upload.py --rounds $${ROUNDS:-10}

$(VENV)/.bench-installed: Benchmarks/requirements.txt $(VENV)/.installed
	$(PYTHON) -m pip install -q --disable-pip-version-check -r Benchmarks/requirements.txt
	@touch $@

format:
	swift format --in-place --recursive --parallel Sources Tests Benchmarks/BazaarBench Package.swift

lint:
	swift format lint --strict --recursive --parallel Sources Tests Benchmarks/BazaarBench Package.swift

clean:
	rm -rf .build bin $(VENV)
