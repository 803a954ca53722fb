#!/usr/bin/env python3
"""fetch-sysroot.py - Debian arm64 packages, unpacked for the emulated Pi.

Usage: scripts/fetch-sysroot.py DIR PACKAGE...

Downloads each PACKAGE (for arm64) and what it needs to run, and unpacks
them all into DIR with dpkg -x: programs and libraries for the guest's
initramfs, or, with -dev packages, a sysroot to cross-build against
(aarch64-linux-gnu-gcc --sysroot=DIR; pkg-config with
PKG_CONFIG_SYSROOT_DIR=DIR). Nothing is installed on this machine.

What it needs: Depends and Pre-Depends, first alternative of each, followed
recursively. Packages that only serve dpkg's maintainer scripts (debconf,
adduser, ...) are left out: the guest runs programs, not installations.
Absolute symbolic links inside DIR are made relative, so that they resolve
within the sysroot. DIR/packages lists what was asked for and unpacked; a
second run asking for the same does nothing (make clean to refresh).
"""
import os
import re
import subprocess
import sys

ARCH = "arm64"

# Needed only by maintainer scripts or by a full system, never by a program
# that the guest starts by hand.
SKIP = {
    "adduser", "debconf", "cdebconf", "dpkg", "install-info", "lsb-base",
    "init-system-helpers", "perl-base", "tzdata", "sensible-utils", "ucf",
    "passwd", "login", "debianutils", "base-files", "mime-support",
    "media-types", "readline-common", "python3-minimal", "systemd",
    "systemd-sysv", "udev", "libpam-runtime", "netbase", "ca-certificates",
}


def apt_show(pkgs):
    """{package: its Depends and Pre-Depends} for those apt knows for arm64.

    One apt-cache call for many packages: each call loads apt's cache."""
    out = subprocess.run(["apt-cache", "show", "--no-all-versions"] +
                         [f"{p}:{ARCH}" for p in pkgs],
                         capture_output=True, text=True)
    found = {}
    for record in out.stdout.split("\n\n"):
        fields = {}
        for line in record.splitlines():
            m = re.match(r"^([A-Za-z-]+): (.*)$", line)
            if m:
                fields[m.group(1)] = m.group(2)
        if "Package" not in fields:
            continue
        deps = []
        for field in ("Pre-Depends", "Depends"):
            for clause in filter(None, (c.strip() for c in fields.get(field, "").split(","))):
                first = clause.split("|")[0].strip()
                deps.append(re.split(r"[\s(:]", first, maxsplit=1)[0])
        found[fields["Package"]] = deps
    return found


def closure(wanted):
    seen, order, level = set(), [], list(wanted)
    while level:
        level = [p for p in dict.fromkeys(level)
                 if p not in seen and (p not in SKIP or p in wanted)]
        seen.update(level)
        known = apt_show(level) if level else {}
        for pkg in wanted:
            if pkg in level and pkg not in known:
                sys.exit(f"fetch-sysroot: no package {pkg}:{ARCH} in apt; "
                         "run scripts/deps.sh pi (it adds the arm64 archive)")
        # Names apt does not know are virtual: their providers come by name.
        order.extend(p for p in level if p in known)
        level = [d for p in level if p in known for d in known[p]]
    return order


def relativize_links(root):
    """Absolute links (e.g. libfoo.so -> /lib/...) point into the sysroot."""
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            if os.path.islink(path):
                target = os.readlink(path)
                if target.startswith("/"):
                    os.unlink(path)
                    os.symlink(os.path.relpath(root + target, dirpath), path)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__.split("\n\n")[1])
    root, wanted = os.path.abspath(sys.argv[1]), sys.argv[2:]
    stamp = os.path.join(root, "packages")
    request = "# " + " ".join(sorted(wanted)) + "\n"
    if os.path.exists(stamp) and open(stamp).readline() == request:
        return
    pkgs = closure(wanted)
    listing = request + "\n".join(sorted(pkgs)) + "\n"
    debs = os.path.join(root, ".debs")
    os.makedirs(debs, exist_ok=True)
    print(f"fetch-sysroot: {len(pkgs)} arm64 packages into {root}")
    subprocess.run(["apt-get", "download", "-q", "-o", "APT::Sandbox::User=root"] +
                   [f"{p}:{ARCH}" for p in pkgs], cwd=debs, check=True,
                   stdout=subprocess.DEVNULL)
    for deb in sorted(os.listdir(debs)):
        subprocess.run(["dpkg", "-x", os.path.join(debs, deb), root], check=True)
    relativize_links(root)
    # Since trixie, packages ship /lib, /bin and /sbin's files under /usr
    # and base-files makes the links; paths such as the loader's
    # /lib/ld-linux-aarch64.so.1 must resolve in the sysroot too.
    for top in ("lib", "bin", "sbin"):
        if not os.path.lexists(os.path.join(root, top)):
            os.symlink(os.path.join("usr", top), os.path.join(root, top))
    with open(stamp, "w") as f:
        f.write(listing)


if __name__ == "__main__":
    main()
