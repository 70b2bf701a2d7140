package source

import (
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

// Capture is any migration tool phasegate cannot read (Rails, Knex,
// TypeORM, Ecto, Flyway's Java migrations...): the migrations directory's
// files, in natural name order, whose SQL is what the project's
// migrate.command executes against an empty database, recorded by a proxy
// and divided by the tool's version-table writes (packages capture and
// render). It is never detected: set migrations.format: capture. Each
// migration is taken to run in a transaction, as most such tools do.
type Capture struct{}

func (Capture) Name() string { return "capture" }

// Rendered marks formats whose SQL comes from running the tool.
func (Capture) Rendered() bool { return true }

func (Capture) Detect(fs.FS, string) bool { return false }

func (f Capture) List(fsys fs.FS, dir string) ([]Migration, error) {
	names, err := files(fsys, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, n := range names {
		if strings.HasPrefix(n, ".") || strings.HasPrefix(n, "__") {
			continue
		}
		v := digitPrefix(n)
		out = append(out, Migration{Path: join(dir, n), Format: f.Name(), Version: v, Name: n})
	}
	sort.SliceStable(out, func(i, j int) bool { return naturalLess(out[i].Name, out[j].Name) })
	return out, nil
}

func (Capture) Script(Migration, []byte) (Script, error) {
	return Script{Tx: TxFile}, nil
}

// SetFix: the migration is whatever the tool runs, SQL or code; a plain
// SET holds whether or not the tool runs it in a transaction.
func (Capture) SetFix(name, value string, line int, _ TxMode) string {
	at := "its statement"
	if line > 0 {
		at = fmt.Sprintf("the statement at line %d", line)
	}
	return fmt.Sprintf("make the migration run SET %s = %s; on its connection before %s (a line of SQL before it, if the tool sends the file's SQL as written; else your tool's raw SQL call, first in the migration)",
		name, value, at)
}

// VersionTables are those of the tools phasegate reads only through
// capture; the other formats declare their own.
func (Capture) VersionTables() []VersionTable {
	return []VersionTable{
		{Name: "schema_migrations", Columns: []string{"version"}, OpenColumn: "dirty", Tool: "Rails, Ecto"},
		{Name: "schema_version", Columns: []string{"version", "script"}, Tool: "Flyway before 5"},
		{Name: "knex_migrations", Columns: []string{"name"}, Tool: "Knex"},
		{Name: "migrations", Columns: []string{"name", "migration", "filename"}, Tool: "TypeORM, Laravel, postgres-migrations, Graphile Migrate"},
		{Name: "SequelizeMeta", Columns: []string{"name"}, Tool: "Sequelize"},
		{Name: "pgmigrations", Columns: []string{"name"}, Tool: "node-pg-migrate"},
		{Name: "mikro_orm_migrations", Columns: []string{"name"}, Tool: "MikroORM"},
		{Name: "kysely_migration", Columns: []string{"name"}, Tool: "Kysely"},
		{Name: "_yoyo_migration", Columns: []string{"migration_id"}, Tool: "yoyo"},
		{Name: "refinery_schema_history", Columns: []string{"version"}, Tool: "refinery"},
		{Name: "seaql_migrations", Columns: []string{"version"}, Tool: "SeaORM"},
		{Name: "schemaversions", Columns: []string{"scriptname"}, Tool: "DbUp"},
		{Name: "_sqlx_migrations", Columns: []string{"version"}, Tool: "sqlx"},
		{Name: "__EFMigrationsHistory", Columns: []string{"MigrationId"}, Tool: "Entity Framework Core"},
		{Name: "doctrine_migration_versions", Columns: []string{"version"}, Tool: "Doctrine Migrations"},
		{Name: "phinxlog", Columns: []string{"version"}, Tool: "Phinx"},
	}
}
