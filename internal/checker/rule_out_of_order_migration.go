package checker

var outOfOrderMigration = &Rule{
	ID:       "out-of-order-migration",
	Category: Other, Severity: Error,
	Summary: "a new migration whose version sorts before a migration that already exists",
	Why:     "golang-migrate never applies it on a database that is past that version, goose and Flyway refuse to run (unless allow-missing / outOfOrder is on)",
	Fix:     "rename the file so its version is the newest (a fresh timestamp, or the next number)",
	Examples: []Example{
		{
			Format:    "golang-migrate",
			BaseFiles: []MigrationFile{{"1_users.up.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\n"}, {"3_orgs.up.sql", "CREATE TABLE orgs (id bigint PRIMARY KEY);\n"}},
			Change:    []MigrationFile{{"2_nick.up.sql", "ALTER TABLE users ADD COLUMN nick text;\n"}},
			Flagged:   true,
		},
		{
			Format:    "golang-migrate",
			BaseFiles: []MigrationFile{{"1_users.up.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\n"}, {"3_orgs.up.sql", "CREATE TABLE orgs (id bigint PRIMARY KEY);\n"}},
			Change:    []MigrationFile{{"4_nick.up.sql", "ALTER TABLE users ADD COLUMN nick text;\n"}},
		},
	},
	History: func(h *History) []Finding {
		o := h.OutOfOrder
		if o == nil {
			return nil
		}
		return []Finding{finding("version %s sorts before %s, which already exists; %s", h.Migration.Version, o.Existing, o.Effect).at(fileStart())}
	},
}
