#!/bin/sh
# make-help.sh - `make help`: the targets each make fragment documents.
#
# Usage: make-help.sh MAKEFILE...   (make passes $(MAKEFILE_LIST))
#
# The documentation is the fragments' own comments, so it cannot drift from
# a list kept here: every comment line that starts `#   make TARGET`, with
# the more deeply indented comment lines that continue it.
set -eu

for f in "$@"; do
	awk -v file="$f" '
		/^#   (sudo )?make / {
			if (!shown) { printf "\n%s\n", file; shown = 1 }
			sub(/^# ?/, ""); print; cont = 1; next
		}
		cont && /^#     +[^ ]/ { sub(/^# ?/, ""); print; next }
		{ cont = 0 }
	' "$f"
done
