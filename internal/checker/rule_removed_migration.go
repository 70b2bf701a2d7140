package checker

var removedMigration = &Rule{
	ID:       "removed-migration",
	Category: Other, Severity: Warning,
	Summary: "a migration that exists on the base branch is deleted or renamed",
	Why:     "databases that applied it still record its version: golang-migrate and sqitch then fail to start (no migration found for version N)",
	Fix:     "keep applied migrations; squash only with a new baseline your tool supports",
	Examples: []Example{
		{
			Format:    "golang-migrate",
			BaseFiles: []MigrationFile{{"1_users.up.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\n"}, {"2_orgs.up.sql", "CREATE TABLE orgs (id bigint PRIMARY KEY);\n"}},
			Change:    []MigrationFile{{"2_orgs.up.sql", ""}},
			Flagged:   true,
		},
		{
			Format:    "golang-migrate",
			BaseFiles: []MigrationFile{{"1_users.up.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\n"}},
			Change:    []MigrationFile{{"2_orgs.up.sql", "CREATE TABLE orgs (id bigint PRIMARY KEY);\n"}},
		},
	},
	History: func(h *History) []Finding {
		if !h.Removed {
			return nil
		}
		return []Finding{finding("removes a migration that exists on the base branch; databases that applied it still record its version")}
	},
}
