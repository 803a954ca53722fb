/* types.h - user-space stand-in for <linux/types.h> (see tests/shim/README). */
#ifndef SHIM_LINUX_TYPES_H
#define SHIM_LINUX_TYPES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
typedef uint32_t u32;
typedef int64_t s64;
typedef uint64_t u64;
#endif
