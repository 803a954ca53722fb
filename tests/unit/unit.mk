# tests/unit/unit.mk - cmocka unit tests of the driver's pure core
# (driver/sesame-core.c, compiled as is against tests/shim/), run plain and
# under AddressSanitizer + UndefinedBehaviorSanitizer.
#
#   make check-unit  tests/unit/test-core.c, plain and with ASan+UBSan

UNIT_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wstrict-prototypes \
	-Wmissing-prototypes -Wshadow -Wcast-qual -Wsign-compare \
	-Itests/shim -Idriver
SAN_FLAGS   := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
UNIT_SRCS   := tests/unit/test-core.c driver/sesame-core.c

$(BUILD)/unit/test-core: $(UNIT_SRCS) driver/sesame-core.h
	@$(DEPS) build unit
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) -o $@ $(UNIT_SRCS) -lcmocka -lm

$(BUILD)/unit-san/test-core: $(UNIT_SRCS) driver/sesame-core.h
	@$(DEPS) build unit
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) $(SAN_FLAGS) -o $@ $(UNIT_SRCS) -lcmocka -lm

.PHONY: check-unit
CHECK_TARGETS := check-unit $(CHECK_TARGETS)

check-unit: $(BUILD)/unit/test-core $(BUILD)/unit-san/test-core
	$(BUILD)/unit/test-core
	$(BUILD)/unit-san/test-core
