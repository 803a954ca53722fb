/*
 * errno.h - user-space stand-in for <linux/errno.h> (see tests/shim/README).
 * glibc's <errno.h> itself includes <linux/errno.h>, which resolves here
 * first: pass on to the system's (UAPI) header, which has the numbers.
 */
#include_next <linux/errno.h>
