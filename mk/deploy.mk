# Deployment targets (included by the Makefile; not part of `make` or `make test`):
#   make image        the container image archbench:latest, built offline from a cached
#                     debootstrap base (deploy/image/build.sh)
#   make test-deploy  image, Compose stack, Kubernetes and Terraform validation,
#                     separate hosts with real delay (tests/deploy/run.sh)
IMAGE_TAG ?= archbench:latest

image: all
	@mk/deploy-deps.sh image
	@eval "$$(deploy/dockerd.sh start)"; rc=0; deploy/image/build.sh $(IMAGE_TAG) || rc=$$?; \
	    [ -z "$${DOCKERD_STARTED:-}" ] || deploy/dockerd.sh stop; exit $$rc

.PHONY: image
