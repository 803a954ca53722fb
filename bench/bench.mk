# bench/bench.mk - the benchmarks (included by Makefile).
#
#   make bench              every benchmark, 28 minutes on 2 cores with
#                           build/ cached (bench/README.md): pulse
#                           precision in the emulated Pi (on 6.1, 6.12 and
#                           6.12-rt), sesame against mainline's pwm-gpio
#                           and several servos at once (6.12), command
#                           latency (and the subscribers' own share of it)
#                           and memory on this host, memory beside
#                           mosquitto_sub on bookworm and trixie, idle
#                           cost; writes bench/RESULTS.md and bench/img/*.png
#   make check-bench-build  builds every benchmark program (part of make
#                           check, so that they do not rot); runs nothing
#
# Knobs: BENCH_PULSES (pulses per approach and phase), BENCH_BUDGETS (the
# driver's busy-wait budgets to try, us), BENCH_COMMANDS (MQTT commands per
# run), BENCH_ROUNDS, BENCH_IDLE_S (the idle window). bench/README.md says
# what each part measures and how.

BENCH          := $(BUILD)/bench
BENCH_PULSES   ?= 300
BENCH_BUDGETS  ?= 0,5,10,20,50
# The supplementary host-time boot tries fewer: off, and the default.
BENCH_BUDGETS_HOST ?= 0,50
BENCH_COMMANDS ?= 1000
BENCH_ROUNDS   ?= 3
BENCH_IDLE_S   ?= 60
# The bridge before its memory work, measured next to today's when git
# can find it (a checkout, not a tarball).
BENCH_BASELINE ?= 6bab8d4

# Debian arm64 packages: a sysroot to cross-build the user-space PWM
# against, and what the guest runs (Python, RPi.GPIO, stress-ng, strace).
BENCH_SYSROOT_BUILD := $(BENCH)/sysroot-build
BENCH_SYSROOT_GUEST := $(BENCH)/sysroot-guest
BENCH_GUEST_PKGS    := python3 python3-libgpiod python3-rpi.gpio stress-ng strace

BENCH_WARN := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
	      -Wshadow -Wcast-qual -Wsign-compare
BENCH_PROGS := $(BENCH)/guest/swpwm $(BENCH)/guest/poke $(BENCH)/publat $(BENCH)/rss-floor
# The kernel of the peer and several-servos boots, and of the pulse table's
# other rows: Raspberry Pi OS trixie's series, and its PREEMPT_RT flavour.
BENCH_KERNEL    := trixie-arm64
BENCH_KERNELS   := trixie-arm64 trixie-rt-arm64
BENCH_PY    := $(wildcard bench/*.py bench/*/*.py)
BENCH_SH    := $(wildcard bench/*.sh bench/*/*.sh)

.PHONY: bench bench-deps check-bench-build
CHECK_TARGETS += check-bench-build

bench-deps:
	@$(DEPS) build pi bridge bridge-test bench

$(BENCH_SYSROOT_BUILD)/packages: | bench-deps
	python3 scripts/fetch-sysroot.py $(@D) libgpiod-dev

$(BENCH_SYSROOT_GUEST)/packages: | bench-deps
	python3 scripts/fetch-sysroot.py $(@D) $(BENCH_GUEST_PKGS)

# Static, like the rig's other guest programs: nothing to install in the
# guest for it.
$(BENCH)/guest/swpwm: bench/pulse/swpwm.c $(BENCH_SYSROOT_BUILD)/packages
	@mkdir -p $(@D)
	aarch64-linux-gnu-gcc -std=gnu11 -O2 -static $(BENCH_WARN) \
		-isystem $(BENCH_SYSROOT_BUILD)/usr/include -o $@ $< \
		$(BENCH_SYSROOT_BUILD)/usr/lib/aarch64-linux-gnu/libgpiod.a

$(BENCH)/guest/poke: bench/pulse/poke.c | bench-deps
	@mkdir -p $(@D)
	aarch64-linux-gnu-gcc -std=gnu11 -O2 -static $(BENCH_WARN) -o $@ $<

$(BENCH)/guestroot/.done: bench/pulse/guestroot.py $(BENCH_SYSROOT_GUEST)/packages
	python3 bench/pulse/guestroot.py $(BENCH_SYSROOT_GUEST) $(@D)
	@touch $@

$(BENCH)/publat: bench/latency/publat.c | bench-deps
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 $(BENCH_WARN) -o $@ $< $$($(PKG_CONFIG) --cflags --libs libmosquitto)

$(BENCH)/rss-floor: bench/latency/rss-floor.c | bench-deps
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 $(BENCH_WARN) -o $@ $< $$($(PKG_CONFIG) --cflags --libs libcrypto)

# The baseline bridge, built from its own commit's tree with its own rules.
$(BENCH)/baseline/build/bridge/sesame-bridge: | bench-deps
	@rm -rf $(BENCH)/baseline && mkdir -p $(BENCH)/baseline
	@if git cat-file -e $(BENCH_BASELINE)^{commit} 2>/dev/null; then \
		git archive $(BENCH_BASELINE) | tar -x -C $(BENCH)/baseline && \
		$(MAKE) -s -C $(BENCH)/baseline DEPS=true build/bridge/sesame-bridge || \
		echo "bench: the baseline bridge did not build; no baseline"; \
	else \
		echo "bench: commit $(BENCH_BASELINE) is not here; no baseline bridge"; \
	fi

check-bench-build: $(BENCH_PROGS)
	@python3 -c 'import ast, sys; [ast.parse(open(f).read(), f) for f in sys.argv[1:]]' $(BENCH_PY)
	@for f in $(BENCH_SH); do bash -n $$f || exit 1; done
	@echo "bench: $(words $(BENCH_PROGS)) programs built, $(words $(BENCH_PY)) Python and $(words $(BENCH_SH)) shell scripts parse"

# sesame.ko for the other kernels, and the peer for the first of them
# (bench/pulse/pwm-gpio.sh builds it from Debian's linux-source).
.PHONY: bench-kernels
bench-kernels:
	@for k in $(BENCH_KERNELS); do \
		$(MAKE) --no-print-directory module-guest KERNEL=$$k || exit 1; done
	bench/pulse/pwm-gpio.sh $(BENCH_KERNEL)

bench: $(BENCH_PROGS) $(BENCH)/guestroot/.done module-arm64 $(DTBO) bridge \
		$(BRIDGE_BUILD)/fake-sesame $(BENCH)/baseline/build/bridge/sesame-bridge bench-kernels
	BENCH_KERNEL=$(BENCH_KERNEL) BENCH_KERNELS="$(BENCH_KERNELS)" \
	BENCH_PULSES=$(BENCH_PULSES) BENCH_BUDGETS=$(BENCH_BUDGETS) \
	BENCH_BUDGETS_HOST=$(BENCH_BUDGETS_HOST) \
	BENCH_COMMANDS=$(BENCH_COMMANDS) BENCH_ROUNDS=$(BENCH_ROUNDS) \
	BENCH_IDLE_S=$(BENCH_IDLE_S) BENCH_BASELINE=$(BENCH_BASELINE) \
		bench/run.sh $(BENCH)
