# tests/unit/unit.mk - cmocka unit tests of the driver's pure core
# (driver/sesame-core.c), run plain and under ASan+UBSan.
