#!/usr/bin/env bash
# bench-squawk.sh: the time phasegate and squawk 2.66.0 take to lint the
# same files, native binary to native binary: every forward migration of
# the shared corpora (down files, sqitch revert/verify scripts and Flyway
# undo scripts left out), all files in one invocation of each tool.
#
# Usage: scripts/bench-squawk.sh [RUNS] (default 15)
#
# phasegate is built from this checkout with -trimpath and runs as
# `phasegate classify --migrations-format plain FILES...` (every file read,
# parsed and judged; no git, no database). squawk is $SQUAWK, else the
# native binary of squawk-cli@2.66.0 installed with npm into the user cache
# (no node process in between), and runs as `squawk FILES...`. The corpora
# are $PHASEGATE_CORPORA, else ../shared/corpora.
#
# The two run alternately, after one warm-up run each, so that a machine
# whose load changes during the measurement weighs on both alike. For each
# tool it prints the wall time (median, min, max) and the CPU time
# (user + system, median) per run.
set -euo pipefail
runs=${1:-15}
root=$(cd "$(dirname "$0")/.." && pwd)
corpora=${PHASEGATE_CORPORA:-$root/../shared/corpora}
version=2.66.0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
trap 'echo "bench-squawk: failed at line $LINENO" >&2' ERR

go build -trimpath -o "$work/phasegate" "$root/cmd/phasegate"

squawk=${SQUAWK:-}
if [ -z "$squawk" ]; then
	cache="${XDG_CACHE_HOME:-$HOME/.cache}/phasegate/squawk-$version"
	case "$(uname -s)-$(uname -m)" in
	Linux-x86_64) platform=linux-x64 ;;
	Linux-aarch64) platform=linux-arm64 ;;
	Darwin-x86_64) platform=darwin-x64 ;;
	Darwin-arm64) platform=darwin-arm64 ;;
	*) echo "bench-squawk: no squawk-cli binary for $(uname -s)-$(uname -m); set SQUAWK" >&2; exit 2 ;;
	esac
	squawk="$cache/node_modules/@squawk-cli/$platform/bin/squawk"
	if [ ! -x "$squawk" ]; then
		echo "bench-squawk: installing squawk-cli@$version with npm into $cache" >&2
		npm install --no-save --no-audit --no-fund --prefix "$cache" "squawk-cli@$version" >&2
	fi
fi
if ! "$squawk" --version | grep -q "$version"; then
	echo "bench-squawk: $squawk is not squawk $version" >&2
	exit 2
fi

cd "$corpora"
files=()
while IFS= read -r f; do files+=("$f"); done < <(find . -name '*.sql' | grep -v -E '(\.down\.sql$|/down\.sql$|/revert/|/verify/|/U[0-9][^/]*__[^/]*\.sql$)' | sort)
statements=$("$work/phasegate" classify --migrations-format plain "${files[@]}" | sed -n 's/.* files, \([0-9]*\) statements.*/\1/p' || true)
echo "files: ${#files[@]}, statements: ${statements:-?} (phasegate's count), in $corpora"
echo "phasegate: $work/phasegate ($(go version | cut -d' ' -f3)), squawk: $squawk ($("$squawk" --version))"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//'), load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"

# one TOOL CMD...: run CMD once, appending "wall user+sys" to $work/times-TOOL.
# Both tools exit non-zero when they find something: only the times count.
one() {
	local tool=$1
	shift
	/usr/bin/time -o "$work/time" -f '%e %U %S' "$@" >/dev/null 2>&1 || true
	tail -1 "$work/time" | awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' >>"$work/times-$tool"
}
pg() { one phasegate "$work/phasegate" classify --migrations-format plain "${files[@]}"; }
sq() { one squawk "$squawk" "${files[@]}"; }

pg && sq && rm -f "$work/times-phasegate" "$work/times-squawk" # warm-up: the page cache, the binaries
for i in $(seq "$runs"); do
	if [ $((i % 2)) -eq 1 ]; then pg && sq; else sq && pg; fi
done

# median COLUMN FILE: the median of a column of numbers.
median() { sort -n -k"$1" "$2" | awk -v c="$1" '{ v[NR] = $c } END { print v[int((NR + 1) / 2)] }'; }
summary() {
	local f="$work/times-$1"
	printf '%-10s wall median %s s, min %s s, max %s s; CPU (user+sys) median %s s; %s runs\n' "$1" \
		"$(median 1 "$f")" "$(sort -n -k1 "$f" | head -1 | cut -d' ' -f1)" "$(sort -n -k1 "$f" | tail -1 | cut -d' ' -f1)" \
		"$(median 2 "$f")" "$(wc -l <"$f")"
}
summary phasegate
summary squawk
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
