#!/bin/sh
# Acceptance gate of the demo sandbox. Switchyard runs it against the green
# slot with SWITCHYARD_ENV, SWITCHYARD_SLOT, SWITCHYARD_URL and
# SWITCHYARD_BUILD set. It passes, unless the environment's name is a line of
# the file fail-env beside this script (`switchyard demo --fail-gate ENV`).
set -u
here=$(dirname "$0")
env=${SWITCHYARD_ENV:-}
build=${SWITCHYARD_BUILD:-unknown}
if [ -f "$here/fail-env" ] && grep -qxF -- "$env" "$here/fail-env"; then
	echo "acceptance: FAIL in $env: checkout returned 500 on build $build" >&2
	exit 1
fi
echo "acceptance: 12 checks passed in ${env:-no environment} on build $build"
