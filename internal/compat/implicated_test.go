package compat

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func TestImplicated(t *testing.T) {
	changes := []Change{
		{Object: "users.name", Kind: "column", Change: "removed", names: []string{"name", "users"}},
		{Object: "orders", Kind: "table", Change: "removed", names: []string{"orders"}},
		{Object: "users.email", Kind: "column", Change: "narrowed", names: []string{"email", "users"}, newType: "character varying(50)"},
		{Object: "function touch(integer)", Kind: "function", Change: "removed", names: []string{"touch"}},
		{Object: "enum mood 'sad'", Kind: "enum label", Change: "removed", names: []string{"sad", "mood"}},
	}
	for _, tc := range []struct {
		name, output string
		want         string
	}{
		{"pgx", "--- FAIL: TestUsers\n    ERROR: column \"name\" of relation \"users\" does not exist (SQLSTATE 42703)", "users.name"},
		{"plain relation", `ERROR: relation "orders" does not exist`, "orders"},
		{"passing", "ok\nPASS", ""},
		{"go test -json", `{"Action":"output","Output":"    users_test.go:24: ERROR: column \"name\" does not exist (SQLSTATE 42703)\n"}`, "users.name"},
		{"JSON inside JSON", `{"log":"{\"msg\":\"query failed\",\"err\":\"column \\\"name\\\" does not exist\"}"}`, "users.name"},
		{"Go %q", `exec: "ERROR: relation \"orders\" does not exist (SQLSTATE 42P01)"`, "orders"},
		{"Python repr", `AssertionError: UndefinedFunction('function touch(integer) does not exist\nLINE 1: SELECT touch(1)\n               ^\nHINT:  No function matches the given name and argument types. You might need to add explicit type casts.\n')`, "function touch(integer)"},
		{"repr with both quotes", `InvalidTextRepresentation('invalid input value for enum mood: "sad"\nLINE 1: ...VALUES (\'sad\')\n')`, "enum mood 'sad'"},
		{"XML attribute", `<error message="ERROR: column &quot;name&quot; does not exist&#10;  Position: 8" type="org.postgresql.util.PSQLException"/>`, "users.name"},
		{"JSON \\u escapes", `{"error":"column \u0022name\u0022 does not exist"}`, "users.name"},
		{"a literal cut off where the tail starts", `me\" of \"users\" (SQLSTATE 42703)\n"}` + "\n" + `{"Output":"ERROR: relation \"orders\" does not exist\n"}`, "orders"},
		{"message cut off, SQLSTATE and query kept", "psycopg2.errors.UndefinedColumn: column \"na…\nLINE 1: SELECT id, name FROM users", "users.name"},
		{"narrowed type", `ERROR: value too long for type character varying(50) (SQLSTATE 22001)`, "users.email"},
		{"another length", `ERROR: value too long for type character varying(500) (SQLSTATE 22001)`, ""},
		{"a longer name", `ERROR: column "name_v2" does not exist (SQLSTATE 42703)`, ""},
		{"the name in a passing output", `ok  shop  0.01s (users.name_v2 added)`, ""},
	} {
		var got []string
		for _, c := range Implicated(changes, tc.output) {
			got = append(got, c.Object)
		}
		if strings.Join(got, ",") != tc.want {
			t.Errorf("%s: Implicated = %q, want %q\noutput: %s", tc.name, got, tc.want, tc.output)
		}
	}
}

// TestImplicatedDriverOutputs reads the test output of real drivers (pgx,
// lib/pq, psycopg2, node-postgres, JDBC; testdata/drivers/README.md says
// how it was made) after the previous release's queries failed on the
// migrated schema, and expects every change that broke a query named,
// whatever encoding the output wraps the errors in.
func TestImplicatedDriverOutputs(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("testdata/drivers", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	changes := diffOn(t, read("before.sql"), read("after.sql"))
	want := strings.Join([]string{
		"enum mood 'sad'",
		"function touch_user(id integer)",
		"orders",
		"users",
		"users.email",
		"users.legacy_flags",
		"users.nick",
		"users_email_key",
	}, ", ")
	// Fixtures whose errors appear only escaped: what PostgreSQL wrote is
	// nowhere in them as written.
	escaped := map[string]bool{"pgx-go-test-json.txt": true, "pgx-go-test-quoted.txt": true, "pgx-slog-json.txt": true,
		"libpq-go-test-gostring.txt": true, "psycopg2-json-log.txt": true, "node-postgres-json-log.txt": true}
	fixtures, _ := filepath.Glob("testdata/drivers/fixtures/*")
	if len(fixtures) < 12 {
		t.Fatalf("fixtures: %q", fixtures)
	}
	for _, f := range fixtures {
		out := read(filepath.Join("fixtures", filepath.Base(f)))
		if escaped[filepath.Base(f)] && strings.Contains(out, `column "legacy_flags"`) {
			t.Errorf("%s holds the error as PostgreSQL wrote it: it does not test the decoding", f)
		}
		var got []string
		for _, c := range Implicated(changes, out) {
			got = append(got, c.Object)
		}
		sort.Strings(got)
		if g := strings.Join(got, ", "); g != want {
			t.Errorf("%s: implicated %s\nwant %s", filepath.Base(f), g, want)
		}
	}
}
