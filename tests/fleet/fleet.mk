# tests/fleet/fleet.mk - sesame-bridge on a three-node RabbitMQ cluster that
# loses nodes (issue 12; included by Makefile, after bridge/bridge.mk).
#
#   make check-fleet  what `make check` runs: FLEET_CHECK_ARGS, a small run
#                     (3 kills, 10 bridges, 60 commands; about 2 minutes on
#                     2 cores)
#   make fleet        the full run: 10 kills, 50 bridges, 1000 commands;
#                     writes build/fleet/figures.json (tests/fleet/README.md)
#
# The runner is tests/fleet/fleet.py, on Debian's python3 (its paho-mqtt
# package): a PATH that leads to another Python would not see it.

FLEET_PROGRAMS   := $(BRIDGE_BINS) $(BRIDGE_BUILD)/fake-sesame $(BRIDGE_BUILD)/fake-sync.so
FLEET_PYTHON     := /usr/bin/python3
FLEET_CHECK_ARGS ?= --kills 3 --bridges 10 --commands 60
FLEET_ARGS       ?= --kills 10 --bridges 50 --commands 1000

.PHONY: check-fleet fleet fleet-deps
CHECK_TARGETS += check-fleet

fleet-deps:
	@$(DEPS) build bridge bridge-test fleet

check-fleet: $(FLEET_PROGRAMS) | fleet-deps
	$(FLEET_PYTHON) tests/fleet/fleet.py $(FLEET_CHECK_ARGS) --figures $(BUILD)/fleet/check-figures.json

fleet: $(FLEET_PROGRAMS) | fleet-deps
	$(FLEET_PYTHON) tests/fleet/fleet.py $(FLEET_ARGS) --figures $(BUILD)/fleet/figures.json
