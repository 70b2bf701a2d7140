package schema

import (
	"reflect"
	"slices"
	"testing"

	pg "github.com/phasegate/phasegate/internal/pgtree"
)

// TestReach holds Reach to drop and rename: every object a DROP, or a
// type's RENAME, removes or changes is one Reach names (an index by its
// table's name or its own), or Reach says it cannot name them.
func TestReach(t *testing.T) {
	base := `
CREATE SCHEMA app;
CREATE TABLE users (id bigserial PRIMARY KEY, email text);
CREATE INDEX users_email_idx ON users (email);
CREATE TABLE orders (id serial PRIMARY KEY, user_id bigint REFERENCES users (id));
CREATE VIEW active_users AS SELECT id, email FROM users;
CREATE VIEW user_emails AS SELECT email FROM active_users;
CREATE VIEW email_count AS SELECT count(*) FROM user_emails;
CREATE VIEW order_view AS SELECT id FROM orders;
CREATE MATERIALIZED VIEW user_stats AS SELECT count(*) FROM users;
CREATE TYPE mood AS ENUM ('ok');
CREATE TABLE moods (m mood);
CREATE TABLE more_moods (id int, m public.mood, n mood[]);
CREATE DOMAIN email AS text;
CREATE TABLE mails (e email);
CREATE DOMAIN id_t AS bigint;
CREATE TABLE keyed (id id_t);
CREATE SEQUENCE keyed_seq OWNED BY keyed.id;
CREATE SEQUENCE counter;
CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE TABLE app.things (id int);
`
	for _, c := range []struct {
		sql  string
		name bool // Reach names what it changes
	}{
		{"DROP VIEW active_users CASCADE;", true},
		{"DROP VIEW active_users, order_view CASCADE;", true},
		{"DROP VIEW IF EXISTS nosuch CASCADE;", true},
		{"DROP TABLE users CASCADE;", true},
		{"DROP TABLE users;", true},
		{"DROP TABLE orders, users CASCADE;", true},
		{"DROP MATERIALIZED VIEW user_stats CASCADE;", true},
		{"DROP FUNCTION f() CASCADE;", true},
		{"DROP TYPE mood CASCADE;", true},
		{"DROP TYPE mood;", true},
		{"DROP DOMAIN id_t CASCADE;", true},
		{"ALTER TYPE mood RENAME TO feeling;", true},
		{"ALTER TYPE public.mood RENAME TO feeling;", true},
		{"ALTER DOMAIN email RENAME TO mail;", true},
		{"ALTER TABLE users RENAME TO people;", false},
		{"DROP SEQUENCE counter CASCADE;", false},
		{"DROP SCHEMA app CASCADE;", false},
		{"DROP INDEX users_email_idx CASCADE;", false},
	} {
		t.Run(c.sql, func(t *testing.T) {
			before := replay(t, base, Origin{})
			tree, err := pg.Parse(c.sql)
			if err != nil {
				t.Fatal(err)
			}
			names, ok := before.Reach(tree.Stmts[0].Stmt)
			if ok != c.name {
				t.Fatalf("Reach ok = %v, want %v (names %v)", ok, c.name, names)
			}
			if !ok {
				return
			}
			// Both sides are copies, so that a difference is the drop's,
			// not the copy's (an empty map where there was none).
			after := before.Clone()
			after.Apply(tree.Stmts[0].Stmt, Origin{})
			before = before.Clone()
			named := func(q QName) bool { return slices.Contains(names, q) }
			check := func(kind string, q QName, changed bool, alsoBy QName) {
				if changed && !named(q) && !named(alsoBy) {
					t.Errorf("%s %s changed, but Reach names only %v", kind, q, names)
				}
			}
			for q, v := range before.Tables {
				check("table", q, !reflect.DeepEqual(v, after.Tables[q]), QName{})
			}
			for q, v := range before.Views {
				check("view", q, !reflect.DeepEqual(v, after.Views[q]), QName{})
			}
			for q, v := range before.Indexes {
				check("index", q, !reflect.DeepEqual(v, after.Indexes[q]), v.Table)
			}
			for q, v := range before.Sequences {
				check("sequence", q, !reflect.DeepEqual(v, after.Sequences[q]), QName{})
			}
			for q, v := range before.Functions {
				check("function", q, !reflect.DeepEqual(v, after.Functions[q]), QName{})
			}
			for q, v := range before.Types {
				check("type", q, !reflect.DeepEqual(v, after.Types[q]), QName{})
			}
			if len(names) == 0 && c.sql != "DROP VIEW IF EXISTS nosuch CASCADE;" {
				t.Error("Reach named nothing")
			}
		})
	}
}
