# Deployment targets (included by the Makefile; not part of `make` or `make test`):
#   make image        the container image archbench:latest, built offline from a cached
#                     debootstrap base (deploy/image/build.sh)
#   make test-deploy  image, Compose stack, Kubernetes and Terraform validation,
#                     separate hosts with real delay (tests/deploy/run.sh)
IMAGE_TAG ?= archbench:latest

image: all
	@mk/bench-tools.sh dockerd debootstrap
	@eval "$$(deploy/dockerd.sh start)"; rc=0; deploy/image/build.sh $(IMAGE_TAG) || rc=$$?; \
	    [ -z "$${DOCKERD_STARTED:-}" ] || deploy/dockerd.sh stop; exit $$rc

.PHONY: image

# bin/netdelay: the packet-delay helper of archbench run --hosts --rtt (NFQUEUE in user
# space: this kernel has no netem). Not in `all`: it needs libnetfilter-queue-dev.
$(BIN)/netdelay: $(BUILD)/bench/hosts/netdelay.o $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $(filter %.o %.a,$^) $(shell pkg-config --libs libnetfilter_queue)

$(BUILD)/bench/hosts/netdelay.o: | netdelay-deps
netdelay-deps:
	@mk/bench-tools.sh libnetfilter_queue iptables-legacy ip

netdelay: $(BIN)/netdelay

.PHONY: netdelay netdelay-deps

# Not part of `make test`: installs Docker, starts (and stops) a daemon, builds the
# image, needs root. Ends with "test-deploy: N passed, N failed, N skipped".
test-deploy: all
	@tests/deploy/run.sh

.PHONY: test-deploy
