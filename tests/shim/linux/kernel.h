/* kernel.h - user-space stand-in for <linux/kernel.h>: snprintf() (see tests/shim/README). */
#include <stdio.h>
