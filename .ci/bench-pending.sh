#!/usr/bin/env bash
# Compares `switchyard pending --json` with `git cherry` on a large real
# repository, both directions, and times both cold (no patch-id cache) and
# warm.
#
#   .ci/bench-pending.sh [REPO]        (or SWITCHYARD_BENCH_REPO=REPO)
#
# REPO (required) is any git directory with a long history, such as a
# clone of git/git. Nothing is written to it: the script copies its packs
# into a scratch repository in a temporary folder, builds the scenario there
# and removes it on exit.
#
# Scenario: dev = the repository's HEAD; prod = the first-parent commit of
# dev from WEEKS weeks earlier (default 4) plus PICKS non-merge commits of
# dev cherry-picked onto it (default 36; alternately with and without -x;
# one of them amended so only its trailer links it) and a hotfix committed
# on prod only, then
# `git commit-graph write --reachable`. KEEP=1 keeps the scratch folder.
set -euo pipefail

REPO=${1:-${SWITCHYARD_BENCH_REPO:-}}
[ -n "$REPO" ] || { echo "usage: .ci/bench-pending.sh REPO (or SWITCHYARD_BENCH_REPO=REPO)" >&2; exit 2; }
WEEKS=${WEEKS:-4}
PICKS=${PICKS:-36}
RUNS=${RUNS:-5}
here=$(cd "$(dirname "$0")/.." && pwd)

[ -d "$REPO/objects/pack" ] || { echo "bench-pending: $REPO is not a git directory with packs" >&2; exit 2; }

scratch=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-bench.XXXXXX")
if [ -z "${KEEP:-}" ]; then trap 'rm -rf "$scratch"' EXIT; else echo "scratch kept: $scratch"; fi
bin=$scratch/switchyard
(cd "$here" && go build -o "$bin" ./cmd/switchyard)

export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null HOME=$scratch
export GIT_AUTHOR_NAME="Bench" GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME="Bench" GIT_COMMITTER_EMAIL=bench@example.com

src=$scratch/src
git init -q -b dev "$src"
# Copy the packs (not a promisor marker: every object is local).
for f in "$REPO"/objects/pack/*.pack "$REPO"/objects/pack/*.idx; do
  cp "$f" "$src/.git/objects/pack/"
done
head=$(git --git-dir="$REPO" rev-parse HEAD)
git -C "$src" update-ref refs/heads/dev "$head"
cutoff=$(( $(git -C "$src" log -1 --format=%ct dev) - WEEKS*7*24*3600 ))
base=$(git -C "$src" rev-list -1 --first-parent --before="$cutoff" dev)
git -C "$src" branch prod "$base"
git -C "$src" checkout -q prod
echo "repo: $REPO ($(git -C "$src" rev-list --count dev) commits on dev)"
echo "prod: $base, $WEEKS weeks behind dev"

# Pick non-merge commits of dev that apply cleanly, oldest first.
n=0; i=0
for c in $(git -C "$src" rev-list --reverse --no-merges prod..dev); do
  i=$((i+1))
  [ $((i % 3)) -eq 0 ] || continue
  args=()
  [ $((n % 2)) -eq 0 ] && args=(-x)
  if git -C "$src" cherry-pick "${args[@]}" "$c" >/dev/null 2>&1; then
    n=$((n+1))
    if [ "$n" -eq 3 ]; then
      # An amended pick: its patch changes, its trailer stays.
      echo "amended while picking" >> "$src/README.md"
      git -C "$src" commit -q -a --amend --no-edit
    fi
  else
    git -C "$src" cherry-pick --abort >/dev/null 2>&1 || git -C "$src" reset -q --hard
  fi
  [ "$n" -ge "$PICKS" ] && break
done
# A fix committed on prod only, which dev lacks.
echo "prod-only fix" >> "$src/README.md"
git -C "$src" commit -q -a -m "hotfix: prod only"
git -C "$src" checkout -q --detach
git -C "$src" commit-graph write --reachable >/dev/null 2>&1
echo "picked $n commits onto prod; dev..prod base: $(git -C "$src" rev-list --count prod..dev) commits ($(git -C "$src" rev-list --count --no-merges prod..dev) non-merge)"

# Compare sets.
git -C "$src" cherry prod dev > "$scratch/cherry-fwd"
git -C "$src" cherry dev prod > "$scratch/cherry-rev"
"$bin" pending --repo "$src" --from dev --to prod --json > "$scratch/pending.json"

sorted() { sort -u | sed '/^$/d'; }
grep '^+' "$scratch/cherry-fwd" | cut -c3- | sorted > "$scratch/git-plus"
grep '^-' "$scratch/cherry-fwd" | cut -c3- | sorted > "$scratch/git-minus"
grep '^+' "$scratch/cherry-rev" | cut -c3- | sorted > "$scratch/git-rev-plus"
jq -r '.pending[].commit, (.carried[] | select(.how == "trailer") | .commit)' "$scratch/pending.json" | sorted > "$scratch/sy-plus"
jq -r '.carried[] | select(.how == "patch-id") | .commit' "$scratch/pending.json" | sorted > "$scratch/sy-minus"
jq -r '.only_in_to[].commit, (.carried[] | select(.how == "trailer") | .as)' "$scratch/pending.json" | sorted > "$scratch/sy-rev-plus"

fail=0
check() {
  if ! diff -q "$2" "$3" >/dev/null; then
    echo "MISMATCH: $1" >&2
    diff "$2" "$3" >&2 || true
    fail=1
  else
    echo "same: $1 ($(wc -l < "$2") commits)"
  fi
}
check "pending + trailer-carried = git cherry prod dev (+)" "$scratch/git-plus" "$scratch/sy-plus"
check "carried by patch-id = git cherry prod dev (-)" "$scratch/git-minus" "$scratch/sy-minus"
check "only in prod + trailer copies = git cherry dev prod (+)" "$scratch/git-rev-plus" "$scratch/sy-rev-plus"
# Order: pending is git cherry's + list, oldest first, less trailer carries.
grep '^+' "$scratch/cherry-fwd" | cut -c3- | grep -vxFf <(jq -r '.carried[] | select(.how == "trailer") | .commit' "$scratch/pending.json") > "$scratch/git-order" || true
jq -r '.pending[].commit' "$scratch/pending.json" > "$scratch/sy-order"
if cmp -s "$scratch/git-order" "$scratch/sy-order"; then
  echo "same order as git cherry"
else
  echo "note: pending is the same set as git cherry's but in a different order (commit dates tie or go backwards)"
fi
[ "$fail" -eq 0 ] || { echo "bench-pending: switchyard and git cherry disagree" >&2; exit 1; }

if command -v hyperfine >/dev/null 2>&1; then
  hyperfine -w 1 -r "$RUNS" \
    -n "git cherry prod dev" "git -C $src cherry prod dev" \
    -n "git cherry both ways" "git -C $src cherry prod dev && git -C $src cherry dev prod" \
    -n "switchyard pending (cold)" -p "rm -rf $src/.git/switchyard" "$bin pending --repo $src --json" \
    -n "switchyard pending (warm)" "$bin pending --repo $src --json"
else
  # Wall time and CPU time (user+sys) of each run, in ms; the median of
  # RUNS runs is printed. CPU time is the steadier figure on a busy machine.
  measure() {
    local out
    /usr/bin/time -f "%e %U %S" -o "$scratch/time" "$@" >/dev/null 2>&1
    out=$(tail -1 "$scratch/time")
    awk -v l="$out" 'BEGIN { split(l, a, " "); printf "%d %d\n", a[1]*1000, (a[2]+a[3])*1000 }'
  }
  median() { sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"; }
  bench() {
    local name=$1 prep=$2; shift 2
    local walls=() cpus=()
    for _ in $(seq "$RUNS"); do
      eval "$prep"
      read -r w c < <(measure "$@")
      walls+=("$w"); cpus+=("$c")
    done
    printf '%-28s wall %5s ms  cpu %5s ms   (wall runs: %s)\n' "$name" \
      "$(printf '%s\n' "${walls[@]}" | median)" "$(printf '%s\n' "${cpus[@]}" | median)" "${walls[*]}"
  }
  echo "median of $RUNS runs (load average: $(cut -d' ' -f1-3 /proc/loadavg)):"
  bench "git cherry prod dev" ":" git -C "$src" cherry prod dev
  bench "git cherry dev prod" ":" git -C "$src" cherry dev prod
  bench "switchyard pending (cold)" "rm -rf $src/.git/switchyard" "$bin" pending --repo "$src" --json
  bench "switchyard pending (warm)" ":" "$bin" pending --repo "$src" --json
fi
