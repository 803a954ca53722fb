#!/usr/bin/env python3
"""memory_peers.py - the figures of memory-peers.sh's runs, as JSON.

Usage: memory_peers.py OUTDIR OUT.json

For each release (OUTDIR/RELEASE/memory.txt, from memory-run.sh): the
OpenSSL and libmosquitto versions, the load average, RSS, PSS and USS (kB)
of sesame-bridge and of mosquitto_sub idle after connecting and after the
commands, how many commands each got (each must have had every one, or
the run is refused), and where each one's resident memory goes, mapping
by mapping (the smaps after the commands).
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from analyse import smaps_by_file  # noqa: E402

PEERS = ("bridge", "mosquitto_sub")


def release(d):
    out = {"loadavg": [], "got": {}}
    with open(os.path.join(d, "memory.txt")) as f:
        for line in f:
            w = line.split()
            if not w:
                continue
            if w[0] in ("release", "openssl", "libmosquitto"):
                out[w[0]] = line.split(None, 1)[1].strip()
            elif w[0] == "loadavg":
                out["loadavg"].append([float(x) for x in w[1:4]])
            elif w[0] in ("idle", "after") and len(w) == 6:
                out.setdefault(w[0], {})[w[1]] = {
                    "rss_kb": int(w[3]), "pss_kb": int(w[4]), "uss_kb": int(w[5])}
            elif w[0] == "got":
                out["got"][w[1]] = int(w[2])
            elif w[0] == "published":
                out["published"] = int(w[1])
    for p in PEERS:
        if out["got"].get(p) != out.get("published"):
            sys.exit(f"memory_peers: {d}: {p} got {out['got'].get(p)} of "
                     f"{out.get('published')} commands")
    out["smaps"] = {}
    for p in PEERS:
        path = os.path.join(d, f"{p}.smaps")
        if os.path.exists(path):
            out["smaps"][p] = smaps_by_file(path)
    return out


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__.split("\n\n")[1])
    res = {}
    for name in sorted(os.listdir(argv[1])):
        if os.path.exists(os.path.join(argv[1], name, "memory.txt")):
            res[name] = release(os.path.join(argv[1], name))
    with open(argv[2], "w") as f:
        json.dump({"releases": res}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
