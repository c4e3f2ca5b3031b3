# The only build file.  Objects go to $(BUILD), never beside the sources.
# "make check" installs what is missing (as root) or says what to run.

VERSION = 0.1.0
BUILD  ?= build
PREFIX ?= /usr/local
CC     ?= cc

WARN = -std=c11 -pedantic -Wall -Wextra -Werror -Wshadow -Wvla \
       -Wstrict-prototypes -Wmissing-prototypes -Wwrite-strings
CFLAGS ?= -g -O2
PKGS     = libcurl yaml-0.1 libcjson sqlite3 libcrypto zlib
EMU_PKGS = libmicrohttpd libcjson libcrypto
# Recursive (=) so pkg-config runs after "make deps" has installed things.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) $(EMU_PKGS) 2>/dev/null)
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	    -DSTANDBY_VERSION='"$(VERSION)"' -Ilib -I$(BUILD)/gen $(PKG_CFLAGS)
LIBS     = $(shell pkg-config --libs $(PKGS)) -lpthread -lm
EMU_LIBS = $(shell pkg-config --libs $(EMU_PKGS)) -lpthread -lm
SAN = -fsanitize=address,undefined -fno-omit-frame-pointer \
      -fno-sanitize-recover=all

# Debian 12 packages: libraries to build with, and tools the tests run.
DEBS = build-essential pkg-config libcurl4-openssl-dev libyaml-dev \
       libcjson-dev libsqlite3-dev libmicrohttpd-dev libssl-dev zlib1g-dev \
       curl jq openssl sqlite3 python3 python3-jsonschema python3-yaml \
       clang libclang-rt-14-dev clang-format valgrind procps \
       chromium

LIB_SRC := $(sort $(wildcard lib/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
GEN_SRC := $(BUILD)/gen/migrations.c
GEN_OBJ := $(GEN_SRC:.c=.o)
CLI_SRC := $(sort $(wildcard cmd/standby/*.c))
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
EMU_SRC := $(sort $(wildcard cmd/standby-emulator/*.c))
EMU_OBJ := $(EMU_SRC:%.c=$(BUILD)/%.o)
# The emulator shares only generic helpers with lib/, never the client
# code that talks to Azure: a mistake shared by both would pass every test.
EMU_SHARED := $(patsubst %.c,$(BUILD)/%.o,lib/buf.c lib/err.c)
UNIT_SRC := $(sort $(wildcard tests/unit/*_test.c))
UNIT_BIN := $(UNIT_SRC:%.c=$(BUILD)/%)
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))
TOOL_BIN := $(TOOL_SRC:%.c=$(BUILD)/%)
BENCH_SRC := $(sort $(wildcard tests/bench/*.c))
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/tests/tools/%)

all: $(BUILD)/standby $(if $(EMU_SRC),$(BUILD)/standby-emulator)

$(BUILD)/libstandby.a: $(LIB_OBJ) $(GEN_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/standby: $(CLI_OBJ) $(BUILD)/libstandby.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libstandby.a $(LIBS)

$(BUILD)/standby-emulator: $(EMU_OBJ) $(EMU_SHARED)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(EMU_LIBS)

$(BUILD)/tests/unit/%: tests/unit/%.c tests/unit/t.h $(BUILD)/libstandby.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< \
	    $(BUILD)/libstandby.a $(LIBS) $(EMU_LIBS)

$(BUILD)/tests/tools/%: tests/tools/%.c $(BUILD)/libstandby.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) $(LDFLAGS) -o $@ $< \
	    $(BUILD)/libstandby.a $(LIBS) $(EMU_LIBS)

$(BUILD)/tests/tools/%: tests/bench/%.c $(BUILD)/libstandby.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) $(LDFLAGS) -o $@ $< \
	    $(BUILD)/libstandby.a $(LIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -c -o $@ $<

# The state file's migrations are compiled into the binary, so a standby
# never meets a schema it was not built with.
$(GEN_SRC): $(sort $(wildcard state/*.sql)) state/embed.sh
	@mkdir -p $(@D)
	sh state/embed.sh $(sort $(wildcard state/*.sql)) > $@.tmp
	mv $@.tmp $@

tests: all $(UNIT_BIN) $(TOOL_BIN) $(BENCH_BIN)

# --- set-up -------------------------------------------------------------
deps:
	@if [ "$$(id -u)" != 0 ]; then \
	    echo "make deps must run as root: sudo make deps" >&2; exit 1; fi
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(DEBS)

# Installs what is missing when we are root; otherwise names the command.
deps-check:
	@sh tests/deps.sh "$(PKGS) $(EMU_PKGS)" "$(DEBS)"

# --- the main job ---------------------------------------------------------
# Builds, starts the emulator, seeds the examples' source projects, then
# plan, apply and plan again (see examples/demo.sh).
demo: deps-check
	@$(MAKE) --no-print-directory all
	@BUILD=$(abspath $(BUILD)) sh examples/demo.sh

# --- tests --------------------------------------------------------------
check: deps-check
	@$(MAKE) --no-print-directory tests
	@sh tests/run.sh $(BUILD)

asan: deps-check
	@$(MAKE) --no-print-directory BUILD=build/asan CFLAGS="-g -O1 $(SAN)" \
	    LDFLAGS="$(SAN)" tests
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    sh tests/run.sh build/asan

valgrind: deps-check
	@$(MAKE) --no-print-directory tests
	@STANDBY_VALGRIND="valgrind -q --leak-check=full --error-exitcode=99" \
	    sh tests/run.sh $(BUILD)

# libFuzzer targets, built with clang into their own tree; FUZZ_SECONDS
# bounds each run.  Crashes it finds go to tests/fuzz/regress/<target>/.
FUZZ_SECONDS ?= 60
fuzz: deps-check
	@sh tests/fuzz/run.sh "$(FUZZ_SECONDS)"

# Speed and memory goals live in benchmarks, not in timed tests.  The
# quick set takes a few minutes; FULL=1 runs everything (see README.md,
# "Benchmarks").  The table is printed, the figures written to
# $(BUILD)/bench/results.json.
bench: tests
	@BUILD=$(abspath $(BUILD)) FULL=$(FULL) sh tests/bench/run.sh

headers:
	@for h in lib/*.h; do \
	    echo "#include \"$$(basename $$h)\"" | \
	    $(CC) $(CPPFLAGS) $(WARN) -x c -fsyntax-only -Ilib - || exit 1; \
	done; echo "every header compiles on its own"

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(BUILD)/standby $(BUILD)/standby-emulator \
	    $(DESTDIR)$(PREFIX)/bin/

clean:
	rm -rf $(BUILD) build

.PHONY: all demo tests deps deps-check check asan valgrind fuzz bench headers format \
	format-check install clean
.SUFFIXES:

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(EMU_OBJ:.o=.d)
