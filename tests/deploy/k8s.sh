#!/usr/bin/env bash
# make test-deploy, Kubernetes part: renders deploy/k8s and deploy/k8s/load with
# `kubectl kustomize` and validates every document offline (tests/deploy/k8s-validate.js:
# schemas from the npm package kubernetes-models, installed into build/, plus field
# names). No cluster runs here: validated, not run. First proves the validator can
# fail: a copy with a misspelt field and a wrong type must be refused.
set -euo pipefail
cd "$(dirname "$0")/../.."

dir=build/k8s-validate
mkdir -p "$dir"
cmp -s tests/deploy/k8s-package.json "$dir/package.json" || {
    cp tests/deploy/k8s-package.json "$dir/package.json"
    rm -rf "$dir/node_modules"
}
if [ ! -d "$dir/node_modules/kubernetes-models" ]; then
    command -v npm >/dev/null || { echo "k8s: SKIP: npm not found"; exit 0; }
    npm install --prefix "$dir" --no-audit --no-fund --loglevel=error >/dev/null
fi

if command -v kubectl >/dev/null; then
    kubectl kustomize deploy/k8s >"$dir/servers.yaml"
    kubectl kustomize deploy/k8s/load >"$dir/load.yaml"
    files=("$dir/servers.yaml" "$dir/load.yaml")
    echo "k8s: rendered with $(kubectl version --client 2>/dev/null | grep -i kustomize)"
else
    # without kustomize the defaults component (probes, security, data) is not applied
    echo "k8s: kubectl not found: validating the files as written, not as rendered"
    files=()
    for f in deploy/k8s/*.yaml deploy/k8s/load/*.yaml; do
        [ "$(basename "$f")" = kustomization.yaml ] || files+=("$f")
    done
fi

sed -e '0,/replicas: 1/s//replica: 1/' -e '0,/containerPort: 8080/s//containerPort: eighty/' \
    "${files[0]}" >"$dir/broken.yaml"
if out=$(node tests/deploy/k8s-validate.js "$dir" "$dir/broken.yaml"); then
    echo "k8s: FAIL: the validator accepted a misspelt field and a string port"
    exit 1
fi
grep -q 'spec.replica: unknown field' <<<"$out" && grep -q 'containerPort must be integer' <<<"$out" || {
    echo "k8s: FAIL: the validator did not name both faults:"
    echo "$out" | grep FAIL
    exit 1
}
node tests/deploy/k8s-validate.js "$dir" "${files[@]}"
