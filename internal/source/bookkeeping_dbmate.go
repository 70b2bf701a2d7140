package source

import "io/fs"

// dbmate keeps a row per applied version and ignores rows without a file:
// every applied version is recorded.

func (Dbmate) VersionTables() []VersionTable {
	return []VersionTable{{Name: "schema_migrations", Columns: []string{"version"}, Tool: "dbmate"}}
}

func (f Dbmate) ToolTables() []string { return tableNames(f.VersionTables()) }

func (Dbmate) Bookkeeping(_ string, _, applied []Migration, _ fs.FS) ([]Statement, error) {
	var s stmts
	s.add(`CREATE TABLE IF NOT EXISTS schema_migrations (version varchar(128) PRIMARY KEY)`)
	s.add(`DELETE FROM schema_migrations`)
	for _, m := range ofFormat("dbmate", applied) {
		s.add(`INSERT INTO schema_migrations (version) VALUES ($1) ON CONFLICT DO NOTHING`, m.Version)
	}
	return s, nil
}
