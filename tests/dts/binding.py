"""binding.py - what the binding (dts/sesame,servo.yaml) says, for the tests.

The binding is where the servo's defaults are stated; the tests read them
from it rather than restating them, and tests/dts/check-defaults.py checks
that the overlay and the driver say the same.
"""
import os

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMA = os.path.join(ROOT, "dts", "sesame,servo.yaml")


def defaults(path=SCHEMA):
    """{"period_us": 20000, ...}: each sesame,* property's default, named
    as the driver's struct sesame_cfg field and sysfs attribute are."""
    with open(path, encoding="utf-8") as f:
        props = yaml.safe_load(f)["properties"]
    return {name.split(",", 1)[1].replace("-", "_"): spec["default"]
            for name, spec in props.items()
            if name.startswith("sesame,") and "default" in spec}
