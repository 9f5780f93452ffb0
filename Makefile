# wardstat: build, test, demo.  `make demo` and `make test` are all a newcomer needs.
CC      ?= cc
CFLAGS  ?= -O2 -g
PREFIX  ?= /usr/local
WARN     = -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2 -Wvla
WERROR  ?= -Werror
DEFS     = -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
BUILD   ?= build
PKGS     = gsl json-c xlsxwriter
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LDLIBS   = $(PKG_LIBS) -lcsv -lm -lpthread
ALL_CFLAGS = $(WARN) $(WERROR) $(DEFS) $(PKG_CFLAGS) $(CFLAGS) $(EXTRA_CFLAGS)

# Debian packages wardstat needs to build and test (installed by `make deps`).
DEB_PKGS = gcc make pkg-config libgsl-dev libcsv-dev libcriterion-dev libjson-c-dev \
           libxlsxwriter-dev python3

LIB_SRC = $(wildcard engine/*.c ingest/*.c stats/*.c reports/*.c) bench/gen.c
LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/%.o)
TESTS   = $(patsubst tests/%.c,%,$(wildcard tests/test_*.c))

.PHONY: all deps demo test unit cli asan valgrind clean install fuzz bench browser-test

all: wardstat

wardstat: $(BUILD)/main.o $(LIB_OBJ)
	$(CC) $(CFLAGS) $(EXTRA_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

-include $(LIB_OBJ:.o=.d) $(BUILD)/main.d

# Installs the missing Debian packages; does nothing when all are present.
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

demo: deps
	@$(MAKE) --no-print-directory wardstat
	./wardstat report

$(BUILD)/tests/%: tests/%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes $(shell pkg-config --cflags criterion) \
	  -o $@ $^ $(shell pkg-config --libs criterion) $(LDLIBS)

unit: $(TESTS:%=$(BUILD)/tests/%)
	@for t in $^; do echo "== $$t"; ./$$t --jobs 2 || exit 1; done

cli: wardstat
	python3 tests/cli/run.py ./wardstat

test: deps
	@$(MAKE) --no-print-directory unit cli

asan: deps
	$(MAKE) --no-print-directory BUILD=build-asan \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  unit
	$(MAKE) --no-print-directory BUILD=build-asan WARDSTAT=build-asan/wardstat \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  build-asan/wardstat
	ASAN_OPTIONS=detect_leaks=1 python3 tests/cli/run.py build-asan/wardstat

build-asan/wardstat: $(BUILD)/main.o $(LIB_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# memcheck over the demo in every format and view, and over hostile input with rejects
# (that run must exit 3); any memory error or definite/possible leak fails the target.
VALGRIND = valgrind -q --leak-check=full --show-leak-kinds=definite,possible \
           --errors-for-leak-kinds=definite,possible --error-exitcode=1
HOSTILE  = $(addprefix tests/fixtures/hostile/,numbers.csv years.csv nul.csv not-utf8.csv \
           stray-quote.csv unterminated.csv) tests/fixtures/contract/edge/input.csv

valgrind: wardstat
	@command -v valgrind >/dev/null || { echo "make valgrind needs valgrind (apt-get install valgrind)"; exit 1; }
	@mkdir -p $(BUILD)/vg
	$(VALGRIND) ./wardstat report > /dev/null
	$(VALGRIND) ./wardstat report -f csv -o $(BUILD)/vg/csv
	set -e; for f in md json html xlsx; do $(VALGRIND) ./wardstat report -f $$f -o $(BUILD)/vg/review.$$f; done
	set -e; for v in rank trends below; do $(VALGRIND) ./wardstat $$v > /dev/null; done
	$(VALGRIND) ./wardstat check data/chuo-r4.csv > /dev/null
	@# 9 MB, 40,000 series: the parallel reader joins two chunks, the statistics run
	@# on a crew of threads and series.csv is written by the writer thread
	./wardstat gen --series 40000 --years 4 --seed 3 -o $(BUILD)/vg/big.csv
	$(VALGRIND) ./wardstat report $(BUILD)/vg/big.csv -f csv -o $(BUILD)/vg/big --threads 2
	@# the same as a snapshot, mapped, with only the contract's columns
	$(VALGRIND) ./wardstat ingest $(BUILD)/vg/big.csv -o $(BUILD)/vg/big.wsc > /dev/null
	$(VALGRIND) ./wardstat report $(BUILD)/vg/big.wsc -f csv --columns=core -o $(BUILD)/vg/core --threads 2
	$(VALGRIND) ./wardstat report $(HOSTILE) -f md -o $(BUILD)/vg/hostile.md 2>/dev/null; \
	  rc=$$?; [ $$rc -eq 3 ] || { echo "valgrind on hostile input: exit $$rc, want 3"; exit 1; }

# libFuzzer over ingest, stats and writers (clang; see fuzz/README.md). Objects go to
# fuzz/build/, new inputs to fuzz/corpus/ (both git-ignored), seeded from fuzz/seeds/
# and tests/fixtures/; a crash is saved as fuzz/build/crash-* and fails the target.
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_SAN      = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_RUN     ?= -max_len=65536 -timeout=10 -rss_limit_mb=2048

fuzz:
	@command -v $(FUZZ_CC) >/dev/null || { echo "make fuzz needs clang (apt-get install clang libclang-rt-14-dev)"; exit 1; }
	$(MAKE) --no-print-directory BUILD=fuzz/build CC=$(FUZZ_CC) \
	  CFLAGS="-O1 -g -fno-omit-frame-pointer $(FUZZ_SAN) -fsanitize=fuzzer-no-link" \
	  fuzz/build/fuzz_ingest
	@mkdir -p fuzz/corpus
	fuzz/build/fuzz_ingest -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	  -artifact_prefix=fuzz/build/ $(FUZZ_RUN) fuzz/corpus fuzz/seeds tests/fixtures

fuzz/build/fuzz_ingest: fuzz/fuzz_ingest.c $(LIB_OBJ)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

# wardstat against DuckDB (issue 5): writes bench/RESULTS.md. Installs hyperfine, nodejs,
# npm, time and the npm package of bench/duckdb when missing. BENCH_SIZES=1m: small only.
bench: deps
	bash bench/run.sh

# Opens the HTML report in headless Chromium: title, SVG charts, a screenshot that is not
# blank (tests/browser/run.py; the screenshot is kept in $(BUILD)/browser/ to look at).
browser-test: wardstat
	python3 tests/browser/run.py ./wardstat --keep $(BUILD)/browser

# A bare libcsv parse: the floor under the ingest's MB/s (bench/run.sh reports both).
$(BUILD)/csvbare: bench/csvbare.c
	@mkdir -p $(BUILD)
	$(CC) $(ALL_CFLAGS) -o $@ $< -lcsv

install: wardstat
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/wardstat $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 wardstat $(DESTDIR)$(PREFIX)/bin/wardstat
	install -m 644 data/chuo-r4.csv $(DESTDIR)$(PREFIX)/share/wardstat/chuo-r4.csv
	install -m 644 wardstat.1 $(DESTDIR)$(PREFIX)/share/man/man1/wardstat.1

clean:
	rm -rf build build-asan wardstat
