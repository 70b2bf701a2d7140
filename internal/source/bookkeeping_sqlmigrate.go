package source

import (
	"io/fs"
	"path"
)

// sql-migrate keeps a row per applied file in gorp_migrations, by file
// name, and refuses a database with a row it has no file for ("unknown
// migration in database") unless the application set IgnoreUnknown: only
// the applied migrations the release has are recorded. (A project that
// renames the table with SetTable is not read.)

func (SQLMigrate) VersionTables() []VersionTable {
	return []VersionTable{{Name: "gorp_migrations", Columns: []string{"id"}, Tool: "sql-migrate"}}
}

func (f SQLMigrate) ToolTables() []string { return tableNames(f.VersionTables()) }

func (SQLMigrate) Bookkeeping(_ string, release, applied []Migration, _ fs.FS) ([]Statement, error) {
	var s stmts
	s.add(`CREATE TABLE IF NOT EXISTS gorp_migrations (id text NOT NULL PRIMARY KEY, applied_at timestamp with time zone)`)
	s.add(`DELETE FROM gorp_migrations`)
	for _, m := range known("sql-migrate", release, applied) {
		s.add(`INSERT INTO gorp_migrations (id, applied_at) VALUES ($1, now()) ON CONFLICT DO NOTHING`, path.Base(m.Path))
	}
	return s, nil
}
