# phone/phone.mk - the phone page (included by Makefile).
#
#   make phone        build/phone/: the page as a web server serves it
#                     (phone/www, and mqtt.js with its licence in vendor/)
#   make check-phone  the signing code against sesame-sign (node --test),
#                     then the page in headless chromium against mosquitto
#                     with WebSockets, sesame-bridge and the stand-in device
#
# npm packages come from phone/package-lock.json into build/npm/
# (scripts/phone-deps.sh); the broker with WebSockets from bookworm-
# backports into build/phone-broker/ (scripts/fetch-mosquitto-ws.sh).

PHONE_BUILD := $(BUILD)/phone
PHONE_FILES := $(wildcard phone/www/*)
PHONE_MQTT  := $(BUILD)/npm/node_modules/mqtt
# Node.js 20 or later for the tests (scripts/phone-node.sh), first on PATH.
PHONE_NODE  := $(BUILD)/node/bin/node
PHONE_PATH  := PATH="$(abspath $(BUILD)/node/bin):$$PATH"

.PHONY: phone phone-deps check-phone check-phone-unit check-phone-browser
CHECK_TARGETS += check-phone

phone: $(BUILD)/phone.stamp

$(BUILD)/npm/.installed-page: phone/package-lock.json scripts/phone-deps.sh
	scripts/phone-deps.sh $(BUILD) page

$(BUILD)/npm/.installed-dev: phone/package-lock.json scripts/phone-deps.sh
	scripts/phone-deps.sh $(BUILD) dev

$(BUILD)/phone.stamp: $(PHONE_FILES) $(BUILD)/npm/.installed-page
	rm -rf $(PHONE_BUILD)
	mkdir -p $(PHONE_BUILD)/vendor
	cp $(PHONE_FILES) $(PHONE_BUILD)/
	cp $(PHONE_MQTT)/dist/mqtt.min.js $(PHONE_BUILD)/vendor/mqtt.min.js
	cp $(PHONE_MQTT)/LICENSE.md $(PHONE_BUILD)/vendor/LICENSE.mqtt.md
	@echo "mqtt.js $$(node -p 'require("./$(PHONE_MQTT)/package.json").version'), MIT licence: vendor/LICENSE.mqtt.md" \
		> $(PHONE_BUILD)/vendor/README
	@touch $@
	@echo "phone: $(PHONE_BUILD)/ ($$(du -sb $(PHONE_BUILD) | cut -f1) bytes); serve it over HTTPS"

phone-deps:
	@$(DEPS) build bridge bridge-test phone

$(PHONE_NODE): scripts/phone-node.sh | phone-deps
	scripts/phone-node.sh $(BUILD)

$(BUILD)/phone-broker/usr/sbin/mosquitto: scripts/fetch-mosquitto-ws.sh | phone-deps
	scripts/fetch-mosquitto-ws.sh $(BUILD)/phone-broker

check-phone: check-phone-unit check-phone-browser

check-phone-unit: $(BRIDGE_BUILD)/sesame-sign $(PHONE_NODE) | phone-deps
	$(PHONE_PATH) SIGN=$(BRIDGE_BUILD)/sesame-sign CERTS=scripts/sesame-certs \
		node --test tests/phone/sign.test.mjs

check-phone-browser: phone $(BUILD)/npm/.installed-dev $(BRIDGE_BUILD)/sesame-bridge \
		$(BUILD)/phone-broker/usr/sbin/mosquitto $(BRIDGE_BUILD)/fake-sesame \
		$(BRIDGE_BUILD)/fake-sync.so $(PHONE_NODE) | phone-deps
	$(PHONE_PATH) tests/phone/run.sh
