package source

import (
	"io/fs"
	"strings"
)

// Django keeps a row per applied migration in django_migrations, the
// installed packages' (django.contrib...) included, and ignores rows of
// migrations it does not have: every applied migration is recorded, the
// newer release's too, and the release's migrate finds nothing to do.

func (Django) VersionTables() []VersionTable {
	return []VersionTable{{Name: "django_migrations", Columns: []string{"app+name"}, Tool: "Django"}}
}

func (f Django) ToolTables() []string { return tableNames(f.VersionTables()) }

func (Django) Bookkeeping(_ string, _, applied []Migration, _ fs.FS) ([]Statement, error) {
	var s stmts
	// django.db.migrations.recorder.MigrationRecorder.Migration
	s.add(`CREATE TABLE IF NOT EXISTS django_migrations (id serial PRIMARY KEY, app varchar(255) NOT NULL, name varchar(255) NOT NULL, applied timestamptz NOT NULL)`)
	s.add(`DELETE FROM django_migrations`)
	for _, m := range ofFormat("django", applied) {
		app, name, ok := strings.Cut(m.Version, ".")
		if !ok {
			continue
		}
		s.add(`INSERT INTO django_migrations (app, name, applied) VALUES ($1, $2, now())`, app, name)
	}
	return s, nil
}
