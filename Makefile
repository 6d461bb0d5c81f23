# Entry points.  Everything real happens in CMake; this file only wraps it.
#   make          release build into build/
#   make test     install missing packages, build, run every test (CTest),
#                 then the ASan+UBSan build of the unit tests
#   make demo     a contractor's month end to end on the sandbox (leaves it running)
#   make demo-stop  stop what make demo left running
#   make bench    build the benchmarks in bench/ and run bench/webhook-intake.sh,
#                 bench/mapping-import.sh, bench/scale.sh, bench/commitments.sh,
#                 bench/time-to-ledger.sh and bench/scale-out.sh
#                 (figures, not tests: needs wrk, node and npm)
#   make bench-report  run every bench above and rewrite
#                 the figures section of docs/BENCHMARKS.md
#   make fuzz     build the libFuzzer targets in fuzz/ (clang) and run each for
#                 FUZZ_SECONDS (default 60), FUZZ_JOBS (default 2) at a time;
#                 fails on any crash
#   make fuzz-smoke  the same for 30 s each (CI)
#   make valgrind    every unit test under valgrind memcheck; fails on any error
#   make chaos    a month of sandbox days (10,000+ records, scale 8) under faults
#                 and kill -9, compared with a fault-free control run and the
#                 seed, retries checked against the audit (scripts/chaos.sh)
#   make chaos-smoke  the same, small (scale 1, 6 days): about 4 minutes (CI)

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_JOBS ?= 2

.PHONY: all build test test-unit test-asan deps demo demo-stop bench bench-report fuzz fuzz-build fuzz-smoke \
	valgrind chaos chaos-smoke format clean

all: build

build:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

deps:
	@scripts/install-deps

test: deps build test-asan
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600

test-asan:
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DMLC_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure -j $(JOBS) -L unit --timeout 600

demo: deps build
	@scripts/demo.sh

demo-stop:
	@scripts/demo-stop.sh

bench: build
	@t=$$(cd bench && ls bench_*.c 2>/dev/null | sed 's/\.c$$//'); \
	  if [ -n "$$t" ]; then cmake --build $(BUILD) -j $(JOBS) --target $$t; fi
	@BUILD=$(BUILD) bench/webhook-intake.sh
	@BIN=$(BUILD)/ml-connector bench/mapping-import.sh
	@BIN=$(BUILD)/ml-connector bench/scale.sh
	@BIN=$(BUILD)/ml-connector bench/commitments.sh
	@BIN=$(BUILD)/ml-connector bench/time-to-ledger.sh
	@BIN=$(BUILD)/ml-connector bench/scale-out.sh

bench-report: build
	@BIN=$(BUILD)/ml-connector bench/report.sh

# libFuzzer targets for every parser of outside input (clang), each run for
# a bounded time over fuzz/corpus/ and fuzz/dict/ (see fuzz/run.sh).
fuzz: fuzz-build
	@fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_JOBS)

fuzz-build:
	@CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DMLC_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS)

fuzz-smoke:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=30

# valgrind memcheck over the unit tests of the release build (leaks included)
valgrind: build
	@scripts/valgrind-unit.sh $(BUILD) $(JOBS)

chaos: build
	@scripts/chaos.sh

chaos-smoke: build
	@CHAOS_SCALE=1 CHAOS_DAYS=6 CHAOS_KILLS=4 CHAOS_SYNC_KILLS=2 scripts/chaos.sh

format:
	@clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'bench/*.c')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
