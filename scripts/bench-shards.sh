#!/usr/bin/env bash
# bench-shards.sh: the wall time of phasegate check on a test suite of 40
# Go packages that each take 1 s, on 1 shard and on 4 shard processes run
# in parallel on this machine, and the cost of phasegate merge.
# Usage: scripts/bench-shards.sh [POSTGRES_IMAGE] (default postgres:16;
# the image must be present: it runs with --no-pull).
set -euo pipefail
image=${1:-postgres:16}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/phasegate" "$root/cmd/phasegate"
app="$work/app"
mkdir -p "$app/db/migrations" "$app/.github"
cd "$app"
git init -q -b main
git config user.email bench@phasegate.invalid
git config user.name bench
printf 'module example.com/bench\n\ngo 1.22\n' >go.mod
printf 'migrations:\n  dir: db/migrations\ntests:\n  command: go test -count=1 ./...\n' >.github/phasegate.yml
echo 'CREATE TABLE users (id bigint PRIMARY KEY);' >db/migrations/0001_users.up.sql
for i in $(seq -w 1 40); do
	mkdir -p "p$i"
	printf 'package p%s\n\nimport (\n\t"testing"\n\t"time"\n)\n\nfunc TestOneSecond(t *testing.T) { time.Sleep(time.Second) }\n' "$i" >"p$i/p_test.go"
done
git add -A && git commit -qm v1
git checkout -qb feature
printf "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN nick text;\n" >db/migrations/0002_nick.up.sql
go test -count=1 ./... >/dev/null # warm the build cache
pg="$work/phasegate"
seconds() { date +%s.%N; }
t0=$(seconds)
"$pg" check --base main --postgres-image "$image" --no-pull >/dev/null 2>&1
t1=$(seconds)
for i in 1 2 3 4; do
	"$pg" check --base main --postgres-image "$image" --no-pull --shard "$i/4" --fail-on never --report-json "$work/shard$i.json" >/dev/null 2>&1 &
done
wait
t2=$(seconds)
"$pg" merge "$work"/shard*.json >/dev/null
t3=$(seconds)
printf 'one shard:                 %6.1f s\nfour shards in parallel:   %6.1f s (each: static check, PostgreSQL, three scenarios of 10 packages)\nmerge of the four reports: %6.3f s\n' \
	"$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" "$(echo "$t3 - $t2" | bc)"
