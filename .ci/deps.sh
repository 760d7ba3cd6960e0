#!/usr/bin/env bash
# Installs the programs the tests drive for real: tmux (the end-to-end
# test), nginx and Prometheus (the rollout providers). Debian packages; a
# machine that already has them is left as it is.
set -euo pipefail
need=()
command -v tmux >/dev/null 2>&1 || need+=(tmux)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing: ${need[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    # The packages start services; the tests start their own on loopback.
    systemctl stop nginx prometheus >/dev/null 2>&1 || true
    pkill -x nginx >/dev/null 2>&1 || true
    pkill -x prometheus >/dev/null 2>&1 || true
  else
    echo "missing (install them to run every test): ${need[*]}" >&2
  fi
fi
