package checker

var editedMigration = &Rule{
	ID:       "edited-migration",
	Category: Other, Severity: Error,
	Summary: "a change to a migration that already exists on the base branch",
	Why:     "databases that already applied the migration never run it again, so production and fresh databases end up with different schemas",
	Fix:     "restore the file and put the change in a new migration",
	Notes: `phasegate judges only the statements that changed in the edited file, and reports the edit itself with this rule.
A Liquibase changelog that only gains changesets at its end is not edited (that is how Liquibase is used),
and an ORM migration edited without changing the SQL it runs (a comment, its downgrade) is not either, nor is a
migration whose statements are unchanged (a comment, the layout; not whitespace inside a literal, nor a tool's
directive such as goose's NO TRANSACTION) for the tools that record only which migrations ran (golang-migrate,
goose, dbmate, sql-migrate, pop, Diesel); an edit of the down part alone is not one either, since the tool reads
it from the file when it migrates down. Flyway, Liquibase, Atlas, Prisma and sqitch
record a checksum of each migration, so there any change is one.`,
	Examples: []Example{
		{
			Format:    "golang-migrate",
			BaseFiles: []MigrationFile{{"1_users.up.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\n"}},
			Change:    []MigrationFile{{"1_users.up.sql", "CREATE TABLE users (id bigint PRIMARY KEY, nick text);\n"}},
			Flagged:   true,
		},
		{
			Format:    "liquibase",
			BaseFiles: []MigrationFile{{"changelog.sql", "--liquibase formatted sql\n--changeset ann:1\nCREATE TABLE users (id bigint PRIMARY KEY);\n"}},
			Change:    []MigrationFile{{"changelog.sql", "--liquibase formatted sql\n--changeset ann:1\nCREATE TABLE users (id bigint PRIMARY KEY, nick text);\n"}},
			Flagged:   true,
		},
		{
			Format:    "liquibase",
			BaseFiles: []MigrationFile{{"changelog.sql", "--liquibase formatted sql\n--changeset ann:1\nCREATE TABLE users (id bigint PRIMARY KEY);\n"}},
			Change:    []MigrationFile{{"changelog.sql", "--liquibase formatted sql\n--changeset ann:1\nCREATE TABLE users (id bigint PRIMARY KEY);\n--changeset ann:2\nCREATE TABLE orgs (id bigint PRIMARY KEY);\n"}},
		},
		{
			Format:    "golang-migrate",
			BaseFiles: []MigrationFile{{"1_users.up.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\n"}},
			Change:    []MigrationFile{{"2_nick.up.sql", "ALTER TABLE users ADD COLUMN nick text;\n"}},
		},
		{
			// golang-migrate records only the versions it applied: a new
			// comment changes nothing anywhere.
			Format:    "golang-migrate",
			BaseFiles: []MigrationFile{{"1_users.up.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\n"}},
			Change:    []MigrationFile{{"1_users.up.sql", "-- The accounts.\nCREATE TABLE users (\n    id bigint PRIMARY KEY\n);\n"}},
		},
		{
			// Whitespace inside a literal is data: a fresh database would
			// differ from production.
			Format:    "golang-migrate",
			BaseFiles: []MigrationFile{{"1_users.up.sql", "CREATE TABLE users (id bigint PRIMARY KEY, name text);\nINSERT INTO users VALUES (1, 'a  b');\n"}},
			Change:    []MigrationFile{{"1_users.up.sql", "CREATE TABLE users (id bigint PRIMARY KEY, name text);\nINSERT INTO users VALUES (1, 'a b');\n"}},
			Flagged:   true,
		},
		{
			// A directive changes how goose runs the same statements.
			Format:    "goose",
			BaseFiles: []MigrationFile{{"00001_users.sql", "-- +goose Up\nCREATE TABLE users (id bigint PRIMARY KEY);\n"}},
			Change:    []MigrationFile{{"00001_users.sql", "-- +goose Up\n-- +goose NO TRANSACTION\nCREATE TABLE users (id bigint PRIMARY KEY);\n"}},
			Flagged:   true,
		},
		{
			// Flyway records each applied migration's checksum, comments
			// included, and refuses to migrate when one changed.
			Format:    "flyway",
			BaseFiles: []MigrationFile{{"V1__users.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\n"}},
			Change:    []MigrationFile{{"V1__users.sql", "-- The accounts.\nCREATE TABLE users (id bigint PRIMARY KEY);\n"}},
			Flagged:   true,
		},
	},
	History: func(h *History) []Finding {
		switch {
		case !h.Edited:
			return nil
		case h.Changelog:
			return []Finding{finding("changes a changeset that exists on the base branch; Liquibase refuses to run a changelog whose applied changesets changed (their checksum), and databases that ran it will not run the change").at(fileStart())}
		}
		return []Finding{finding("edits a migration that exists on the base branch; databases that applied it will not run the change").at(fileStart())}
	},
}
