"""cases.py - the one case runner of the Python suites (the shell suites'
twin is cases.sh).

A suite declares named cases and the fixtures they need, then hands its
command line to the runner:

    cases = Cases()

    @cases.fixture("smoke-boot")
    def smoke_boot():
        res = boot(...)          # set up
        yield res                # what each case that needs it is given
        write_reports(res)       # torn down after the last case needing it

    @cases.case("overlay-binds-gpio18", "the overlay binds GPIO18", "smoke-boot")
    def _(res):
        check(res.gpio == 18, f"bound GPIO{res.gpio}")

    sys.exit(cases.main())       # or ap = ...; cases.add_arguments(ap); cases.run(ap.parse_args())

A case is given the value of each fixture it names, in order. It fails by
raising Failure (check() does) or any other exception, and is skipped by
raising Skip; under CI=true a skip fails, since CI judges every case. A
fixture runs once, when the first selected case needs it; if it raises,
every case that needs it fails, and if it raises Skip (it cannot be set up
here), every case that needs it skips with its reason, as in cases.sh. A
generator fixture whose set-up fails cleans up after itself, since nothing
tears it down. Fixtures still up when a run is cut short (SystemExit,
Ctrl-C) are torn down on the way out. Cases run in the order they are
declared.

Command line: --list, --only NAME|PATTERN (repeatable; fnmatch globs), and
names or patterns as plain arguments. Output is TAP: "1..N",
"ok 3 - name: title (4 s)", diagnostics as "#" lines, and last
"# N passed, N failed" (", N skipped" when some were).
"""

import argparse
import fnmatch
import os
import re
import sys
import time
import traceback

NAME_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$")


class Failure(Exception):
    """A case's check failed; the message says what was expected and seen."""


class Skip(Exception):
    """A case cannot be judged on this run; the message says why."""


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def say(text):
    """A diagnostic line (or lines) in the TAP stream."""
    for line in str(text).splitlines() or [""]:
        print(f"# {line}", flush=True)


class _Fixture:
    def __init__(self, fn):
        self.fn = fn
        self.gen = None
        self.value = None
        self.error = None       # why it could not be set up
        self.skip = None        # why it cannot be set up here
        self.up = False

    def set_up(self):
        if self.error is None and self.skip is None and not self.up:
            try:
                value = self.fn()
                if hasattr(value, "__next__"):
                    self.gen = value
                    value = next(value)
                self.value, self.up = value, True
            except Skip as e:
                self.skip = str(e)
            except Exception as e:  # pylint: disable=broad-except
                self.error = str(e) if isinstance(e, Failure) else traceback.format_exc()
        if self.skip is not None:
            raise Skip(self.skip)
        if self.error is not None:
            raise Failure(f"its fixture could not be set up: {self.error}")
        return self.value

    def tear_down(self):
        if self.gen is not None:
            try:
                next(self.gen, None)
            except Exception:  # pylint: disable=broad-except
                say(f"tearing a fixture down failed:\n{traceback.format_exc()}")
            self.gen = None


class Cases:
    """The declared cases and fixtures of one suite, and the run of them."""

    def __init__(self):
        self.cases = []         # (name, title, fixtures, fn), in order
        self.fixtures = {}

    def case(self, name, title, *fixtures):
        if not NAME_RE.match(name):
            raise ValueError(f"case name '{name}' is not a name-with-hyphens")
        if any(c[0] == name for c in self.cases):
            raise ValueError(f"case '{name}' is declared twice")

        def add(fn):
            self.cases.append((name, title, fixtures, fn))
            return fn
        return add

    def fixture(self, name):
        def add(fn):
            self.fixtures[name] = _Fixture(fn)
            return fn
        return add

    def add_arguments(self, ap):
        ap.add_argument("--list", action="store_true", help="list the cases and stop")
        ap.add_argument("--only", action="append", default=[], metavar="NAME|PATTERN",
                        help="run only these cases (fnmatch globs; repeatable)")
        ap.add_argument("names", nargs="*", metavar="NAME|PATTERN", help="as --only")

    def select(self, patterns):
        """The declared cases the patterns select, in declaration order;
        exits 2 naming a pattern that selects nothing."""
        if not patterns:
            return list(self.cases)
        for p in patterns:
            if not any(fnmatch.fnmatchcase(c[0], p) for c in self.cases):
                print(f"{sys.argv[0]}: no case matches '{p}' (--list lists them)", file=sys.stderr)
                sys.exit(2)
        return [c for c in self.cases if any(fnmatch.fnmatchcase(c[0], p) for p in patterns)]

    def selected(self, args):
        """The names of the cases args selects (for a suite that prepares
        only what they need)."""
        return [c[0] for c in self.select(args.only + args.names)]

    def run(self, args):
        """Runs what args selects and prints TAP. Return: exit status."""
        if args.list:
            for name, title, fixtures, _ in self.cases:
                print(f"{name}\t{title}" + (f" [{' '.join(fixtures)}]" if fixtures else ""))
            return 0
        chosen = self.select(args.only + args.names)
        for _, _, fixtures, _ in chosen:
            for f in fixtures:
                if f not in self.fixtures:
                    raise ValueError(f"no fixture '{f}'")
        print(f"1..{len(chosen)}", flush=True)
        passed = failed = skipped = 0
        try:
            for num, (name, title, fixtures, fn) in enumerate(chosen, 1):
                verdict, why, secs = self._run_one(fixtures, fn)
                line = f"{num} - {name}: {title} ({secs:.0f} s)"
                if verdict == "skip" and os.environ.get("CI") == "true":
                    verdict, why = "fail", f"SKIP not allowed in CI: {why}"
                if verdict == "ok":
                    passed += 1
                    print(f"ok {line}", flush=True)
                elif verdict == "skip":
                    skipped += 1
                    print(f"ok {line} # SKIP {why}", flush=True)
                else:
                    failed += 1
                    print(f"not ok {line}", flush=True)
                    say("\n".join(f"  {l}" for l in why.splitlines()))
                # A fixture no later selected case needs is torn down now.
                later = {f for c in chosen[num:] for f in c[2]}
                for f in fixtures:
                    if f not in later:
                        self.fixtures[f].tear_down()
        finally:
            # A run cut short (SIGTERM made SystemExit, Ctrl-C) still tears
            # down what it set up: brokers and clusters must not outlive it.
            for fixture in self.fixtures.values():
                fixture.tear_down()
        print(f"# {passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""),
              flush=True)
        return 1 if failed else 0

    def _run_one(self, fixtures, fn):
        began = time.monotonic()
        try:
            fn(*[self.fixtures[f].set_up() for f in fixtures])
            verdict, why = "ok", ""
        except Skip as e:
            verdict, why = "skip", str(e)
        except Failure as e:
            verdict, why = "fail", str(e)
        except Exception:  # pylint: disable=broad-except
            # A check that cannot run fails its case; the others still run.
            verdict, why = "fail", traceback.format_exc()
        return verdict, why, time.monotonic() - began

    def main(self, description=None):
        ap = argparse.ArgumentParser(description=description)
        self.add_arguments(ap)
        return self.run(ap.parse_args())
