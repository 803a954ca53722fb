# Makefile - the one entry point for building, testing and running sesame.
#
#   make          the module for the running kernel (when its headers are
#                 installed) and the user-space programs
#   make demo     boot the emulated Raspberry Pi 3, open the door from MQTT,
#                 show the pulses
#   make check    every test; this is what CI runs (.ci/run)
#   make check-matrix  the driver on every kernel of the matrix, in full
#                 (tests/system/system.mk)
#   make install  on a Raspberry Pi: DKMS, overlay, udev, bridge, unit
#                 (packaging.mk; also uninstall and deb)
#   make fleet    the bridge on a RabbitMQ cluster that loses nodes, at
#                 full size (tests/fleet/fleet.mk; check-fleet is smaller)
#   make bench    the benchmarks; writes bench/RESULTS.md (not part of check)
#   make help     every target the fragments document, and what make check
#                 runs (tests/README.md says how long each takes, what it
#                 needs, and how to run or add one case)
#
# Each part keeps its rules in its own fragment (driver/driver.mk, ...).
# Everything generated goes under build/; `make clean` removes it. Targets
# that need Debian packages install them first through scripts/deps.sh.

VERSION := $(shell cat VERSION)
BUILD   := build
DEPS    := scripts/deps.sh

.PHONY: all check demo clean help
.DEFAULT_GOAL := all

# Fragments add their parts to these.
ALL_TARGETS   :=
CHECK_TARGETS :=

include driver/driver.mk
include dts/dts.mk
include tests/unit/unit.mk
include tests/fuzz/fuzz.mk
include bridge/bridge.mk
include phone/phone.mk
include packaging.mk
include tests/system/system.mk
include tests/door/door.mk
include tests/stress/stress.mk
include tests/faults/faults.mk
include tests/brokers/brokers.mk
include tests/fleet/fleet.mk
include bench/bench.mk

all: $(ALL_TARGETS)

# The order is from fast to slow, so a broken build fails early.
check: $(CHECK_TARGETS)
	@echo "make check: all tests passed"

clean:
	rm -rf $(BUILD)

help:
	@scripts/make-help.sh $(MAKEFILE_LIST)
	@echo
	@echo "make check runs, in this order:"
	@echo "$(CHECK_TARGETS)" | fmt -w 76 | sed 's/^/  /'
