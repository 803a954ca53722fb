# tests/fuzz/fuzz.mk - libFuzzer targets (clang, with ASan + UBSan).
#
#   make fuzz                   each target for FUZZ_SECONDS (default 300)
#   make check-fuzz             the short pass that `make check` runs
#
# Seeds live in tests/fuzz/corpus/<target>/; what the fuzzer learns goes to
# build/fuzz/corpus-<target>/, crashes to build/fuzz/crash-*. A crash found
# here becomes a regression test (tests/unit) and a seed.
# Other parts add targets: FUZZ_TARGETS += name, FUZZ_SRCS_name := files.

FUZZ_TARGETS        += command properties
FUZZ_SRCS_command    := tests/fuzz/fuzz-command.c driver/sesame-core.c
FUZZ_SRCS_properties := tests/fuzz/fuzz-properties.c driver/sesame-core.c
FUZZ_CFLAGS_command    := -Itests/shim -Idriver
FUZZ_CFLAGS_properties := -Itests/shim -Idriver

FUZZ_SECONDS       ?= 300
CHECK_FUZZ_SECONDS ?= 20
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -Wall -Wextra -Werror

# Each target's sources are only known once all fragments are read.
.SECONDEXPANSION:
$(BUILD)/fuzz/fuzz-%: $$(FUZZ_SRCS_$$*) $(wildcard driver/*.h)
	@$(DEPS) build unit
	@mkdir -p $(@D)
	clang $(FUZZ_FLAGS) $(FUZZ_CFLAGS_$*) -o $@ $(FUZZ_SRCS_$*) $(FUZZ_LIBS_$*)

# Runs each target for $(1) seconds; any crash fails.
define run_fuzzers
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(BUILD)/fuzz/corpus-$$t; \
		echo "fuzz-$$t: $(1) s"; \
		$(BUILD)/fuzz/fuzz-$$t -max_total_time=$(1) -max_len=4096 \
			-print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/ \
			$(BUILD)/fuzz/corpus-$$t tests/fuzz/corpus/$$t \
			> $(BUILD)/fuzz/log-$$t.txt 2>&1 || \
			{ tail -40 $(BUILD)/fuzz/log-$$t.txt; exit 1; }; \
		grep -E '^Done|number_of_executed_units' $(BUILD)/fuzz/log-$$t.txt; \
	done
endef

.PHONY: fuzz check-fuzz fuzz-build
CHECK_TARGETS += check-fuzz

fuzz-build: $$(addprefix $(BUILD)/fuzz/fuzz-,$$(FUZZ_TARGETS))

fuzz: fuzz-build
	$(call run_fuzzers,$(FUZZ_SECONDS))

check-fuzz: fuzz-build
	$(call run_fuzzers,$(CHECK_FUZZ_SECONDS))
