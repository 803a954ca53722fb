#!/usr/bin/env python3
"""guestroot.py - the programs the pulse benchmark runs in the emulated Pi,
cut out of an unpacked Debian arm64 sysroot (scripts/fetch-sysroot.py).

Usage: guestroot.py SYSROOT OUT

OUT gets Python 3 with python3-libgpiod and RPi.GPIO, stress-ng and strace,
and exactly the shared libraries they load (their DT_NEEDED closure), laid
out as in Debian: OUT/usr/... and OUT/lib/ld-linux-aarch64.so.1. The rest of
a sysroot (documentation, locales, Python's test suite, libraries nothing
here loads) stays out, so that the initramfs stays small enough to unpack
quickly in the emulated Pi.
"""
import os
import shutil
import subprocess
import sys

MULTIARCH = "aarch64-linux-gnu"
LIB_DIRS = [f"lib/{MULTIARCH}", f"usr/lib/{MULTIARCH}", "lib", "usr/lib"]
PY = "python3.11"

# (path in the sysroot, name in OUT or None for the same)
PROGRAMS = [
    (f"usr/bin/{PY}", "usr/bin/python3"),
    ("usr/bin/stress-ng", None),
    ("usr/bin/strace", None),
]
TREES = [f"usr/lib/{PY}", "usr/lib/python3/dist-packages"]
# Parts of the standard library no benchmark script imports: big, or
# loading big libraries (libcrypto, sqlite, ncurses).
STDLIB_SKIP = {
    "test", "idlelib", "tkinter", "turtledemo", "lib2to3", "ensurepip",
    "pydoc_data", "distutils", "venv", "sqlite3", "dbm", "curses",
    "unittest", "__pycache__", f"config-3.11-{MULTIARCH}",
}
DYNLOAD_SKIP = ("_ssl.", "_hashlib.", "_sqlite3.", "_curses", "_dbm.", "_gdbm.",
                "readline.", "_tkinter.")


def is_elf(path):
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def needed(path):
    """The DT_NEEDED sonames of an ELF file."""
    out = subprocess.run(["readelf", "-d", "-W", path], capture_output=True,
                         text=True, check=True).stdout
    return [line.split("[", 1)[1].split("]", 1)[0]
            for line in out.splitlines() if "(NEEDED)" in line]


def find_lib(sysroot, soname):
    for d in LIB_DIRS:
        p = os.path.join(sysroot, d, soname)
        if os.path.exists(p):
            return p
    sys.exit(f"guestroot: {soname} is not in {sysroot}; is a package missing?")


def copy_tree(src, dst):
    def ignore(folder, names):
        skip = [n for n in names if n in STDLIB_SKIP]
        if folder.endswith("lib-dynload"):
            skip += [n for n in names if n.startswith(DYNLOAD_SKIP)]
        return skip
    shutil.copytree(src, dst, symlinks=False, ignore=ignore, dirs_exist_ok=True)


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__.split("\n\n")[1])
    sysroot, out = argv[1], argv[2]
    if os.path.exists(out):
        shutil.rmtree(out)
    elves = []
    for src, dst in PROGRAMS:
        target = os.path.join(out, dst or src)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(os.path.join(sysroot, src), target)
        elves.append(target)
    for tree in TREES:
        copy_tree(os.path.join(sysroot, tree), os.path.join(out, tree))
    for folder, _, files in os.walk(out):
        elves += [os.path.join(folder, f) for f in files
                  if f.endswith(".so") or ".so." in f]

    # The libraries all of these load, and the libraries those load.
    libdir = os.path.join(out, "usr/lib", MULTIARCH)
    os.makedirs(libdir, exist_ok=True)
    seen, todo = set(), [e for e in elves if is_elf(e)]
    while todo:
        for soname in needed(todo.pop()):
            if soname in seen:
                continue
            seen.add(soname)
            dst = os.path.join(libdir, soname)
            shutil.copy2(find_lib(sysroot, soname), dst)   # follows links
            todo.append(dst)
    # Where every program's PT_INTERP looks for the dynamic loader.
    os.makedirs(os.path.join(out, "lib"), exist_ok=True)
    shutil.copy2(os.path.join(libdir, "ld-linux-aarch64.so.1"),
                 os.path.join(out, "lib", "ld-linux-aarch64.so.1"))
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(out) for f in fs)
    print(f"guestroot: {len(seen)} libraries, {size / 2**20:.1f} MiB in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
