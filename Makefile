# archbench: one entry point.
#   make            build every program into bin/
#   make test       build, then run the unit and integration tests
#   make bench      the main job: seed, run the three architectures, write the report
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
CFLAGS_ALL = $(CSTD) $(OPT) $(WARN) -pthread -Icommon -Ibench/loadgen -Ibench/archbench -Iserverless -Iserverless/platform -Iserverless/function -Imicroservices $(PKG_CFLAGS) $(CFLAGS)
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

PROGRAMS := $(BIN)/monolith $(BIN)/archbench $(BIN)/loadgen $(BIN)/auth-service \
	$(BIN)/profile-service $(BIN)/gateway

# bench/'s modules: loadgen's (lg_*.c) and the orchestrator's (seed, sut, run,
# metrics, render); linked into loadgen, archbench and the tests.
LIBBENCH_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard bench/loadgen/lg_*.c) bench/archbench/seed.c \
	bench/archbench/sut.c bench/archbench/run.c bench/archbench/figures.c bench/archbench/report.c \
	bench/archbench/report_text.c)
LIBBENCH := $(BUILD)/libbench.a

# Serverless: bin/faas (the platform) and bin/fn-get-profile (the function); test
# functions that hang, crash or fail on purpose live in build/tests/.
FN_RUNTIME_OBJ := $(patsubst %.c,$(BUILD)/%.o,serverless/function/runtime.c serverless/apigw.c serverless/function/zygote.c)
FAAS_OBJ := $(patsubst %.c,$(BUILD)/%.o,serverless/platform/faas.c serverless/platform/trigger.c \
	serverless/platform/runtime_api.c serverless/platform/instances.c serverless/platform/spawner.c \
	serverless/platform/lambda_log.c serverless/apigw.c)
PROGRAMS += $(BIN)/faas $(BIN)/fn-get-profile
TEST_FUNCTIONS := $(BUILD)/tests/fn-test

UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
INTEGRATION_TESTS := $(patsubst tests/integration/%.c,$(BUILD)/tests/%,$(wildcard tests/integration/test_*.c))
TEST_SUPPORT_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/support/*.c))

PKG_LIBS += -lm

all: $(PROGRAMS)

$(BUILD)/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(LIBCOMMON): $(COMMON_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BIN)/monolith: $(BUILD)/monolith/monolith.o $(LIBCOMMON)
	@mkdir -p $(BIN)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

$(LIBBENCH): $(LIBBENCH_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

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

$(BIN)/loadgen: $(BUILD)/bench/loadgen/loadgen.o $(LIBBENCH) $(LIBCOMMON)
	@mkdir -p $(BIN)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

# A raw single-connection HTTP probe: the latency floor bench/peers/bench-loadgen.sh
# compares loadgen against (not part of `make`).
$(BUILD)/peers/probe: $(BUILD)/bench/peers/probe.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^

$(BIN)/archbench: $(BUILD)/bench/archbench/archbench.o $(LIBBENCH) $(LIBCOMMON)
	@mkdir -p $(BIN)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

$(BIN)/faas: $(FAAS_OBJ) $(LIBCOMMON)
	@mkdir -p $(BIN)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

$(BIN)/fn-get-profile: $(BUILD)/serverless/function/fn-get-profile.o $(FN_RUNTIME_OBJ) $(LIBCOMMON)
	@mkdir -p $(BIN)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

$(BUILD)/tests/fn-test: $(BUILD)/tests/functions/fn-test.o $(FN_RUNTIME_OBJ) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

# bench/peers/bench-serverless.sh's helper: the raw posix_spawn+wait cost of a program.
$(BUILD)/peers/spawn-floor: $(BUILD)/bench/peers/spawn-floor.o $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

# bench/peers/bench-upstream.sh's helper: the client CPU of one upstream call, libcurl
# (the gateway's client) against one send and one recv.
$(BUILD)/peers/upstream-cost: $(BUILD)/bench/peers/upstream-cost.o $(BUILD)/microservices/upstream.o \
		$(LIBBENCH) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

# Unit tests of serverless/ modules link those modules too.
$(BUILD)/tests/test_apigw: $(BUILD)/tests/unit/test_apigw.o $(BUILD)/serverless/apigw.o $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(CMOCKA_LIBS) $(PKG_LIBS)

# Tests link what they test from libbench and libcommon.
$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(TEST_SUPPORT_OBJ) $(LIBBENCH) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(CMOCKA_LIBS) $(PKG_LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/integration/%.o $(TEST_SUPPORT_OBJ) $(LIBBENCH) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(CMOCKA_LIBS) $(PKG_LIBS)

# The gateway's pure upstream logic (URL joining, error mapping) is unit-tested.
$(BUILD)/tests/test_upstream: $(BUILD)/microservices/upstream.o

tests: $(UNIT_TESTS) $(INTEGRATION_TESTS) $(TEST_FUNCTIONS)

test: all tests
	@tests/run.sh $(UNIT_TESTS) $(INTEGRATION_TESTS)

# The main job: seed if needed, measure the three architectures (quick profile,
# about two minutes), write results/<timestamp>/ with both reports; the summary
# table and the report's path end the output.
bench: all
	@bin/archbench run --profile quick

# libFuzzer on loadgen's HTTP response parser (clang). FUZZ_SECONDS bounds the run;
# crashes are written to build/fuzz/.
FUZZ_SECONDS ?= 60
$(BUILD)/fuzz/fuzz-parser: tests/fuzz/fuzz_lg_http.c bench/loadgen/lg_http.c bench/loadgen/lg_http.h
	@mkdir -p $(dir $@)
	clang -std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Wshadow -Ibench/loadgen -fsanitize=fuzzer,address,undefined \
	    -o $@ tests/fuzz/fuzz_lg_http.c bench/loadgen/lg_http.c

fuzz-parser: $(BUILD)/fuzz/fuzz-parser
	@mkdir -p $(BUILD)/fuzz/corpus
	$(BUILD)/fuzz/fuzz-parser -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=$(BUILD)/fuzz/ \
	    $(BUILD)/fuzz/corpus tests/fuzz/corpus

# The other libFuzzer targets (docs/fuzzing.md): make fuzz-NAME builds
# tests/fuzz/fuzz_NAME.c with FUZZ_SRC_NAME (and FUZZ_LIBS_NAME) and runs it on
# build/fuzz/corpus-NAME seeded from tests/fuzz/corpus_NAME/.
FUZZ_TARGETS := token
FUZZ_SRC_token := common/token.c
FUZZ_LIBS_token := -lcrypto
.SECONDEXPANSION:
$(BUILD)/fuzz/fuzz-%: tests/fuzz/fuzz_%.c $$(FUZZ_SRC_$$*)
	@mkdir -p $(dir $@)
	clang -std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Wshadow -Icommon -Ibench/loadgen -Iserverless \
	    -fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZ_SRC_$*) $(FUZZ_LIBS_$*)

$(addprefix fuzz-,$(FUZZ_TARGETS)): fuzz-%: $(BUILD)/fuzz/fuzz-%
	@mkdir -p $(BUILD)/fuzz/corpus-$*
	$< -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/ \
	    $(BUILD)/fuzz/corpus-$* tests/fuzz/corpus_$*

clean:
	rm -rf $(BIN) $(BUILD)

.PHONY: all tests test bench clean fuzz-parser $(addprefix fuzz-,$(FUZZ_TARGETS)) FORCE
.SECONDARY:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
