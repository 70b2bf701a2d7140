#!/bin/sh
# The example's own migration tool, which phasegate cannot read: it applies
# db/changes/<version>_<name>.up files in order with psql, each in one
# transaction with the row that records its version, as Rails does.
set -eu
psql -qX -v ON_ERROR_STOP=1 -c "CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY)"
for f in db/changes/*.up; do
	version=$(basename "$f" | cut -d_ -f1)
	applied=$(psql -qXAt -c "SELECT count(*) FROM schema_migrations WHERE version = '$version'")
	[ "$applied" = 0 ] || continue
	psql -qX -v ON_ERROR_STOP=1 -1 -f "$f" -c "INSERT INTO schema_migrations (version) VALUES ('$version')"
done
