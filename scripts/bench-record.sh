#!/bin/sh
# bench-record.sh [RUNS] [CHECK FLAGS...] measures what recording costs the
# compat scenario (tests.record, docs/runtime.md#what-recording-costs) on the
# example apps: Go (testdata/example), Alembic and Django (testdata/*app,
# split variant). For each app it runs `phasegate check --format json`
# RUNS times (default 5) with tests.record true and false, alternating,
# and prints the median duration of the compat scenario's suite each way.
# Extra arguments go to phasegate check, e.g. --postgres-image
# local/postgres:15 --no-pull. Needs Docker, go, jq, and /usr/bin/python3
# with alembic, sqlalchemy, django and psycopg2 for the Python apps.
set -eu
runs=${1:-5}
[ $# -gt 0 ] && shift
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$root" && go build -o "$work/phasegate" ./cmd/phasegate)
sh "$root/testdata/example/make-repo.sh" "$work/go" 2>/dev/null
sh "$root/testdata/make-app-repo.sh" alembicapp "$work/alembic" split 2>/dev/null
sh "$root/testdata/make-app-repo.sh" djangoapp "$work/django" split 2>/dev/null

median() { sort -n | awk '{v[NR]=$1} END {if (NR==0) print "-"; else if (NR%2) print v[(NR+1)/2]; else print int((v[NR/2]+v[NR/2+1])/2)}'; }

printf '| app | runs | suite, recorded | suite, not recorded | overhead |\n|---|---|---|---|---|\n'
for app in go alembic django; do
	for rec in true false; do
		# The app's own config, with tests.record set.
		awk -v rec="$rec" '{print} /^tests:/ {print "  record: " rec}' "$work/$app/.github/phasegate.yml" >"$work/$app-$rec.yml"
		: >"$work/$app-$rec.ms"
	done
	i=0
	while [ "$i" -lt "$runs" ]; do
		for rec in true false; do
			"$work/phasegate" check --repo "$work/$app" --base main --config "$work/$app-$rec.yml" --format json "$@" >"$work/out.json" 2>"$work/err.txt" || true
			ms=$(jq -r '[.scenarios[]? | select(.name == "compat") | .duration_ms][0] // empty' "$work/out.json")
			if [ -z "$ms" ]; then
				echo "bench-record: $app (record: $rec): no compat scenario in the report:" >&2
				cat "$work/err.txt" >&2
				exit 1
			fi
			echo "$ms" >>"$work/$app-$rec.ms"
		done
		i=$((i + 1))
	done
	on=$(median <"$work/$app-true.ms")
	off=$(median <"$work/$app-false.ms")
	printf '| %s | %s | %s ms | %s ms | %s%% |\n' "$app" "$runs" "$on" "$off" "$(awk -v a="$on" -v b="$off" 'BEGIN {printf "%+.1f", (a-b)*100/b}')"
done
