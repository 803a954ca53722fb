# tests/stress/stress.mk - the device stress test in the emulated Raspberry
# Pi 3 (included by Makefile, after tests/system/system.mk).
#
#   make check-stress   STRESS_SECONDS (default 40) of hammering, then the
#                       checks of tests/stress/test_stress.py; part of
#                       `make check`
#   make stress         the same for 10 minutes (STRESS_LONG_SECONDS)
#
# Results, the trace and the kernel log stay in build/stress/run/.

STRESS_DIR          := $(BUILD)/stress
HAMMER              := $(STRESS_DIR)/hammer
STRESS_SECONDS      ?= 40
STRESS_LONG_SECONDS ?= 600

$(HAMMER): tests/stress/guest/hammer.c
	@$(DEPS) build pi
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -pthread -o $@ $<

.PHONY: check-stress stress stress-prereqs
CHECK_TARGETS += check-stress

stress-prereqs: module-arm64 $(DTBO) $(DEVIO) $(HAMMER)

check-stress: stress-prereqs
	python3 tests/stress/test_stress.py --out $(STRESS_DIR) --seconds $(STRESS_SECONDS)

stress: stress-prereqs
	python3 tests/stress/test_stress.py --out $(STRESS_DIR) --seconds $(STRESS_LONG_SECONDS)
