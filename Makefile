# archbench: one entry point.
#   make            build every program into bin/
#   make test       build, then run the unit and integration tests
#   make bench      the main job: seed, run the three architectures, write the report
#   make peers      the benchmark scripts' helper tools, into build/peers/
#   make lambda-zip build/lambda/function.zip, fn-get-profile for AWS Lambda (mk/lambda.mk)
#   make test-peers faas with AWS's own Runtime API client (npm registry; mk/lambda.mk)
#   make clean      remove bin/, build/ (var/ and results/ are kept)
#   SAN=1           build (and test) with AddressSanitizer + UndefinedBehaviorSanitizer
.DEFAULT_GOAL := all
SHELL := /bin/bash

BUILD := build
BIN := bin

# mk/deps.sh installs missing Debian packages and records each library's pkg-config
# flags (MHD_, CURL_, SQLITE_, JANSSON_, CRYPTO_, CMOCKA_ CFLAGS and LIBS) in
# build/config.mk; make builds that file first and restarts with it included, so a
# fresh machine needs nothing but `make`. `make clean` does not need it.
ifeq ($(filter clean,$(MAKECMDGOALS)),)
include $(BUILD)/config.mk
endif
$(BUILD)/config.mk: mk/deps.sh mk/install.sh
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
CFLAGS_ALL = $(CSTD) $(OPT) $(WARN) -pthread $(INCLUDES) $(CFLAGS)
LDFLAGS_ALL = -pthread $(LDSAN) $(LDFLAGS)

# Objects depend on the flags they were built with: switching SAN=1 on or off
# rebuilds everything instead of mixing instrumented and plain objects.
FLAGS_STAMP := $(BUILD)/flags
$(FLAGS_STAMP): FORCE
	@mkdir -p $(BUILD)
	@echo '$(CC) $(CSTD) $(OPT) $(WARN) $(CFLAGS) $(LDFLAGS_ALL)' | cmp -s - $@ || \
	    echo '$(CC) $(CSTD) $(OPT) $(WARN) $(CFLAGS) $(LDFLAGS_ALL)' > $@
FORCE:

# Include paths per directory: each directory's objects see common/ and what they
# really use, plus the flags of the libraries whose headers they include.
$(BUILD)/common/%.o: INCLUDES = $(MHD_CFLAGS) $(CURL_CFLAGS) $(SQLITE_CFLAGS) \
	$(JANSSON_CFLAGS) $(CRYPTO_CFLAGS)
$(BUILD)/monolith/%.o: INCLUDES = -Icommon $(MHD_CFLAGS)
$(BUILD)/microservices/%.o: INCLUDES = -Icommon $(MHD_CFLAGS)
$(BUILD)/serverless/%.o: INCLUDES = -Icommon $(CRYPTO_CFLAGS)
$(BUILD)/serverless/platform/%.o: INCLUDES = -Icommon -Iserverless -Iserverless/function \
	$(MHD_CFLAGS) $(JANSSON_CFLAGS)
$(BUILD)/serverless/function/%.o: INCLUDES = -Icommon -Iserverless $(CURL_CFLAGS) \
	$(JANSSON_CFLAGS)
$(BUILD)/bench/loadgen/%.o: INCLUDES = -Icommon $(JANSSON_CFLAGS)
$(BUILD)/bench/archbench/%.o: INCLUDES = -Icommon -Ibench/loadgen -Ibench/hosts $(MHD_CFLAGS) \
	$(CURL_CFLAGS) $(SQLITE_CFLAGS) $(JANSSON_CFLAGS) $(CRYPTO_CFLAGS)
$(BUILD)/bench/hosts/%.o: INCLUDES = -Icommon
$(BUILD)/bench/peers/%.o: INCLUDES = -Icommon -Ibench/loadgen -Imicroservices $(CURL_CFLAGS)
$(BUILD)/tests/functions/%.o: INCLUDES = -Icommon -Iserverless -Iserverless/function \
	$(JANSSON_CFLAGS)
$(BUILD)/tests/%.o: INCLUDES = -Icommon -Ibench/loadgen -Ibench/archbench -Ibench/hosts -Iserverless \
	-Imicroservices -Itests/support $(MHD_CFLAGS) $(CURL_CFLAGS) $(SQLITE_CFLAGS) \
	$(JANSSON_CFLAGS) $(CRYPTO_CFLAGS) $(CMOCKA_CFLAGS)

$(BUILD)/%.o: %.c $(FLAGS_STAMP) $(BUILD)/config.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

# Archives: common/ (every program), loadgen's modules (bench/loadgen/lg_*.c) and
# the orchestrator's (bench/archbench/*.c but its main, and bench/hosts/hosts.c for
# run --hosts), each found by wildcard.
LIBCOMMON := $(BUILD)/libcommon.a
LIBLOADGEN := $(BUILD)/libloadgen.a
LIBARCHBENCH := $(BUILD)/libarchbench.a
$(LIBCOMMON): $(patsubst %.c,$(BUILD)/%.o,$(wildcard common/*.c))
$(LIBLOADGEN): $(patsubst %.c,$(BUILD)/%.o,$(wildcard bench/loadgen/lg_*.c))
$(LIBARCHBENCH): $(patsubst %.c,$(BUILD)/%.o,$(filter-out bench/archbench/archbench.c,\
	$(wildcard bench/archbench/*.c)) bench/hosts/hosts.c)
$(LIBCOMMON) $(LIBLOADGEN) $(LIBARCHBENCH):
	@rm -f $@
	$(AR) rcs $@ $^

# What each program is made of and the libraries it links: nothing more, so
# `ldd bin/monolith` shows no libcurl. LIBS is per target; the one link recipe
# below serves every program, tool and test.
DB_SERVER_LIBS = $(MHD_LIBS) $(SQLITE_LIBS) $(JANSSON_LIBS) $(CRYPTO_LIBS)
ALL_LIBS = $(MHD_LIBS) $(CURL_LIBS) $(SQLITE_LIBS) $(JANSSON_LIBS) $(CRYPTO_LIBS) -lm

$(BIN)/monolith: $(BUILD)/monolith/monolith.o $(LIBCOMMON)
$(BIN)/monolith: LIBS = $(DB_SERVER_LIBS)
$(BIN)/auth-service: $(BUILD)/microservices/auth-service.o $(LIBCOMMON)
$(BIN)/auth-service: LIBS = $(DB_SERVER_LIBS)
$(BIN)/profile-service: $(BUILD)/microservices/profile-service.o $(LIBCOMMON)
$(BIN)/profile-service: LIBS = $(DB_SERVER_LIBS)
# The gateway calls its services with its own HTTP client: no libcurl.
UPSTREAM_OBJ := $(patsubst %.c,$(BUILD)/%.o,microservices/upstream.c \
	microservices/upstream_target.c)
$(BIN)/gateway: $(BUILD)/microservices/gateway.o $(UPSTREAM_OBJ) $(LIBCOMMON)
$(BIN)/gateway: LIBS = $(MHD_LIBS) $(JANSSON_LIBS) $(CRYPTO_LIBS)

# Serverless: bin/faas (the platform) and bin/fn-get-profile (the function); test
# functions that hang, crash or fail on purpose live in build/tests/.
APIGW_OBJ := $(BUILD)/serverless/apigw.o
FN_RUNTIME_OBJ := $(patsubst %.c,$(BUILD)/%.o,serverless/function/runtime.c \
	serverless/function/zygote.c) $(APIGW_OBJ)
FN_LIBS = $(CURL_LIBS) $(SQLITE_LIBS) $(JANSSON_LIBS) $(CRYPTO_LIBS)
$(BIN)/faas: $(patsubst %.c,$(BUILD)/%.o,$(wildcard serverless/platform/*.c)) $(APIGW_OBJ) \
	$(LIBCOMMON)
$(BIN)/faas: LIBS = $(MHD_LIBS) $(JANSSON_LIBS) $(CRYPTO_LIBS)
$(BIN)/fn-get-profile: $(BUILD)/serverless/function/fn-get-profile.o $(FN_RUNTIME_OBJ) $(LIBCOMMON)
$(BIN)/fn-get-profile: LIBS = $(FN_LIBS)
$(BUILD)/tests/fn-test: $(BUILD)/tests/functions/fn-test.o $(FN_RUNTIME_OBJ) $(LIBCOMMON)
$(BUILD)/tests/fn-test: LIBS = $(CURL_LIBS) $(JANSSON_LIBS) $(CRYPTO_LIBS)

$(BIN)/loadgen: $(BUILD)/bench/loadgen/loadgen.o $(LIBLOADGEN) $(LIBCOMMON)
$(BIN)/loadgen: LIBS = $(JANSSON_LIBS) -lm
$(BIN)/archbench: $(BUILD)/bench/archbench/archbench.o $(LIBARCHBENCH) $(LIBLOADGEN) $(LIBCOMMON)
$(BIN)/archbench: LIBS = $(ALL_LIBS)

# The benchmark scripts' helpers (bench/peers/), built into build/peers/ on demand:
# probe, a raw single-connection HTTP probe (the latency floor bench-loadgen.sh
# compares loadgen against); spawn-floor, the raw posix_spawn+wait cost of a
# program (bench-serverless.sh); upstream-cost, the client CPU of one upstream
# call, the gateway's client and libcurl (the reference it replaced) against one
# send and one recv (bench-upstream.sh).
PEERS := $(BUILD)/peers/probe $(BUILD)/peers/spawn-floor $(BUILD)/peers/upstream-cost
$(BUILD)/peers/probe: $(BUILD)/bench/peers/probe.o $(BUILD)/common/http_response.o
$(BUILD)/peers/spawn-floor: $(BUILD)/bench/peers/spawn-floor.o $(LIBCOMMON)
$(BUILD)/peers/upstream-cost: $(BUILD)/bench/peers/upstream-cost.o $(UPSTREAM_OBJ) \
	$(LIBLOADGEN) $(LIBCOMMON)
$(BUILD)/peers/upstream-cost: LIBS = $(CURL_LIBS)

PROGRAMS := $(addprefix $(BIN)/,monolith auth-service profile-service gateway faas \
	fn-get-profile loadgen archbench)
TEST_FUNCTIONS := $(BUILD)/tests/fn-test

# Tests link what they test from the archives; unit tests of modules outside them
# (serverless/apigw.c, the gateway's upstream client) link those objects too, the
# client's before the archives it calls into.
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
INTEGRATION_TESTS := $(patsubst tests/integration/%.c,$(BUILD)/tests/%,$(wildcard tests/integration/test_*.c))
TEST_LINK := $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/support/*.c)) $(LIBARCHBENCH) \
	$(LIBLOADGEN) $(LIBCOMMON)
UPSTREAM_TESTS := $(BUILD)/tests/test_upstream $(BUILD)/tests/test_upstream_client
$(filter-out $(UPSTREAM_TESTS),$(UNIT_TESTS)): $(BUILD)/tests/%: $(BUILD)/tests/unit/%.o \
	$(TEST_LINK)
$(UPSTREAM_TESTS): $(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(UPSTREAM_OBJ) $(TEST_LINK)
$(INTEGRATION_TESTS): $(BUILD)/tests/%: $(BUILD)/tests/integration/%.o $(TEST_LINK)
$(BUILD)/tests/test_apigw $(BUILD)/tests/test_apigw_event: $(APIGW_OBJ)
$(BUILD)/tests/test_runtime: $(BUILD)/serverless/function/runtime.o
$(UNIT_TESTS) $(INTEGRATION_TESTS): LIBS = $(CMOCKA_LIBS) $(ALL_LIBS)

# AWS Lambda: make lambda-zip, make test-peers (PEER_TESTS).
include mk/lambda.mk

# The one link recipe: a target's objects and archives, then its LIBS.
$(PROGRAMS) $(PEERS) $(TEST_FUNCTIONS) $(UNIT_TESTS) $(INTEGRATION_TESTS) $(PEER_TESTS):
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $(filter %.o %.a,$^) $(LIBS)

all: $(PROGRAMS)

peers: $(PEERS)

tests: $(UNIT_TESTS) $(INTEGRATION_TESTS) $(TEST_FUNCTIONS)

test: all tests
	@tests/run.sh $(UNIT_TESTS) $(INTEGRATION_TESTS)

# The main job: seed if needed, measure the three architectures (quick profile,
# about two minutes), write results/<timestamp>/ with both reports; the summary
# table and the report's path end the output.
bench: all
	@bin/archbench run --profile quick

# libFuzzer on the HTTP/1.1 response parser (common/http_response.c: loadgen's and the
# gateway's) with clang. FUZZ_SECONDS bounds the run; crashes are written to build/fuzz/.
FUZZ_SECONDS ?= 60
$(BUILD)/fuzz/fuzz-parser: tests/fuzz/fuzz_http_response.c common/http_response.c common/http_response.h
	@mkdir -p $(@D)
	clang -std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Wshadow -Icommon -fsanitize=fuzzer,address,undefined \
	    -o $@ tests/fuzz/fuzz_http_response.c common/http_response.c

fuzz-parser: $(BUILD)/fuzz/fuzz-parser
	@mkdir -p $(BUILD)/fuzz/corpus
	$(BUILD)/fuzz/fuzz-parser -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=$(BUILD)/fuzz/ \
	    $(BUILD)/fuzz/corpus tests/fuzz/corpus

# The other libFuzzer targets (docs/fuzzing.md): make fuzz-NAME builds
# tests/fuzz/fuzz_NAME.c with FUZZ_SRC_NAME (and FUZZ_LIBS_NAME) and runs it on
# build/fuzz/corpus-NAME seeded from tests/fuzz/corpus_NAME/.
FUZZ_TARGETS := token apigw event
FUZZ_SRC_token := common/token.c
FUZZ_LIBS_token := -lcrypto
FUZZ_SRC_apigw := serverless/apigw.c
FUZZ_LIBS_apigw := -ljansson -lcrypto
FUZZ_SRC_event := serverless/apigw.c
FUZZ_LIBS_event := -ljansson -lcrypto
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

.PHONY: all peers tests test bench clean fuzz-parser $(addprefix fuzz-,$(FUZZ_TARGETS)) FORCE
.SECONDARY:

include mk/deploy.mk

# (npm packages under build/, such as make test-peers' aws-lambda-ric, hold *.d of their own)
-include $(shell find $(BUILD) -name '*.d' -type f -not -path '*/node_modules/*' 2>/dev/null)
