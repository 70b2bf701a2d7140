#!/bin/sh
# make.sh regenerates the driver fixtures (fixtures/*.txt): it builds the
# previous release's schema (before.sql), migrates it (after.sql) on a new
# database of the server at $ADMIN_URL, then runs the previous release's
# queries (queries.sql) with each driver and keeps their test output.
#
# Needs psql, Go (pgx from this module, lib/pq from the module proxy),
# $PYTHON (default python3) with psycopg2, node with npm (pg from the npm registry), and java
# with the PostgreSQL JDBC driver (Debian: libpostgresql-jdbc-java).
#
#   ADMIN_URL=postgres://postgres:pw@127.0.0.1:5432/postgres sh make.sh
set -eu
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
: "${ADMIN_URL:?set ADMIN_URL to a PostgreSQL admin URL}"
db=phasegate_driver_fixtures
psql -X -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
url=$(printf '%s' "$ADMIN_URL" | sed "s#/[^/?]*\([?].*\)\{0,1\}\$#/$db\1#")
case "$url" in *\?*) ;; *) url="$url?sslmode=disable" ;; esac
psql -X -q -v ON_ERROR_STOP=1 "$url" -f before.sql -f after.sql
mkdir -p fixtures
export DATABASE_URL="$url"
# fixture DIR OUT CMD... runs CMD in DIR and keeps its output as
# fixtures/OUT. Test runners exit non-zero: the queries fail, that is the
# point.
fixture() {
	dir=$1 out=$2
	shift 2
	if ! (cd "$dir" && "$@") > "fixtures/$out" 2>&1; then :; fi
}
fixture pgx pgx-go-test-json.txt env STYLE=v go test -count=1 -json .
fixture pgx pgx-go-test-quoted.txt env STYLE=q go test -count=1 -v .
fixture pgx pgx-slog-json.txt env STYLE=slog go test -count=1 -v .
(cd libpq && go mod tidy)
fixture libpq libpq-go-test.txt env STYLE=v go test -count=1 -v .
fixture libpq libpq-go-test-gostring.txt env STYLE=gv go test -count=1 -v .
fixture psycopg2 psycopg2-unittest.txt env STYLE=raise "$PYTHON" -m unittest -v test_users
fixture psycopg2 psycopg2-unittest-repr.txt env STYLE=repr "$PYTHON" -m unittest -v test_users
fixture psycopg2 psycopg2-json-log.txt env STYLE=json "$PYTHON" -m unittest -v test_users
(cd node-postgres && npm install --silent --no-audit --no-fund)
fixture node-postgres node-postgres-test.txt env STYLE=throw node --test users.test.mjs
fixture node-postgres node-postgres-json-log.txt env STYLE=json node --test users.test.mjs
jdbc_url=$(printf '%s' "$url" | sed -E 's#^postgres(ql)?://([^:@/]*)(:([^@/]*))?@([^/]*)/([^?]*).*#jdbc:postgresql://\5/\6?user=\2\&password=\4#')
classes=$(mktemp -d)
javac -d "$classes" jdbc/PreviousRelease.java
fixture jdbc jdbc-surefire-console.txt env JDBC_URL="$jdbc_url" STYLE=trace java -cp "$classes:/usr/share/java/postgresql.jar" PreviousRelease
fixture jdbc jdbc-surefire-report.xml env JDBC_URL="$jdbc_url" STYLE=xml java -cp "$classes:/usr/share/java/postgresql.jar" PreviousRelease
rm -rf "$classes"
# The fixtures show paths relative to this directory, not the machine's.
for f in fixtures/*; do
	sed -i "s#$(pwd)/#./#g; s#file://./#file://#g" "$f"
done
rm -rf libpq/go.sum node-postgres/node_modules node-postgres/package-lock.json
psql -X -q "$ADMIN_URL" -c "DROP DATABASE $db"
