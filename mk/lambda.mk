# AWS Lambda, included by the Makefile (docs/serverless.md).
#
# make lambda-zip: bin/fn-get-profile packaged for AWS Lambda (provided.al2023) as
# build/lambda/function.zip, with LAMBDA_DATA/app.db (seeded there when missing:
# 10,000 users, seed 42, as the benchmarks use).
LAMBDA_DATA ?= var
LAMBDA_ZIP := $(BUILD)/lambda/function.zip

lambda-zip: $(BIN)/fn-get-profile $(BIN)/archbench
	@if [ "$(SAN)" = 1 ]; then echo "lambda-zip: a sanitizer build (SAN=1) is not for deployment" >&2; exit 2; fi
	@[ -f $(LAMBDA_DATA)/app.db ] || $(BIN)/archbench seed --seed 42 --dir $(LAMBDA_DATA)
	@mk/lambda-zip.sh --binary $(BIN)/fn-get-profile --db $(LAMBDA_DATA)/app.db --out $(LAMBDA_ZIP)

# make test-peers: bin/faas with AWS's Node.js Runtime Interface Client
# (aws-lambda-ric from the npm registry, built into build/peers/ by mk/aws-ric.sh),
# tests/peers/test_aws_ric.c once per client: each RIC_VERSIONS, and 3.3.0 with
# its alternative (JavaScript) client for /next. Not part of make test: it needs
# the npm registry and minutes of building the first time.
RIC_VERSIONS := 3.3.0 4.0.2
RIC_DIR := $(BUILD)/peers
PEER_TESTS := $(BUILD)/tests/test_aws_ric
$(BUILD)/tests/test_aws_ric: $(BUILD)/tests/peers/test_aws_ric.o $(TEST_LINK)
$(BUILD)/tests/test_aws_ric: LIBS = $(CMOCKA_LIBS) $(ALL_LIBS)

test-peers: all $(PEER_TESTS)
	@mk/aws-ric.sh $(RIC_DIR) $(RIC_VERSIONS) >/dev/null
	@rc=0; for v in $(RIC_VERSIONS) 3.3.0-alternative; do \
	  echo "== aws-lambda-ric $$v"; \
	  ARCHBENCH_RIC=$(RIC_DIR)/ric-$${v%-alternative}/node_modules/.bin/aws-lambda-ric \
	  ARCHBENCH_RIC_ENV=$$([ "$${v#*-}" = alternative ] && echo AWS_LAMBDA_NODEJS_USE_ALTERNATIVE_CLIENT_1=true) \
	    tests/run.sh $(PEER_TESTS) || rc=1; \
	done; exit $$rc

.PHONY: lambda-zip test-peers
