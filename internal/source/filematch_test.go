package source

import "testing"

// FileFormat keeps the precedence phasegate lint FILE has always had: a
// tool's annotations before a name's shape, a name before a place, plain
// SQL when nothing matches.
func TestFileFormat(t *testing.T) {
	fsys := fsOf(
		"db/sqitch.plan", "%project=x\n",
		"db/deploy/a.sql", "SELECT 1;",
		"db/deploy/V1__a.sql", "SELECT 1;",
		"m/1_a.up.sql", "SELECT 1;",
		"m/2_b.up.sql", "-- migrate:up\nSELECT 1;",
		"m/3_c.postgres.up.sql", "SELECT 1;",
		"m/4_d.up.sql", `SELECT {{ index .Options "x" }};`,
		"m/V1__a.sql", "-- +goose Up\nSELECT 1;",
		"m/R__v.sql", "SELECT 1;",
		"m/x/migration.sql", "SELECT 1;",
		"m/y/up.sql", "SELECT 1;",
		"m/5_e.sql", "SELECT 1;",
		"m/6_f.sql", "-- migrate:up\n-- +goose Up\n",
	)
	for p, want := range map[string]string{
		"db/deploy/a.sql":       "sqitch",
		"db/deploy/V1__a.sql":   "flyway",
		"m/1_a.up.sql":          "golang-migrate",
		"m/2_b.up.sql":          "dbmate",
		"m/3_c.postgres.up.sql": "pop",
		"m/4_d.up.sql":          "pop",
		"m/V1__a.sql":           "goose",
		"m/R__v.sql":            "flyway",
		"m/x/migration.sql":     "prisma",
		"m/y/up.sql":            "diesel",
		"m/5_e.sql":             "plain",
		"m/6_f.sql":             "goose",
	} {
		if got := FileFormat(fsys, p, fsys[p].Data).Name(); got != want {
			t.Errorf("FileFormat(%s) = %s, want %s", p, got, want)
		}
	}
}
