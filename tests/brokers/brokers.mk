# tests/brokers/brokers.mk - sesame-bridge against other MQTT brokers
# (included by Makefile).
#
#   make check-brokers  tests/brokers/run.sh: Debian's Mosquitto, aedes from
#                       npm and Debian's RabbitMQ, each with TLS and
#                       passwords (BROKERS="aedes" narrows it down)
#
# aedes and what it needs come from tests/brokers/package-lock.json into
# build/brokers/aedes/ (npm ci), so every run has the same versions.

BROKERS_AEDES := $(BUILD)/brokers/aedes
BROKERS       ?=

.PHONY: brokers-deps check-brokers
CHECK_TARGETS += check-brokers

brokers-deps:
	@$(DEPS) build bridge bridge-test brokers

$(BROKERS_AEDES)/.installed: tests/brokers/package.json tests/brokers/package-lock.json \
		| brokers-deps
	rm -rf $(BROKERS_AEDES)
	mkdir -p $(BROKERS_AEDES)
	cp $^ $(BROKERS_AEDES)/
	cd $(BROKERS_AEDES) && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

check-brokers: $(BRIDGE_BUILD)/sesame-bridge $(BRIDGE_BUILD)/sesame-sign \
		$(BRIDGE_BUILD)/fake-sesame $(BROKERS_AEDES)/.installed | brokers-deps
	tests/brokers/run.sh $(addsuffix -*,$(BROKERS))
