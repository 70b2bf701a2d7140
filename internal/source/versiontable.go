package source

// VersionTable describes a migration tool's version table: the table in
// which it records each migration it applied. The capture format (package
// capture) divides the SQL a migrate command runs at the writes to it.
type VersionTable struct {
	// Name is the table's name as PostgreSQL stores it (lower case unless
	// it was created quoted: "SequelizeMeta"); any schema matches.
	Name string
	// Columns hold the version. They are tried in order: the version is
	// what the write gives the first of them it sets to a constant or a
	// bound parameter that is not NULL. An entry naming several columns
	// joined by "+" joins their values with Sep (django_migrations'
	// "app+name" gives "shop.0001_initial"). Empty: version, version_num,
	// version_id, migration_id, name, migration_name, migration, filename,
	// script, id, then, for an INSERT without a column list (or one that
	// sets none of them), its first value.
	Columns []string
	// Sep joins the values of a "+" entry of Columns; default ".".
	Sep string
	// OpenColumn is a boolean column: a write setting it true opens a
	// migration instead of closing one (golang-migrate writes its version
	// with dirty = true before the migration, and dirty = false after).
	OpenColumn string
	// OpensOnInsert: the tool inserts the version's row before running the
	// migration and updates it after (Prisma); the INSERT opens a migration
	// and the next UPDATE of the table closes it.
	OpensOnInsert bool
	// Tool names the tools that use the table, for messages.
	Tool string
}

// VersionTabler is implemented by formats whose tool records the
// migrations it applied in a version table. The Capture format declares
// those of the tools phasegate reads only through capture (Rails, Knex,
// TypeORM...).
type VersionTabler interface {
	VersionTables() []VersionTable
}

// VersionTables returns the version tables of every format, in the order
// of Formats. A table several tools share (schema_migrations) is listed
// once: the first declaration's, its Tool naming them all, with the first
// OpenColumn any of them declares.
func VersionTables() []VersionTable {
	var out []VersionTable
	at := map[string]int{}
	for _, f := range Formats {
		v, ok := f.(VersionTabler)
		if !ok {
			continue
		}
		for _, t := range v.VersionTables() {
			i, seen := at[t.Name]
			if !seen {
				at[t.Name] = len(out)
				out = append(out, t)
				continue
			}
			out[i].Tool += ", " + t.Tool
			if out[i].OpenColumn == "" {
				out[i].OpenColumn = t.OpenColumn
			}
		}
	}
	return out
}

// tableNames returns the names of ts, then more.
func tableNames(ts []VersionTable, more ...string) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Name)
	}
	return append(out, more...)
}
