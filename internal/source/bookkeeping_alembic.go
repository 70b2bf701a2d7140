package source

import (
	"fmt"
	"io/fs"
	"sort"
)

// Alembic keeps one row per head of the revision graph in alembic_version
// (one row in a linear history) and, on upgrade, runs every revision
// between those heads and its own. A head it does not know ("Can't locate
// revision") is an error, so the table holds the heads of the release's
// own revisions, whatever newer revisions were applied: its upgrade head
// then finds nothing to do. The table is the default one (env.py's
// version_table and version_table_schema are not read).

func (Alembic) VersionTables() []VersionTable {
	return []VersionTable{{Name: "alembic_version", Columns: []string{"version_num"}, Tool: "Alembic"}}
}

func (f Alembic) ToolTables() []string { return tableNames(f.VersionTables()) }

func (Alembic) Bookkeeping(_ string, release, _ []Migration, fsys fs.FS) ([]Statement, error) {
	heads, err := alembicHeads(ofFormat("alembic", release), fsys)
	if err != nil {
		return nil, err
	}
	var s stmts
	// alembic.runtime.migration.MigrationContext._version
	s.add(`CREATE TABLE IF NOT EXISTS alembic_version (version_num varchar(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))`)
	s.add(`DELETE FROM alembic_version`)
	for _, h := range heads {
		s.add(`INSERT INTO alembic_version (version_num) VALUES ($1)`, h)
	}
	return s, nil
}

// alembicHeads returns the revisions of ms that no revision of ms follows,
// sorted.
func alembicHeads(ms []Migration, fsys fs.FS) ([]string, error) {
	followed := map[string]bool{}
	for _, m := range ms {
		b, err := fs.ReadFile(fsys, m.Path)
		if err != nil {
			return nil, fmt.Errorf("read the revision %s: %w", m.Path, err)
		}
		if down := alembicDown().FindSubmatch(b); down != nil {
			for _, q := range quoted().FindAllSubmatch(down[1], -1) {
				followed[string(q[1])] = true
			}
		}
	}
	var heads []string
	for _, m := range ms {
		if !followed[m.Version] {
			heads = append(heads, m.Version)
		}
	}
	sort.Strings(heads)
	return heads, nil
}
