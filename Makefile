# The README's two commands. Everything else is plain CMake in build/.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
BUILD_DIR ?= build
SANITIZE_DIR ?= build-asan
FUZZ_DIR ?= build-fuzz
FILTERS_DIR ?= build-filters
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release
# Seconds per fuzz target: for `make fuzz`, and for the smoke in `make test`.
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 3
QUICK ?= 0

.PHONY: all deps build sanitize-build fuzz-build filters-build demo test fuzz bench clean

all: build

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS) > $(BUILD_DIR).cmake.log 2>&1 || (cat $(BUILD_DIR).cmake.log; exit 1)
	@env -u MAKELEVEL -u MAKEFLAGS -u MFLAGS cmake --build $(BUILD_DIR) -j $(JOBS) -- --no-print-directory \
	  | { grep -v -E '^\[ *[0-9]+%\] Built target' || true; }

# The main job on the embedded default: compile conf/demo.yaml's lists and check a few names.
demo: build
	@bash scripts/demo.sh $(BUILD_DIR)

# filters/ alone (no control/, no DPDK), the ASan/UBSan build of every test (gcc), the fuzz smoke
# (clang), then the Release tests last, so that ctest's summary closes the output.
test: build sanitize-build fuzz-build filters-build
	@echo "== filters/ built and tested alone: no control/, no DPDK ($(FILTERS_DIR))"
	@bash scripts/ctest-brief.sh $(FILTERS_DIR) $(JOBS)
	@echo "== tests under AddressSanitizer and UndefinedBehaviorSanitizer ($(SANITIZE_DIR))"
	@bash scripts/ctest-brief.sh $(SANITIZE_DIR) $(JOBS)
	@echo "== fuzz smoke, $(FUZZ_SMOKE_SECONDS) s per target ($(FUZZ_DIR))"
	@bash scripts/fuzz.sh $(FUZZ_DIR) $(FUZZ_SMOKE_SECONDS)
	@echo "== tests ($(BUILD_DIR))"
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

sanitize-build: deps
	@cmake -S . -B $(SANITIZE_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTAKEDOWN_SANITIZE=ON \
	  > $(SANITIZE_DIR).cmake.log 2>&1 || (cat $(SANITIZE_DIR).cmake.log; exit 1)
	@env -u MAKELEVEL -u MAKEFLAGS -u MFLAGS cmake --build $(SANITIZE_DIR) -j $(JOBS) -- --no-print-directory \
	  | { grep -v -E '^\[ *[0-9]+%\] Built target' || true; }

# The layering proof: filters/ and its tests configured with the build side and DPDK switched off.
filters-build: deps
	@cmake -S . -B $(FILTERS_DIR) -DCMAKE_BUILD_TYPE=Release -DTAKEDOWN_CONTROL=OFF -DTAKEDOWN_DPDK=OFF \
	  > $(FILTERS_DIR).cmake.log 2>&1 || (cat $(FILTERS_DIR).cmake.log; exit 1)
	@env -u MAKELEVEL -u MAKEFLAGS -u MFLAGS cmake --build $(FILTERS_DIR) -j $(JOBS) -- --no-print-directory \
	  | { grep -v -E '^\[ *[0-9]+%\] Built target' || true; }

fuzz-build: deps
	@CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTAKEDOWN_FUZZ=ON \
	  > $(FUZZ_DIR).cmake.log 2>&1 || (cat $(FUZZ_DIR).cmake.log; exit 1)
	@env -u MAKELEVEL -u MAKEFLAGS -u MFLAGS cmake --build $(FUZZ_DIR) -j $(JOBS) --target fuzzers -- --no-print-directory \
	  | { grep -v -E '^\[ *[0-9]+%\] Built target' || true; }

# Every libFuzzer target for FUZZ_SECONDS; corpora persist in $(FUZZ_DIR)/fuzz-corpus.
fuzz: fuzz-build
	@bash scripts/fuzz.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

# QUICK=1: every part briefly, into $(BUILD_DIR)/bench-quick (make test runs it as a smoke test: ctest bench_quick_smoke).
bench: build
	@QUICK=$(QUICK) bash scripts/bench.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR) $(SANITIZE_DIR) $(FUZZ_DIR) $(FILTERS_DIR) *.cmake.log
