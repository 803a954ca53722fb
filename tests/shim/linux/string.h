/* string.h - user-space stand-in for <linux/string.h> (see tests/shim/README). */
#include <string.h>
