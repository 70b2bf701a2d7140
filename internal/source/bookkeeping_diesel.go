package source

import (
	"io/fs"
	"strings"
)

// Diesel keeps a row per applied version in __diesel_schema_migrations
// (the directory name before its first "_", dashes removed: diesel's
// version_from_string) and runs each migration whose version has no row,
// ignoring rows without a directory: every applied version is recorded.

func (Diesel) VersionTables() []VersionTable {
	return []VersionTable{{Name: "__diesel_schema_migrations", Columns: []string{"version"}, Tool: "Diesel"}}
}

func (f Diesel) ToolTables() []string { return tableNames(f.VersionTables()) }

func (Diesel) Bookkeeping(_ string, _, applied []Migration, _ fs.FS) ([]Statement, error) {
	var s stmts
	// diesel/src/migration/setup_migration_table.sql
	s.add(`CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)`)
	s.add(`DELETE FROM __diesel_schema_migrations`)
	for _, m := range ofFormat("diesel", applied) {
		s.add(`INSERT INTO __diesel_schema_migrations (version) VALUES ($1) ON CONFLICT DO NOTHING`, DieselVersion(m))
	}
	return s, nil
}

// DieselVersion is the version Diesel records for a migration.
func DieselVersion(m Migration) string { return strings.ReplaceAll(m.Version, "-", "") }
