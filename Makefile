# Tandem: the two commands the README promises, and the pieces they are made of.
#   make demo   build, then run the analytics on the bundled fictional practice
#   make test   build, run the whole suite (SQLite and a private PostgreSQL), then run it
#               again under ASan + UBSan

JOBS      ?= $(shell nproc)
BUILD     ?= build
ASAN      ?= build-asan
CMAKE_ARGS ?=

.PHONY: all deps build test test-fast test-asan demo bench format format-check clean

all: build

deps:
	@./scripts/install-deps

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_ARGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

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
	rm -rf $(BUILD) $(ASAN)
