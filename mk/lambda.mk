# make lambda-zip: bin/fn-get-profile packaged for AWS Lambda (provided.al2023) as
# build/lambda/function.zip, with LAMBDA_DATA/app.db (seeded there when missing:
# 10,000 users, seed 42, as the benchmarks use). Deployment: docs/serverless.md.
LAMBDA_DATA ?= var
LAMBDA_ZIP := $(BUILD)/lambda/function.zip

lambda-zip: $(BIN)/fn-get-profile $(BIN)/archbench
	@if [ "$(SAN)" = 1 ]; then echo "lambda-zip: a sanitizer build (SAN=1) is not for deployment" >&2; exit 2; fi
	@[ -f $(LAMBDA_DATA)/app.db ] || $(BIN)/archbench seed --seed 42 --dir $(LAMBDA_DATA)
	@mk/lambda-zip.sh --binary $(BIN)/fn-get-profile --db $(LAMBDA_DATA)/app.db --out $(LAMBDA_ZIP)

.PHONY: lambda-zip
