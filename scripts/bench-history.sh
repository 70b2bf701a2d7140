#!/usr/bin/env bash
# bench-history.sh: the wall time of `phasegate check --static-only` on a
# pull request that adds one migration to a long history, the case a
# project with years of migrations meets on every pull request.
#
# Usage: scripts/bench-history.sh [MIGRATIONS] [RUNS] [OLD_REV]
#   MIGRATIONS  length of the generated history (default 1000)
#   RUNS        runs of each case (default 9)
#   OLD_REV     also time phasegate built at this revision, alternating
#               run by run with the checkout's (to measure a change)
# APP_FILES (default 0) adds that many other files to the repository, in
# directories of 100, as an application's code beside its migrations.
#
# The history is golang-migrate's: N_m.up.sql and N_m.down.sql files, each
# a table, a column and an index, a column and a comment, or a view, as a
# generated packed git repository on main; the pull request (HEAD) adds
# one migration that drops a column. Three cases: the work tree with the
# directory and format configured, the work tree found by discovery (no
# config), and --head HEAD (the committed head, read from git). It prints
# the median and range of each, in milliseconds.
set -euo pipefail
n=${1:-1000}
runs=${2:-9}
old=${3:-}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"; git -C "$root" worktree prune' EXIT

# Built as scripts/dist.sh builds the Linux release users download: static,
# stripped, pure Go resolver.
build() {
	CGO_ENABLED=1 go build -trimpath -tags netgo,osusergo \
		-ldflags '-s -w -linkmode external -extldflags -static' -o "$1" ./cmd/phasegate
}
(cd "$root" && build "$work/new")
bins=(new)
if [ -n "$old" ]; then
	git -C "$root" worktree add -q --detach "$work/old-src" "$old"
	(cd "$work/old-src" && build "$work/old")
	git -C "$root" worktree remove --force "$work/old-src"
	bins=(old new)
fi

# Read back from disk, as after a reboot: a binary the linker has just
# written can be mapped with 2 MB pages, which makes it start 6 to 8 ms
# faster here than the same file read back (scripts/bench-squawk.sh says
# more).
for b in "${bins[@]}"; do
	sync "$work/$b"
	dd if="$work/$b" iflag=nocache count=0 status=none
	"$work/$b" version >/dev/null
done

repo="$work/repo"
mkdir -p "$repo/db/migrations"
cd "$repo"
git init -q -b main
git config user.email bench@phasegate.invalid
git config user.name bench
git config gc.auto 0 # the gc below packs it; a detached auto gc would collide with it
for ((i = 1; i <= n; i++)); do
	f=$(printf 'db/migrations/%06d_m' "$i")
	t=$(((i - 1) / 4))
	case $((i % 4)) in
	1) echo "CREATE TABLE t$t (id bigserial PRIMARY KEY, name text NOT NULL, created_at timestamptz DEFAULT now());" ;;
	2) printf 'ALTER TABLE t%d ADD COLUMN email text;\nCREATE INDEX CONCURRENTLY t%d_email_idx ON t%d (email);\n' "$t" "$t" "$t" ;;
	3) printf "ALTER TABLE t%d ADD COLUMN status text DEFAULT 'active';\nCOMMENT ON COLUMN t%d.status IS 'state';\n" "$t" "$t" ;;
	0) echo "CREATE VIEW t${t}_v AS SELECT id, name FROM t$t;" ;;
	esac >"$f.up.sql"
	echo 'SELECT 1;' >"$f.down.sql"
done
for ((i = 0; i < ${APP_FILES:-0}; i++)); do
	d="app/pkg$((i / 100))"
	[ $((i % 100)) -eq 0 ] && mkdir -p "$d"
	echo "package pkg$((i / 100)) // $i" >"$d/f$i.go"
done
git add -A
git commit -qm base
git gc -q
git checkout -q -b change
printf "SET lock_timeout = '5s';\nALTER TABLE t10 DROP COLUMN name;\n" >"$(printf 'db/migrations/%06d_drop.up.sql' $((n + 1)))"
git add -A
git commit -qm change
printf 'migrations:\n  dir: db/migrations\n  format: golang-migrate\n' >"$work/config.yml"

ms() { # prints the wall time of the command in milliseconds
	local t0 t1
	t0=$EPOCHREALTIME
	"$@" >/dev/null 2>&1 || true # the drop is an error finding: exit 1
	t1=$EPOCHREALTIME
	echo "(${t1/[.,]/} - ${t0/[.,]/}) / 1000" | bc
}
summary() { sort -n | awk '{a[NR]=$1} END {printf "%d ms (%d-%d)", a[int((NR+1)/2)], a[1], a[NR]}'; }

echo "phasegate check --static-only, $n migrations + 1, ${APP_FILES:-0} other files; $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M UTC'); median (range) of $runs runs, alternating"
echo
header="| case |" sep="|---|"
for b in "${bins[@]}"; do header+=" $b |" sep+="---|"; done
printf '%s\n%s\n' "$header" "$sep"
for c in configured discovered head; do
	declare -A t=()
	for ((r = 0; r < runs; r++)); do
		for b in "${bins[@]}"; do
			case $c in
			configured) t[$b]+="$(ms "$work/$b" check --base main --static-only --config "$work/config.yml") " ;;
			discovered) t[$b]+="$(ms "$work/$b" check --base main --static-only) " ;;
			head) t[$b]+="$(ms "$work/$b" check --base main --head HEAD --static-only) " ;;
			esac
		done
	done
	row="| $c |"
	for b in "${bins[@]}"; do
		row+=" $(tr ' ' '\n' <<<"${t[$b]}" | grep . | summary) |"
	done
	echo "$row"
	unset t
done
