# Entry points.  Everything real happens in CMake; this file only wraps it.
#   make          release build into build/
#   make test     install missing packages, build, run every test (CTest),
#                 then the ASan+UBSan build of the unit tests
#   make demo     a contractor's month end to end on the sandbox (leaves it running)
#   make demo-stop  stop what make demo left running
#   make bench    build the benchmarks in bench/ and run bench/webhook-intake.sh
#                 (figures, not tests: needs wrk, node and npm)
#   make fuzz     build the libFuzzer targets in fuzz/ (run them by hand)

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build
ASAN_BUILD ?= build-asan

.PHONY: all build test test-unit test-asan deps demo demo-stop bench fuzz format clean

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

# libFuzzer targets for every parser of outside input (clang); run each for a while:
#   build-fuzz/fuzz_webhook -max_total_time=60
fuzz:
	@CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DMLC_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
	@cmake --build build-fuzz -j $(JOBS)

format:
	@clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'bench/*.c')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
