#!/usr/bin/env python3
"""check-defaults.py - the servo's defaults agree wherever they are stated.

The binding (dts/sesame,servo.yaml) states each property's default. The
overlay (dts/sesame-overlay.dts) writes every property out, and the driver
(SESAME_CFG_DEFAULTS in driver/sesame-core.h) falls back on its own values
when a property is missing; the system tests and the stand-in device take
theirs from the binding and the driver. A value changed in one place only
fails here, naming both. The driver's values are compiled, not scraped, so
that what is checked is what the C compiler sees.

Usage: check-defaults.py WORKDIR   (TAP on stdout; exit 1 on a mismatch)
"""
import os
import re
import subprocess
import sys

from binding import ROOT, defaults

FIELDS = ("period_us", "min_pulse_us", "max_pulse_us", "closed_pulse_us",
          "open_pulse_us", "hold_ms", "idle_ms")
PRINT_DEFAULTS = r"""
#include <stdio.h>
#include "sesame-core.h"
int main(void)
{
	const struct sesame_cfg c = SESAME_CFG_DEFAULTS;
%s
	return 0;
}
"""


def driver_defaults(work):
    """struct sesame_cfg's defaults, from a program built on the header."""
    prints = "\n".join(f'\tprintf("{f} %u\\n", c.{f});' for f in FIELDS)
    src = os.path.join(work, "print-defaults.c")
    exe = os.path.join(work, "print-defaults")
    with open(src, "w", encoding="utf-8") as f:
        f.write(PRINT_DEFAULTS % prints)
    subprocess.run(["cc", "-std=gnu11", "-Wall", "-Werror",
                    "-I" + os.path.join(ROOT, "tests", "shim"),
                    "-I" + os.path.join(ROOT, "driver"), "-o", exe, src], check=True)
    out = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
    return {k: int(v) for k, v in (line.split() for line in out.splitlines())}


def overlay_values(path):
    """The sesame,* cells the overlay's servo node sets."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return {m.group(1).replace("-", "_"): int(m.group(2))
            for m in re.finditer(r"^\s*sesame,([a-z-]+)\s*=\s*<(\d+)>;", text, re.M)}


def main():
    work = sys.argv[1]
    os.makedirs(work, exist_ok=True)
    binding = defaults()
    sources = [("the overlay", overlay_values(os.path.join(ROOT, "dts", "sesame-overlay.dts"))),
               ("the driver's SESAME_CFG_DEFAULTS", driver_defaults(work))]
    n = failed = 0

    def report(ok, what):
        nonlocal n, failed
        n += 1
        failed += not ok
        print(f"{'ok' if ok else 'not ok'} {n} - {what}")

    # So that this cannot pass by comparing nothing.
    report(sorted(binding) == sorted(FIELDS),
           f"the binding gives a default for each of the {len(FIELDS)} properties "
           f"(it gives {', '.join(sorted(binding)) or 'none'})")
    for name, values in sources:
        diff = [f"{k}: binding {binding.get(k)}, {name} {values.get(k)}"
                for k in FIELDS if binding.get(k) != values.get(k)]
        report(not diff, f"{name} agrees with the binding" +
               ("" if not diff else ": " + "; ".join(diff)))
    print(f"{n - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
