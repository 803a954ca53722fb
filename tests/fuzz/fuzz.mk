# tests/fuzz/fuzz.mk - libFuzzer targets (clang, with ASan + UBSan).
#
#   make fuzz          each target for FUZZ_SECONDS (default 300)
#   make check-fuzz    the short pass that `make check` runs
#                      (CHECK_FUZZ_SECONDS each, default 30)
#   make fuzz-build    only build them
#
# The targets, one per parser that takes input from outside:
#   command     writes to /dev/sesame (driver/sesame-core.c)
#   properties  device-tree properties and what they feed (sesame-core.c)
#   payload     MQTT command payloads: plain words, the signed-command
#               verifier and its replay memory, events, the device's
#               status line (bridge/command.c, sign.c, ...)
#   config      the bridge's configuration file, -o lines and HMAC key
#               file (bridge/conffile.c, config.c, secret.c)
#
# Seeds live in tests/fuzz/corpus/<target>/ (made by make-seeds.py),
# dictionaries in tests/fuzz/dict/. What the fuzzer learns goes to
# build/fuzz/corpus-<target>/, a crash to build/fuzz/crash-*: a crash
# becomes a regression test in the part's unit tests and a seed here.
# Each run appends its figures (executions, corpus, coverage) to
# build/fuzz/summary.txt.

FUZZ_TARGETS        += command properties payload config
FUZZ_SRCS_command    := tests/fuzz/fuzz-command.c driver/sesame-core.c
FUZZ_SRCS_properties := tests/fuzz/fuzz-properties.c driver/sesame-core.c
FUZZ_CFLAGS_command    := -Itests/shim -Idriver
FUZZ_CFLAGS_properties := -Itests/shim -Idriver

FUZZ_SRCS_payload   := tests/fuzz/fuzz-payload.c $(addprefix bridge/,$(addsuffix .c,\
			command config event hex payload replay sign status verdict))
FUZZ_CFLAGS_payload := -Ibridge -std=gnu11
FUZZ_LIBS_payload   := -lcrypto -lcjson
FUZZ_SRCS_config    := tests/fuzz/fuzz-config.c $(addprefix bridge/,$(addsuffix .c,\
			conffile config discovery hex payload secret topics))
FUZZ_CFLAGS_config  := -Ibridge -std=gnu11
FUZZ_LIBS_config    := -lcrypto -lcjson

FUZZ_SECONDS       ?= 300
CHECK_FUZZ_SECONDS ?= 30
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -Wall -Wextra -Werror -Wshadow -Wcast-qual \
	-Wsign-compare -Wstrict-prototypes -Wmissing-prototypes

# Each target's sources are only known once all fragments are read.
.SECONDEXPANSION:
$(BUILD)/fuzz/fuzz-%: $$(FUZZ_SRCS_$$*) $(wildcard driver/*.h bridge/*.h tests/fuzz/*.h)
	@$(DEPS) build unit bridge
	@mkdir -p $(@D)
	clang $(FUZZ_FLAGS) $(FUZZ_CFLAGS_$*) -o $@ $(FUZZ_SRCS_$*) $(FUZZ_LIBS_$*)

# Runs each target for $(1) seconds; any crash, leak or hang (5 s on one
# input) fails. The figures of each run go to the summary.
define run_fuzzers
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(BUILD)/fuzz/corpus-$$t; \
		dict=; [ -f tests/fuzz/dict/$$t.dict ] && dict=-dict=tests/fuzz/dict/$$t.dict; \
		echo "fuzz-$$t: $(1) s"; \
		$(BUILD)/fuzz/fuzz-$$t -max_total_time=$(1) -max_len=4096 -timeout=5 \
			-print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/ $$dict \
			$(BUILD)/fuzz/corpus-$$t tests/fuzz/corpus/$$t \
			> $(BUILD)/fuzz/log-$$t.txt 2>&1 || \
			{ tail -40 $(BUILD)/fuzz/log-$$t.txt; \
			  echo "fuzz-$$t failed: the input is in $(BUILD)/fuzz/ (crash-*, leak-*, timeout-*)"; \
			  exit 1; }; \
		tests/fuzz/summary.sh $$t $(1) $(BUILD)/fuzz/log-$$t.txt \
			| tee -a $(BUILD)/fuzz/summary.txt; \
	done
endef

.PHONY: fuzz check-fuzz fuzz-build
CHECK_TARGETS += check-fuzz

fuzz-build: $$(addprefix $(BUILD)/fuzz/fuzz-,$$(FUZZ_TARGETS))

fuzz: fuzz-build
	$(call run_fuzzers,$(FUZZ_SECONDS))

check-fuzz: fuzz-build
	$(call run_fuzzers,$(CHECK_FUZZ_SECONDS))
