#!/usr/bin/env python3
"""check-defaults.py - the servo's defaults agree wherever they are stated.

The binding (dts/sesame,servo.yaml) states each property's default. The
overlay (dts/sesame-overlay.dts) writes every property out, and the driver
(SESAME_CFG_DEFAULTS in driver/sesame-core.h) falls back on its own values
when a property is missing; the system tests and the stand-in device take
theirs from the binding and the driver. A value changed in one place only
fails here, naming both. The driver's values are compiled, not scraped, so
that what is checked is what the C compiler sees.

Usage: check-defaults.py --work DIR [--list] [--only NAME|PATTERN]...
(tests/lib/cases.py: TAP on stdout; exit 1 on a mismatch)
"""
import argparse
import os
import re
import subprocess
import sys

from binding import ROOT, defaults

sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
from cases import Cases, check  # noqa: E402

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


cases = Cases()
WORK = {}


@cases.fixture("binding")
def binding_defaults():
    return defaults()


# So that this cannot pass by comparing nothing.
@cases.case("binding-gives-every-default", "the binding gives a default for each property",
            "binding")
def _(binding):
    check(sorted(binding) == sorted(FIELDS),
          f"the binding gives defaults for {', '.join(sorted(binding)) or 'none'}, "
          f"not for each of {', '.join(FIELDS)}")


def agrees(binding, name, values):
    diff = [f"{k}: binding {binding.get(k)}, {name} {values.get(k)}"
            for k in FIELDS if binding.get(k) != values.get(k)]
    check(not diff, "; ".join(diff))


@cases.case("overlay-agrees-with-binding", "the overlay agrees with the binding", "binding")
def _(binding):
    agrees(binding, "the overlay", overlay_values(os.path.join(ROOT, "dts", "sesame-overlay.dts")))


@cases.case("driver-agrees-with-binding", "the driver's SESAME_CFG_DEFAULTS agree with the binding",
            "binding")
def _(binding):
    agrees(binding, "the driver", driver_defaults(WORK["dir"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--work", required=True, help="where the driver's defaults are compiled")
    cases.add_arguments(ap)
    args = ap.parse_args()
    WORK["dir"] = args.work
    os.makedirs(args.work, exist_ok=True)
    return cases.run(args)


if __name__ == "__main__":
    sys.exit(main())
