#!/usr/bin/env bash
# make test-deploy, Lambda part: `terraform validate` of deploy/lambda, offline. The
# AWS provider must already be on the machine (a filesystem mirror: TF_PROVIDER_MIRROR,
# or the usual plugin folders); this script writes its own CLI configuration that
# installs only from that mirror, and never reaches the network or the registry.
# Skips, saying why, when terraform or the provider is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CHECKPOINT_DISABLE=1

command -v terraform >/dev/null || { echo "terraform: SKIP: terraform not found"; exit 0; }
mirror=
for d in ${TF_PROVIDER_MIRROR:-} /opt/tf-plugins /usr/share/terraform/plugins \
    /usr/local/share/terraform/plugins "$HOME/.terraform.d/plugins" "$HOME/.local/share/terraform/plugins"; do
    if [ -d "$d/registry.terraform.io/hashicorp/aws" ]; then mirror=$d; break; fi
done
[ -n "$mirror" ] || {
    echo "terraform: SKIP: no hashicorp/aws provider mirror found (set TF_PROVIDER_MIRROR)"
    exit 0
}

# A copy, so init's .terraform/ and lock file never land in the source tree.
work=build/terraform
rm -rf "$work/module" && mkdir -p "$work/module"
cp deploy/lambda/*.tf "$work/module/"
cat >"$work/cli.tfrc" <<CFG
provider_installation {
  filesystem_mirror {
    path    = "$(cd "$mirror" && pwd)"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["*/*"]
  }
}
CFG
export TF_CLI_CONFIG_FILE=$PWD/$work/cli.tfrc TF_IN_AUTOMATION=1
terraform fmt -check -diff deploy/lambda >/dev/null || {
    echo "terraform: FAIL: deploy/lambda is not formatted (terraform fmt deploy/lambda)"
    exit 1
}
terraform -chdir="$work/module" init -backend=false -input=false -no-color >"$work/init.log" 2>&1 || {
    echo "terraform: FAIL: init from $mirror:"; tail -n 20 "$work/init.log"; exit 1
}
terraform -chdir="$work/module" validate -no-color
echo "terraform: validated with $(terraform version | head -n 1), provider from $mirror"
