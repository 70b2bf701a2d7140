package source

import (
	"regexp"
	"testing"
)

// golangMigratePattern is the pattern golang-migrate matches file names
// with, which golangMigrateName implements by hand.
var golangMigratePattern = regexp.MustCompile(`^([0-9]+)_(.*)\.(down|up)\.(.*)$`)

func checkGolangMigrateName(t *testing.T, n string) {
	t.Helper()
	version, name, direction, ext, ok := golangMigrateName(n)
	m := golangMigratePattern.FindStringSubmatch(n)
	if ok != (m != nil) {
		t.Fatalf("%q: matched %v, the pattern %v", n, ok, m != nil)
	}
	if ok && (version != m[1] || name != m[2] || direction != m[3] || ext != m[4]) {
		t.Fatalf("%q: %q %q %q %q, the pattern %q", n, version, name, direction, ext, m[1:])
	}
}

func TestGolangMigrateName(t *testing.T) {
	for _, n := range []string{
		"1_a.up.sql", "0001_create_users.down.sql", "20240101120000_x.up.sql",
		"1_a.up.b.down.sql", "1_a.down.b.up.sql", "1_.up.", "1_a.up", "_a.up.sql",
		"a_b.up.sql", "12", "12_", "1_a.up.sql\n", "1_a\n.up.sql", "1__.down..",
		"1_a.UP.sql", "1_a.up.sql.up.txt", "",
	} {
		checkGolangMigrateName(t, n)
	}
}

func FuzzGolangMigrateName(f *testing.F) {
	for _, n := range []string{"1_a.up.sql", "1_a.up.b.down.sql", "007_x.down.", "1_a\n.up.sql"} {
		f.Add(n)
	}
	f.Fuzz(checkGolangMigrateName)
}
