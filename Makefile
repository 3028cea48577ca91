# archbench: one entry point.
#   make            build every program into bin/
#   make test       build, then run the unit and integration tests
#   make bench      the main job: seed, run, print the comparison
#   make clean      remove bin/, build/ (var/ and results/ are kept)
#   SAN=1           build (and test) with AddressSanitizer + UndefinedBehaviorSanitizer
.DEFAULT_GOAL := all
SHELL := /bin/bash

BUILD := build
BIN := bin

# mk/deps.sh installs missing Debian packages and records the pkg-config flags in
# build/config.mk; make builds that file first and restarts with it included, so a
# fresh machine needs nothing but `make`. `make clean` does not need it.
ifeq ($(filter clean,$(MAKECMDGOALS)),)
include $(BUILD)/config.mk
endif
$(BUILD)/config.mk: mk/deps.sh
	@mkdir -p $(BUILD)
	@mk/deps.sh $@

CC ?= cc
CSTD := -std=c11 -D_GNU_SOURCE
WARN := -Wall -Wextra -Wshadow -Wformat=2 -Wno-format-nonliteral
ifeq ($(SAN),1)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDSAN := -fsanitize=address,undefined
else
OPT := -O2 -g
LDSAN :=
endif
CFLAGS_ALL = $(CSTD) $(OPT) $(WARN) -pthread -Icommon $(PKG_CFLAGS) $(CFLAGS)
LDFLAGS_ALL = -pthread $(LDSAN) $(LDFLAGS)

# Objects depend on the flags they were built with: switching SAN=1 on or off
# rebuilds everything instead of mixing instrumented and plain objects.
FLAGS_STAMP := $(BUILD)/flags
$(FLAGS_STAMP): FORCE
	@mkdir -p $(BUILD)
	@echo '$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL)' | cmp -s - $@ || echo '$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL)' > $@
FORCE:

COMMON_SRC := $(wildcard common/*.c)
COMMON_OBJ := $(COMMON_SRC:%.c=$(BUILD)/%.o)
LIBCOMMON := $(BUILD)/libcommon.a

PROGRAMS := $(BIN)/monolith $(BIN)/archbench $(BIN)/auth-service $(BIN)/profile-service \
	$(BIN)/gateway

UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
INTEGRATION_TESTS := $(patsubst tests/integration/%.c,$(BUILD)/tests/%,$(wildcard tests/integration/test_*.c))
TEST_SUPPORT_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/support/*.c))

all: $(PROGRAMS)

$(BUILD)/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(LIBCOMMON): $(COMMON_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BIN)/monolith: $(BUILD)/monolith/main.o $(LIBCOMMON)
	@mkdir -p $(BIN)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

$(BIN)/auth-service: $(BUILD)/microservices/auth-service.o $(LIBCOMMON)
	@mkdir -p $(BIN)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

$(BIN)/profile-service: $(BUILD)/microservices/profile-service.o $(LIBCOMMON)
	@mkdir -p $(BIN)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

GATEWAY_OBJ := $(patsubst %.c,$(BUILD)/%.o,microservices/gateway.c microservices/upstream.c)
$(BIN)/gateway: $(GATEWAY_OBJ) $(LIBCOMMON)
	@mkdir -p $(BIN)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

ARCHBENCH_OBJ := $(patsubst %.c,$(BUILD)/%.o,bench/archbench.c bench/seed.c)
$(BIN)/archbench: $(ARCHBENCH_OBJ) $(LIBCOMMON)
	@mkdir -p $(BIN)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

# Unit tests link the module under test from libcommon (and seed.o for seeding).
$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(BUILD)/bench/seed.o $(TEST_SUPPORT_OBJ) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(CMOCKA_LIBS) $(PKG_LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/integration/%.o $(TEST_SUPPORT_OBJ) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(CMOCKA_LIBS) $(PKG_LIBS)

# The gateway's pure upstream logic (URL joining, error mapping) is unit-tested.
$(BUILD)/tests/test_upstream: $(BUILD)/microservices/upstream.o

tests: $(UNIT_TESTS) $(INTEGRATION_TESTS)

test: all tests
	@tests/run.sh $(UNIT_TESTS) $(INTEGRATION_TESTS)

bench: all
	@bench/bench-monolith.sh --quick

clean:
	rm -rf $(BIN) $(BUILD)

.PHONY: all tests test bench clean FORCE
.SECONDARY:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
