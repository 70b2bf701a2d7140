package source

import "io/fs"

// golang-migrate keeps one row, the current version, and fails when that
// version has no file ("no migration found for version N"): the row is
// the release's newest version, whatever else was applied.

func (GolangMigrate) VersionTables() []VersionTable {
	return []VersionTable{{Name: "schema_migrations", Columns: []string{"version"}, OpenColumn: "dirty", Tool: "golang-migrate"}}
}

func (f GolangMigrate) ToolTables() []string { return tableNames(f.VersionTables()) }

func (GolangMigrate) Bookkeeping(_ string, release, _ []Migration, _ fs.FS) ([]Statement, error) {
	newest := ""
	for _, m := range release {
		if m.Format == "golang-migrate" && (newest == "" || compareNumbers(m.Version, newest) > 0) {
			newest = m.Version
		}
	}
	if newest == "" {
		return nil, nil
	}
	var s stmts
	s.add(`CREATE TABLE IF NOT EXISTS schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)`)
	s.add(`TRUNCATE schema_migrations`)
	s.add(`INSERT INTO schema_migrations (version, dirty) VALUES ($1::bigint, false)`, trimVersion(newest))
	return s, nil
}
