# Tandem: the two commands the README promises, and the pieces they are made of.
#   make demo   build (server and web app), seed the fictional demo practice, serve it
#   make test   build, run the whole suite (SQLite and a private PostgreSQL), run it again
#               under ASan + UBSan, then the web app's tests, the OpenAPI validation and
#               the end-to-end tests in headless Chromium

JOBS      ?= $(shell nproc)
BUILD     ?= build
ASAN      ?= build-asan
CMAKE_ARGS ?=

.PHONY: all deps build web test test-fast test-asan test-web test-e2e demo bench format format-check clean

# The web app (web/): npm ci when the lock file changes, vite build when a source does.
WEB_SOURCES := $(shell find web/src web/index.html web/vite.config.ts web/tsconfig.json -type f 2>/dev/null)

all: build

deps:
	@./scripts/install-deps

build: deps web
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_ARGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

web/node_modules/.installed: web/package.json web/package-lock.json
	@cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

web/dist/index.html: web/node_modules/.installed $(WEB_SOURCES)
	@cd web && npm run --silent build

web: web/dist/index.html

# Vitest (the app's logic) and the OpenAPI document against an independent validator.
test-web: web
	@cd web && npx vitest run
	@cd web && node scripts/validate-openapi.mjs ../docs/openapi.yaml

# The whole story in headless Chromium against a real `tandem serve` (web/e2e).
test-e2e: build
	@cd web && node --test --test-concurrency=1 e2e/

test-fast: build
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

test-asan: deps
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DTANDEM_SANITIZE=ON $(CMAKE_ARGS) >/dev/null
	@cmake --build $(ASAN) -j$(JOBS)
	@cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j$(JOBS)

# PostgreSQL tests need a server: scripts/with-postgres starts a private throwaway
# cluster for the run (or uses TANDEM_TEST_POSTGRES_URL when it is set).
test: deps
	@./scripts/with-postgres $(MAKE) --no-print-directory test-fast test-asan
	@$(MAKE) --no-print-directory test-web test-e2e
	@$(MAKE) --no-print-directory format-check

demo: build
	@./scripts/demo $(BUILD)/tandem

bench: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DTANDEM_BUILD_BENCH=ON $(CMAKE_ARGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)
	@./bench/run $(BUILD)
	@./bench/store $(BUILD)
	@./bench/load $(BUILD)

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

format-check:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror && echo "format: clean"

clean:
	rm -rf $(BUILD) $(ASAN) web/dist web/node_modules web/test-results
