# bridge/bridge.mk - sesame-bridge and sesame-sign, and their tests
# (included by Makefile).
#
#   make bridge        build/bridge/sesame-bridge, build/bridge/sesame-sign
#   make check-bridge  unit tests (plain and ASan+UBSan), then the
#                      integration tests against a real mosquitto with TLS
#                      (plain, ASan+UBSan, and valgrind memcheck)
#
# Libraries come through pkg-config, so that a cross build only needs
# CC=aarch64-linux-gnu-gcc and PKG_CONFIG=aarch64-linux-gnu-pkg-config.

BRIDGE_BUILD := $(BUILD)/bridge
PKG_CONFIG   ?= pkg-config
BRIDGE_PKGS  := libmosquitto openssl libcjson

BRIDGE_WARN := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
	       -Wshadow -Wcast-qual -Wsign-compare
BRIDGE_HARDEN := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
BRIDGE_SAN  := -fsanitize=address,undefined -fno-sanitize-recover=all \
	       -fno-omit-frame-pointer

# Deferred (=): pkg-config runs when a recipe needs it, after deps.sh.
BRIDGE_CFLAGS = -std=gnu11 -g $(BRIDGE_WARN) -MMD -MP \
		-DSESAME_VERSION='"$(VERSION)"' \
		$(shell $(PKG_CONFIG) --cflags $(BRIDGE_PKGS))
BRIDGE_LIBS   = $(shell $(PKG_CONFIG) --libs $(BRIDGE_PKGS))

# One job per file; the pure ones are unit-tested.
BRIDGE_PURE := backoff command config discovery event hex payload replay \
	       ratelimit sign status topics verdict
BRIDGE_IO   := bridge clock conffile device keyring log mqtt notify secret statefile tls
SIGN_OBJS_N := sign-main sign replay hex secret config conffile log

BRIDGE_OBJ  := $(BRIDGE_BUILD)/obj
BRIDGE_ASAN := $(BRIDGE_BUILD)/asan

bridge_objs = $(addprefix $(1)/,$(addsuffix .o,$(2)))

BRIDGE_BINS := $(BRIDGE_BUILD)/sesame-bridge $(BRIDGE_BUILD)/sesame-sign

.PHONY: bridge bridge-deps check-bridge check-bridge-unit \
	check-bridge-integration
ALL_TARGETS   += bridge
CHECK_TARGETS += check-bridge

bridge: $(BRIDGE_BINS)

bridge-deps:
	@$(DEPS) build bridge

$(BRIDGE_OBJ)/%.o: bridge/%.c | bridge-deps
	@mkdir -p $(@D)
	$(CC) $(BRIDGE_CFLAGS) -O2 $(BRIDGE_HARDEN) $(CFLAGS) -c $< -o $@

$(BRIDGE_ASAN)/%.o: bridge/%.c | bridge-deps
	@mkdir -p $(@D)
	$(CC) $(BRIDGE_CFLAGS) -O1 $(BRIDGE_SAN) -c $< -o $@

$(BRIDGE_BUILD)/sesame-bridge: $(call bridge_objs,$(BRIDGE_OBJ),main $(BRIDGE_PURE) $(BRIDGE_IO))
	$(CC) -pie -Wl,-z,relro,-z,now,--as-needed $(LDFLAGS) $^ -o $@ $(BRIDGE_LIBS)

$(BRIDGE_BUILD)/sesame-sign: $(call bridge_objs,$(BRIDGE_OBJ),$(SIGN_OBJS_N))
	$(CC) -pie -Wl,-z,relro,-z,now,--as-needed $(LDFLAGS) $^ -o $@ $(BRIDGE_LIBS)

$(BRIDGE_ASAN)/sesame-bridge: $(call bridge_objs,$(BRIDGE_ASAN),main $(BRIDGE_PURE) $(BRIDGE_IO))
	$(CC) $(BRIDGE_SAN) $^ -o $@ $(BRIDGE_LIBS)

$(BRIDGE_ASAN)/sesame-sign: $(call bridge_objs,$(BRIDGE_ASAN),$(SIGN_OBJS_N))
	$(CC) $(BRIDGE_SAN) $^ -o $@ $(BRIDGE_LIBS)

# The libFuzzer targets for what the bridge parses from outside (payloads,
# configuration) are in tests/fuzz/fuzz.mk.

-include $(wildcard $(BRIDGE_OBJ)/*.d $(BRIDGE_ASAN)/*.d)

include tests/bridge/tests.mk
