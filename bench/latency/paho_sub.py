#!/usr/bin/env python3
"""paho_sub.py - the original door project's kind of bridge, for the latency
benchmark: a Python paho-mqtt subscriber that writes each command to the
device.

Usage: paho_sub.py PORT CAFILE CERTFILE KEYFILE TOPIC DEVICE KEEPALIVE

Debian 12's python3-paho-mqtt (1.6): TLS to 127.0.0.1 with a client
certificate, MQTT 3.1.1, a clean session, KEEPALIVE seconds, QoS 1 on TOPIC, and for every
message one os.write() of its payload to DEVICE, kept open, as a script
driving /dev/sesame would. No checks: what it is compared with is its
speed and its footprint, not its safety.
"""
import os
import sys

import paho.mqtt.client as mqtt


def main(argv):
    if len(argv) != 8:
        sys.exit(__doc__.split("\n\n")[1])
    port, cafile, certfile, keyfile, topic, device, keepalive = argv[1:]
    fd = os.open(device, os.O_WRONLY)

    def on_connect(client, userdata, flags, rc):
        client.subscribe(topic, qos=1)

    def on_message(client, userdata, msg):
        os.write(fd, msg.payload)

    client = mqtt.Client(client_id="paho-bench", clean_session=True)
    client.tls_set(ca_certs=cafile, certfile=certfile, keyfile=keyfile)
    client.on_connect = on_connect
    client.on_message = on_message
    client.connect("127.0.0.1", int(port), keepalive=int(keepalive))
    client.loop_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
