# Entry points.  Everything real happens in CMake; this file only wraps it.
#   make          release build into build/
#   make test     install missing packages, build, run every test (CTest),
#                 then the ASan+UBSan build of the unit tests
#   make demo     a contractor's month end to end on the sandbox (leaves it running)
#   make demo-stop  stop what make demo left running
#   make bench    build the benchmarks in bench/ (run them by hand)
#   make fuzz     build the libFuzzer targets in fuzz/ (run them by hand)
#   make chaos    a month against the sandbox under faults and kill -9, compared
#                 with a fault-free control run (scripts/chaos.sh; settings there)
#   make chaos-smoke  the same, small: a few minutes (CI runs it)

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build
ASAN_BUILD ?= build-asan

.PHONY: all build test test-unit test-asan deps demo demo-stop bench fuzz chaos chaos-smoke format clean

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
	@cmake --build $(BUILD) -j $(JOBS) --target $$(cd bench && ls bench_*.c 2>/dev/null | sed 's/\.c$$//')

# libFuzzer targets for every parser of outside input (clang); run each for a while:
#   build-fuzz/fuzz_webhook -max_total_time=60
fuzz:
	@CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DMLC_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
	@cmake --build build-fuzz -j $(JOBS)

chaos: build
	@scripts/chaos.sh

chaos-smoke: build
	@CHAOS_SCALE=1 CHAOS_DAYS=6 CHAOS_KILLS=4 CHAOS_SYNC_KILLS=2 scripts/chaos.sh

format:
	@clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'bench/*.c')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
