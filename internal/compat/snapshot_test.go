package compat

import (
	"context"
	"strings"
	"testing"
)

// diffOn builds before on a database, clones it, runs after on the clone
// and diffs the two catalogs.
func diffOn(t *testing.T, before, after string) []Change {
	t.Helper()
	ctx := context.Background()
	prev, err := shared.Create(ctx, "diff_prev", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shared.Drop(ctx, prev)
	exec := func(db *Database, sql string) *Snapshot {
		conn, err := db.Connect(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if err := execSimple(ctx, conn, sql); err != nil {
			t.Fatalf("%v\n%s", err, sql)
		}
		s, err := TakeSnapshot(ctx, conn)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	ps := exec(prev, before)
	next, err := shared.Create(ctx, "diff_next", prev)
	if err != nil {
		t.Fatal(err)
	}
	defer shared.Drop(ctx, next)
	return Diff(ps, exec(next, after))
}

func render(cs []Change) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Kind+" "+c.Object+" "+c.Change+" "+c.Detail)
	}
	return strings.Join(out, "\n")
}

func TestDiffTellsRenamesFromDrops(t *testing.T) {
	got := render(diffOn(t, `
CREATE TABLE users (id int PRIMARY KEY, name text, email varchar(255), bio text DEFAULT '', age int);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE TABLE gone (id int);
CREATE TABLE old_name (id int);
CREATE VIEW v AS SELECT id FROM users;
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'SELECT a';
CREATE TABLE schema_migrations (version bigint);
`, `
ALTER TABLE users RENAME COLUMN name TO full_name;
ALTER TABLE users DROP COLUMN age;
ALTER TABLE users ALTER COLUMN email TYPE varchar(50);
ALTER TABLE users ALTER COLUMN bio SET NOT NULL;
ALTER TABLE users ADD COLUMN nick text;
ALTER TABLE users ADD CONSTRAINT id_positive CHECK (id > 0) NOT VALID;
DROP INDEX users_email_key;
DROP TABLE gone;
ALTER TABLE old_name RENAME TO new_name;
DROP VIEW v;
ALTER TYPE mood RENAME VALUE 'ok' TO 'fine';
DROP FUNCTION f(int);
DROP TABLE schema_migrations;
`))
	want := strings.Join([]string{
		"enum label enum mood 'ok' renamed renamed to 'fine'",
		"function function f(a integer) removed ",
		"table gone removed ",
		"table old_name renamed renamed to new_name",
		"table users narrowed new constraint id_positive CHECK ((id > 0)) NOT VALID",
		"column users.age removed ",
		"column users.bio narrowed now NOT NULL",
		"column users.email narrowed type character varying(255) → character varying(50)",
		"column users.name renamed renamed to full_name",
		"unique index users_email_key removed on users",
		"view v removed ",
	}, "\n")
	if got != want {
		t.Errorf("diff:\n%s\nwant:\n%s", got, want)
	}
}

func TestServerNeverTouchesOtherDatabases(t *testing.T) {
	ctx := context.Background()
	if _, err := shared.admin.Exec(ctx, "CREATE DATABASE users_production"); err != nil {
		t.Fatal(err)
	}
	defer shared.admin.Exec(ctx, "DROP DATABASE users_production")
	srv, err := Connect(ctx, sharedURL(), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Drop(ctx, &Database{Name: "users_production", server: srv}); err == nil || !strings.Contains(err.Error(), "phasegate did not create it") {
		t.Errorf("Drop of a foreign database: %v", err)
	}
	db, err := srv.Create(ctx, "mine", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(db.Name, "phasegate_") {
		t.Errorf("database name %q", db.Name)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	var n int
	shared.admin.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", db.Name).Scan(&n)
	if n != 0 {
		t.Error("Close left the run's database")
	}
	shared.admin.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = 'users_production'").Scan(&n)
	if n != 1 {
		t.Error("the foreign database is gone")
	}
}

// A --database-url without sslmode (pgx's "prefer") to a server without
// TLS: phasegate connected in plaintext, and so must the suite, whatever
// it reads (DATABASE_URL or the PG* variables).
func TestSuiteConnectsAsPhasegateDid(t *testing.T) {
	ctx := context.Background()
	srv, err := Connect(ctx, strings.TrimSuffix(sharedURL(), "?sslmode=disable"), "")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	env := strings.Join((&Database{Name: "d", server: srv}).Env(nil), " ")
	if !strings.Contains(env, "PGSSLMODE=disable") || !strings.Contains(env, "sslmode=disable") {
		t.Errorf("env = %s", env)
	}
	for conn, want := range map[string]string{
		"postgres://u@h/db?sslmode=verify-full": "verify-full",
		"host=h sslmode='verify-ca' user=u":     "verify-ca",
		"postgres://u@h/db":                     "",
	} {
		if got := sslmodeOf(conn); got != want {
			t.Errorf("sslmodeOf(%q) = %q, want %q", conn, got, want)
		}
	}
}
