# dts/dts.mk - the Raspberry Pi overlay and its binding (included by Makefile).
#
#   make check-dts  the binding against dt-schema's meta-schema, the
#                  overlay's node in Debian's Pi 3 tree against the binding,
#                  and the defaults of binding, overlay and driver agreeing
#                  (tests/dts/)
#
#   $(DTBO)        dts/sesame-overlay.dts compiled, as the Pi loads it
#   $(MERGED_DTB)  Debian's Pi 3 device tree with the overlay applied, as the
#                  firmware does for dtoverlay=sesame (the emulated Pi boots it)

DTS_DIR    := $(BUILD)/dts
DTBO       := $(DTS_DIR)/sesame.dtbo
MERGED_DTB := $(DTS_DIR)/bcm2837-rpi-3-b-sesame.dtb

ALL_TARGETS   += $(DTBO)
CHECK_TARGETS += check-dts

# The label parameter looks like a misused DT label to dtc (see the overlay).
$(DTBO): dts/sesame-overlay.dts
	@$(DEPS) dtc
	@mkdir -p $(@D)
	dtc -@ -Wno-label_is_string -I dts -O dtb -o $@ $<

# Debian's dtb has no __symbols__, which fdtoverlay needs to find &gpio.
$(MERGED_DTB): $(DTBO) | guest
	cp $(GUEST)/image/usr/lib/linux-image-*/broadcom/bcm2837-rpi-3-b.dtb $@.tmp
	fdtput -c $@.tmp /__symbols__
	fdtput -t s $@.tmp /__symbols__ gpio /soc/gpio@7e200000
	fdtoverlay -i $@.tmp -o $@ $(DTBO)
	rm -f $@.tmp

.PHONY: check-dts
check-dts: $(MERGED_DTB)
	@$(DEPS) build lint
	MERGED_DTB=$(MERGED_DTB) WORK=$(DTS_DIR) tests/dts/check-binding.sh
	python3 -B tests/dts/check-defaults.py --work $(DTS_DIR)/defaults
