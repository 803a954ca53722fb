# tests/bridge/tests.mk - the bridge's tests (included by bridge/bridge.mk).
#
#   make check-bridge-unit    cmocka tests of the pure parts, linked with
#                             the real objects: plain, then ASan+UBSan
#   make check-bridge-integration  integration.sh against a real mosquitto
#                             with TLS: plain, ASan+UBSan, then valgrind
#                             memcheck (errors fatal)
#   make check-bridge-it-plain  the integration tests once, plain (the
#                             quickest run of the bridge's cases)

BRIDGE_UNIT_TESTS := config payload sign replay ratelimit status backoff json secret notify \
		     keyring
# The objects under test: everything but main, MQTT, device and glue.
BRIDGE_UNIT_LINK  := $(BRIDGE_PURE) conffile keyring secret statefile log notify
BRIDGE_TEST_LIBS   = $(shell $(PKG_CONFIG) --libs cmocka libcjson libcrypto)
BRIDGE_TEST_CFLAGS = $(BRIDGE_CFLAGS) -Ibridge $(shell $(PKG_CONFIG) --cflags cmocka)

BRIDGE_UNIT_BINS      := $(addprefix $(BRIDGE_BUILD)/unit/test_,$(BRIDGE_UNIT_TESTS))
BRIDGE_UNIT_ASAN_BINS := $(addprefix $(BRIDGE_BUILD)/unit-asan/test_,$(BRIDGE_UNIT_TESTS))

# ASan finds leaks at exit; any finding fails the run.
BRIDGE_ASAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=98 \
		   UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
BRIDGE_VALGRIND := tests/lib/under-valgrind

.PHONY: bridge-test-deps check-bridge-man check-bridge-unit-plain check-bridge-unit-asan \
	check-bridge-it-plain check-bridge-it-asan check-bridge-it-valgrind

bridge-test-deps:
	@$(DEPS) build bridge bridge-test unit

$(BRIDGE_BUILD)/unit/test_%: tests/bridge/test_%.c \
		$(call bridge_objs,$(BRIDGE_OBJ),$(BRIDGE_UNIT_LINK)) | bridge-test-deps
	@mkdir -p $(@D)
	$(CC) $(BRIDGE_TEST_CFLAGS) -O1 $^ -o $@ $(BRIDGE_TEST_LIBS)

$(BRIDGE_BUILD)/unit-asan/test_%: tests/bridge/test_%.c \
		$(call bridge_objs,$(BRIDGE_ASAN),$(BRIDGE_UNIT_LINK)) | bridge-test-deps
	@mkdir -p $(@D)
	$(CC) $(BRIDGE_TEST_CFLAGS) -O1 $(BRIDGE_SAN) $^ -o $@ $(BRIDGE_TEST_LIBS)

# The /dev/sesame stand-in: a FUSE file system whose device is the
# driver's own core (driver/sesame-core.c, built against tests/shim/ as the
# unit tests build it; the FUSE side is kept apart from the shim's headers).
FAKE_DEVICE_CFLAGS := -std=gnu11 -O2 -g $(BRIDGE_WARN) -Itests/shim -Idriver
$(BRIDGE_BUILD)/fake-device/fake-device.o: tests/bridge/fake-device.c \
		tests/bridge/fake-device.h driver/sesame-core.h | bridge-test-deps
	@mkdir -p $(@D)
	$(CC) $(FAKE_DEVICE_CFLAGS) -c $< -o $@
$(BRIDGE_BUILD)/fake-device/sesame-core.o: driver/sesame-core.c driver/sesame-core.h \
		| bridge-test-deps
	@mkdir -p $(@D)
	$(CC) $(FAKE_DEVICE_CFLAGS) -c $< -o $@
$(BRIDGE_BUILD)/fake-sesame: tests/bridge/fake-sesame.c tests/bridge/fake-device.h \
		$(BRIDGE_BUILD)/fake-device/fake-device.o \
		$(BRIDGE_BUILD)/fake-device/sesame-core.o | bridge-test-deps
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -g $(BRIDGE_WARN) $(shell $(PKG_CONFIG) --cflags fuse3) \
		$(filter %.c %.o,$^) -o $@ $(shell $(PKG_CONFIG) --libs fuse3)

# The kernel's answer to "is the clock synchronised?", as a test says.
$(BRIDGE_BUILD)/fake-sync.so: tests/bridge/fake-sync.c | bridge-test-deps
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -g -fPIC -shared $(BRIDGE_WARN) $< -o $@ -ldl

# Plays systemd's side of sd_notify().
$(BRIDGE_BUILD)/notify-sink: tests/bridge/notify-sink.c | bridge-test-deps
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -g $(BRIDGE_WARN) $< -o $@

# The manual pages must format without a warning.
BRIDGE_MANS := $(wildcard bridge/man/*.[158])
check-bridge-man: | bridge-test-deps
	@for m in $(BRIDGE_MANS); do \
		out=$$(LC_ALL=C.UTF-8 groff -t -man -ww -z -Tutf8 $$m 2>&1); \
		if [ -n "$$out" ]; then echo "$$m: $$out"; exit 1; fi; \
	done; echo "manual pages: $(words $(BRIDGE_MANS)) format cleanly"

check-bridge: check-bridge-man check-bridge-unit check-bridge-integration
check-bridge-unit: check-bridge-unit-plain check-bridge-unit-asan
check-bridge-integration: check-bridge-it-plain check-bridge-it-asan \
	check-bridge-it-valgrind

check-bridge-unit-plain: $(BRIDGE_UNIT_BINS)
	@set -e; for t in $^; do echo "== $$t"; $$t; done

check-bridge-unit-asan: $(BRIDGE_UNIT_ASAN_BINS)
	@set -e; for t in $^; do echo "== $$t (ASan+UBSan)"; $(BRIDGE_ASAN_ENV) $$t; done

BRIDGE_IT_DEPS := $(BRIDGE_BUILD)/fake-sesame $(BRIDGE_BUILD)/notify-sink \
		  $(BRIDGE_BUILD)/fake-sync.so | bridge-test-deps

check-bridge-it-plain: $(BRIDGE_BINS) $(BRIDGE_IT_DEPS)
	LABEL=bridge tests/bridge/integration.sh

check-bridge-it-asan: $(BRIDGE_ASAN)/sesame-bridge $(BRIDGE_ASAN)/sesame-sign \
		$(BRIDGE_IT_DEPS)
	$(BRIDGE_ASAN_ENV) LABEL=bridge-asan RSS_CHECK=0 BRIDGE=$(BRIDGE_ASAN)/sesame-bridge \
		SIGN=$(BRIDGE_ASAN)/sesame-sign tests/bridge/integration.sh

# Slower: fewer flood messages, longer timeouts.
check-bridge-it-valgrind: $(BRIDGE_BINS) $(BRIDGE_IT_DEPS)
	LABEL=bridge-valgrind WRAP="$(BRIDGE_VALGRIND)" SLOW=4 FLOOD=2000 RSS_CHECK=0 \
		tests/bridge/integration.sh
