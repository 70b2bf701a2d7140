package compat

import (
	"fmt"
	"strings"
	"testing"

	"github.com/phasegate/phasegate/internal/capture"
)

// snap builds a catalog: tables "name(col, col...)" in public, or
// "schema.name(...)".
func snap(tables ...string) *Snapshot {
	s := &Snapshot{Relations: map[uint32]Relation{}, Columns: map[colKey]Column{}, Indexes: map[uint32]Index{},
		Checks: map[string]Constraint{}, Functions: map[uint32]Function{}, Enums: map[uint32]EnumLabel{}}
	for i, t := range tables {
		name, cols, _ := strings.Cut(strings.TrimSuffix(t, ")"), "(")
		schema := "public"
		if sc, n, ok := strings.Cut(name, "."); ok {
			schema, name = sc, n
		}
		oid := uint32(1000 + i)
		s.Relations[oid] = Relation{OID: oid, Schema: schema, Name: name, Kind: "r"}
		for j, c := range strings.Split(cols, ",") {
			s.Columns[colKey{oid, int16(j + 1)}] = Column{Rel: oid, Num: int16(j + 1), Name: strings.TrimSpace(c), Type: "text"}
		}
	}
	return s
}

// recorded makes recorded statements: one execution each, "N×" before a
// text repeats it.
func recorded(texts ...string) []capture.Statement {
	var out []capture.Statement
	for _, t := range texts {
		n := 1
		if k, rest, ok := strings.Cut(t, "× "); ok {
			fmt.Sscan(k, &n)
			t = rest
		}
		for range n {
			out = append(out, capture.Statement{Seq: len(out), Conn: 1, SQL: t, Extended: true})
		}
	}
	return out
}

func coverage(c Change) string {
	v := c.Coverage
	if v == nil {
		return "not recorded"
	}
	return fmt.Sprintf("%d statements (%d distinct, %d reads, %d writes, %d unresolved)", v.Statements, v.Distinct, v.Reads, v.Writes, v.Unresolved)
}

// Names are resolved with the catalog: aliases, an unqualified column of a
// one-table query, a column only one table of a join has, SELECT *, INSERT
// without a column list, subqueries and CTEs; what cannot be told is
// counted apart, with why.
func TestProveResolvesNames(t *testing.T) {
	prev := snap("users(id, email, legacy_flags)", "orders(id, user_id, note)", "audit.events(id, payload)")
	next := snap("users(id, email)", "orders(id, user_id, note)", "audit.events(id, payload)")
	changes := Diff(prev, next)
	if len(changes) != 1 || changes[0].Object != "users.legacy_flags" {
		t.Fatalf("changes = %+v", changes)
	}
	for _, c := range []struct {
		sql, want string
	}{
		{"SELECT u.legacy_flags FROM users u WHERE u.id = $1", "1 statements (1 distinct, 1 reads, 0 writes, 0 unresolved)"},
		{"SELECT legacy_flags FROM users", "1 statements (1 distinct, 1 reads, 0 writes, 0 unresolved)"},
		{"SELECT * FROM users", "1 statements (1 distinct, 1 reads, 0 writes, 0 unresolved)"},
		{"SELECT o.* FROM users u JOIN orders o ON o.user_id = u.id", "0 statements (0 distinct, 0 reads, 0 writes, 0 unresolved)"},
		{"SELECT legacy_flags, note FROM users JOIN orders ON orders.user_id = users.id", "1 statements (1 distinct, 1 reads, 0 writes, 0 unresolved)"},
		{"INSERT INTO users VALUES (1, 'a', '')", "1 statements (1 distinct, 0 reads, 1 writes, 0 unresolved)"},
		{"INSERT INTO users (id, email) VALUES (1, 'a')", "0 statements (0 distinct, 0 reads, 0 writes, 0 unresolved)"},
		{"UPDATE users SET legacy_flags = '' WHERE id = 1 RETURNING email", "1 statements (1 distinct, 0 reads, 1 writes, 0 unresolved)"},
		{"SELECT x FROM (SELECT legacy_flags AS x FROM users) s", "1 statements (1 distinct, 1 reads, 0 writes, 0 unresolved)"},
		{"WITH f AS (SELECT id, legacy_flags FROM users) SELECT legacy_flags FROM f", "1 statements (1 distinct, 1 reads, 0 writes, 0 unresolved)"},
		{"SELECT id FROM users WHERE EXISTS (SELECT 1 FROM orders WHERE orders.user_id = users.id AND legacy_flags <> '')", "1 statements (1 distinct, 1 reads, 0 writes, 0 unresolved)"},
		{"INSERT INTO users (id, email) VALUES (1, 'a') ON CONFLICT (id) DO UPDATE SET legacy_flags = excluded.email", "1 statements (1 distinct, 0 reads, 1 writes, 0 unresolved)"},
		{"3× SELECT legacy_flags FROM users WHERE id = $1", "3 statements (1 distinct, 3 reads, 0 writes, 0 unresolved)"},
		// Could not be told: the column of a relation phasegate does not
		// know, and an ambiguous one.
		{"SELECT legacy_flags FROM users_archive", "0 statements (0 distinct, 0 reads, 0 writes, 1 unresolved)"},
		{"SELECT id, legacy_flags FROM users, users_archive", "0 statements (0 distinct, 0 reads, 0 writes, 1 unresolved)"},
	} {
		changes := Diff(prev, next)
		proof := prove(recorded(c.sql), prev, next, changes)
		if got := coverage(changes[0]); got != c.want {
			t.Errorf("%s\n  got  %s\n  want %s (unresolved: %+v)", c.sql, got, c.want, proof.UnresolvedExamples)
		}
		if proof.Vacuous != "" {
			t.Errorf("%s: vacuous: %s", c.sql, proof.Vacuous)
		}
	}
	proof := prove(recorded("SELECT id FROM users JOIN orders USING (id)", "SELECT id FROM users_archive"), prev, next, Diff(prev, next))
	if proof.Recorded != 2 || proof.Unresolved != 2 || len(proof.UnresolvedExamples) != 2 ||
		proof.UnresolvedExamples[0].Why != "column id is in several relations of its query" ||
		proof.UnresolvedExamples[1].Why != "column id may come from users_archive" {
		t.Errorf("unresolved: %+v", proof)
	}
}

// A column made NOT NULL counts the inserts that leave it out (they give it
// NULL, or its default) and the statements that write it; a dropped table
// counts its reads and writes.
func TestProveNarrowedAndDropped(t *testing.T) {
	prev := snap("users(id, email, plan)", "legacy(id)")
	next := snap("users(id, email, plan)")
	for k, c := range next.Columns {
		if c.Name == "plan" {
			c.NotNull = true
			next.Columns[k] = c
		}
	}
	changes := Diff(prev, next)
	prove(recorded("INSERT INTO users (id, email) VALUES (1, 'a')", "INSERT INTO users VALUES (2, 'b', 'pro')", "2× SELECT * FROM legacy"), prev, next, changes)
	got := map[string]string{}
	for _, c := range changes {
		got[c.Object] = coverage(c)
	}
	if got["users.plan"] != "2 statements (2 distinct, 0 reads, 2 writes, 0 unresolved)" || got["legacy"] != "2 statements (1 distinct, 2 reads, 0 writes, 0 unresolved)" {
		t.Errorf("%v", got)
	}
}

// Tests that build the tables they use (create_all(), a runner migrating
// its own database) prove nothing about the migrations; a temporary table
// or a fixture's own table, or a CREATE TABLE IF NOT EXISTS of a table the
// migrated schema has, does not make the proof vacuous.
func TestProveVacuous(t *testing.T) {
	prev := snap("users(id, email, legacy_flags)")
	next := snap("users(id, email)")
	for _, c := range []struct {
		sqls []string
		want string
	}{
		{[]string{"CREATE TABLE users (id bigint, email text, legacy_flags text)", "SELECT legacy_flags FROM users"}, "CREATE TABLE users"},
		{[]string{"CREATE DATABASE test_shop", "SELECT 1"}, "CREATE DATABASE test_shop"},
		{[]string{"DROP TABLE IF EXISTS users CASCADE"}, "DROP TABLE users"},
		{[]string{"ALTER TABLE users ADD COLUMN legacy_flags text"}, "ALTER TABLE users"},
		{[]string{"CREATE TEMP TABLE scratch (id int)", "INSERT INTO scratch VALUES (1)"}, ""},
		{[]string{"CREATE TABLE fixture_rows (id int)", "DROP TABLE fixture_rows"}, ""},
		{[]string{"CREATE TABLE IF NOT EXISTS users (id bigint)"}, ""},
	} {
		stmts := recorded(c.sqls...)
		proof := prove(stmts, prev, next, Diff(prev, next))
		if c.want == "" && proof.Vacuous != "" || c.want != "" && !strings.Contains(proof.Vacuous, c.want) {
			t.Errorf("%q: vacuous = %q, want %q", c.sqls, proof.Vacuous, c.want)
		}
		if c.want == "" && proof.Unresolved != 0 {
			t.Errorf("%q: unresolved %+v", c.sqls, proof.UnresolvedExamples)
		}
	}
	// A statement the server refused ran nothing.
	refused := recorded("CREATE DATABASE test_shop")
	refused[0].Failed = true
	if proof := prove(refused, prev, next, nil); proof.Vacuous != "" {
		t.Errorf("a refused CREATE DATABASE: %q", proof.Vacuous)
	}
}

// A statement the server refused (the column is gone) still shows that the
// tests used the column: it is what the compat scenario's failure is
// about.
func TestProveCountsRefusedStatements(t *testing.T) {
	prev := snap("users(id, email, legacy_flags)")
	next := snap("users(id, email)")
	stmts := recorded("INSERT INTO users (id, email, legacy_flags) VALUES (1, $1, '')")
	stmts[0].Failed, stmts[0].Error = true, `column "legacy_flags" of relation "users" does not exist`
	changes := Diff(prev, next)
	prove(stmts, prev, next, changes)
	if got := coverage(changes[0]); got != "1 statements (1 distinct, 0 reads, 1 writes, 0 unresolved)" {
		t.Errorf("got %s", got)
	}
}
