#!/usr/bin/env bash
# bench-squawk.sh: phasegate beside squawk's native binary on the same
# files, in one run, alternating the two, and prints the medians as a
# markdown table.
#
# Usage: scripts/bench-squawk.sh CORPORA [RUNS]
#   CORPORA  a directory of migration histories (the shared corpora: each
#            subdirectory one project); its forward .sql files are linted
#   RUNS     runs of each tool per workload (default 7)
# SQUAWK names squawk's native binary; without it, squawk-cli 2.66.0 is
# installed with npm into ${XDG_CACHE_HOME:-~/.cache}/phasegate/squawk and
# its native binary (node_modules/@squawk-cli/linux-x64/bin/squawk) is
# used, not the node wrapper.
set -euo pipefail
corpora=$(cd "${1:?usage: bench-squawk.sh CORPORA [RUNS]}" && pwd)
runs=${2:-7}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

squawk=${SQUAWK:-}
if [ -z "$squawk" ]; then
	cache="${XDG_CACHE_HOME:-$HOME/.cache}/phasegate/squawk"
	squawk="$cache/node_modules/@squawk-cli/linux-x64/bin/squawk"
	if [ ! -x "$squawk" ]; then
		mkdir -p "$cache"
		(cd "$cache" && npm install --silent --no-audit --no-fund squawk-cli@2.66.0 >/dev/null)
	fi
fi
pg="$work/phasegate"
# Built as scripts/dist.sh builds the Linux release users download: static,
# stripped, pure Go resolver (a dynamically linked go build starts about a
# millisecond slower, in the dynamic loader).
(cd "$root" && CGO_ENABLED=1 go build -trimpath -tags netgo,osusergo \
	-ldflags '-s -w -linkmode external -extldflags -static' -o "$pg" ./cmd/phasegate)

# Both binaries run from the same kind of page cache. A binary the linker
# (or npm) has just written can sit in the page cache as 2 MB folios, which
# a kernel with large folios (ext4 since 6.16, xfs) maps with 2 MB pages;
# read back from disk, after a reboot or an eviction, it is mapped page by
# page. On this project's machine that alone moves phasegate's start-up by
# 6 to 8 ms (squawk's file offsets are not 2 MB aligned, so squawk never
# gets 2 MB pages). So both files are written out, dropped from the page
# cache (GNU dd: iflag=nocache, count=0) and read back by one run each, as a
# freshly booted machine would run them.
sync "$pg" "$squawk"
for bin in "$pg" "$squawk"; do
	dd if="$bin" iflag=nocache count=0 status=none
done

# The workloads: one tiny file, one project, every project.
echo 'SELECT 1;' >"$work/tiny.sql"
forward() { find "$@" -name '*.sql' ! -name 'down.sql' ! -name '*.down.sql' ! -name 'U[0-9]*__*.sql' | sort; }
forward "$corpora/lemmy-diesel" >"$work/lemmy.list"
forward "$corpora" >"$work/all.list"

# seconds runs a command and prints its wall time in seconds, read from
# bash's clock: no process is started between the two readings but the
# command's.
seconds() {
	local t0 t1
	t0=$EPOCHREALTIME
	"$@" >/dev/null 2>&1 || true # both tools exit non-zero on findings
	t1=$EPOCHREALTIME
	echo "scale=4; ${t1/[.,]/.} - ${t0/[.,]/.}" | bc
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

row() { # name, file list
	local name=$1 list=$2 p=() s=() i
	mapfile -t files <"$list"
	for ((i = 0; i < runs; i++)); do
		p+=("$(seconds "$pg" classify --format json "${files[@]}")")
		s+=("$(seconds "$squawk" "${files[@]}")")
	done
	local pm sm
	pm=$(printf '%s\n' "${p[@]}" | median)
	sm=$(printf '%s\n' "${s[@]}" | median)
	printf '| %s | %d | %.0f ms | %.0f ms | %.2fx |\n' "$name" "${#files[@]}" \
		"$(echo "$pm * 1000" | bc)" "$(echo "$sm * 1000" | bc)" "$(echo "scale=4; $sm / $pm" | bc)"
}

echo "$work/tiny.sql" >"$work/tiny.list"
"$pg" classify --format json "$work/tiny.sql" >/dev/null 2>&1 || true
"$squawk" "$work/tiny.sql" >/dev/null 2>&1 || true
echo "phasegate at $(cd "$root" && git describe --always --dirty), $("$squawk" --version); $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M UTC'); medians of $runs alternating runs"
echo
echo "| workload | files | phasegate | squawk | phasegate's speed |"
echo "|---|---|---|---|---|"
row "start-up (one tiny file)" "$work/tiny.list"
row "lemmy-diesel" "$work/lemmy.list"
row "all corpora" "$work/all.list"
