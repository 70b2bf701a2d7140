package source

import "io/fs"

// pop keeps a row per applied version in schema_migration (a project may
// rename it with the migration_table_name option, which phasegate does not
// read) and runs each file whose version has no row, ignoring rows without
// a file: every applied version is recorded, as pop's own table holds it
// (version varchar(14), unique).

func (Pop) ToolTables() []string { return []string{"schema_migration"} }

func (Pop) Bookkeeping(_ string, _, applied []Migration, _ fs.FS) ([]Statement, error) {
	var s stmts
	s.add(`CREATE TABLE IF NOT EXISTS schema_migration (version varchar(14) NOT NULL)`)
	s.add(`CREATE UNIQUE INDEX IF NOT EXISTS schema_migration_version_idx ON schema_migration (version)`)
	s.add(`DELETE FROM schema_migration`)
	for _, m := range ofFormat("pop", applied) {
		s.add(`INSERT INTO schema_migration (version) VALUES ($1) ON CONFLICT DO NOTHING`, m.Version)
	}
	return s, nil
}
