# tests/faults/faults.mk - sesame-bridge under faults and under abuse,
# against a real mosquitto with TLS (included by Makefile, after
# bridge/bridge.mk).
#
#   make check-faults  what `make check` runs: a soak of one round of every
#                      fault (CHECK_SOAK_SECONDS, default 60; a round takes
#                      a little longer), the abuse cases with the bridge as
#                      built, and once more, with a smaller and slower
#                      flood (ASan's bridge is slower), under ASan+UBSan
#                      (leaks fatal)
#   make soak          faults for SOAK_SECONDS (default 600); not in CI
#   make abuse         the abuse cases alone
#
# The tests are Python (standard library only): tests/faults/soak.py,
# abuse.py, and harness.py (broker, proxy, device stand-in, bridge).

SOAK_SECONDS       ?= 600
CHECK_SOAK_SECONDS ?= 60
FAULTS_PROGRAMS    := $(BRIDGE_BINS) $(BRIDGE_BUILD)/fake-sesame $(BRIDGE_BUILD)/fake-sync.so

.PHONY: check-faults soak abuse faults-deps
CHECK_TARGETS += check-faults

faults-deps:
	@$(DEPS) build bridge bridge-test faults

check-faults: $(FAULTS_PROGRAMS) $(BRIDGE_ASAN)/sesame-bridge | faults-deps
	python3 tests/faults/soak.py --seconds $(CHECK_SOAK_SECONDS)
	python3 tests/faults/abuse.py
	$(BRIDGE_ASAN_ENV) python3 tests/faults/abuse.py --flood 10000 --rate 2000 --rss 0 \
		--bridge $(BRIDGE_ASAN)/sesame-bridge

soak: $(FAULTS_PROGRAMS) | faults-deps
	python3 tests/faults/soak.py --seconds $(SOAK_SECONDS)

abuse: $(FAULTS_PROGRAMS) | faults-deps
	python3 tests/faults/abuse.py
