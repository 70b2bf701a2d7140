package schema

import (
	"strings"
	"testing"

	pg "github.com/pganalyze/pg_query_go/v5"
)

func replay(t *testing.T, sql string, origin Origin) *Catalog {
	t.Helper()
	c := New()
	apply(t, c, sql, origin)
	return c
}

func apply(t *testing.T, c *Catalog, sql string, origin Origin) {
	t.Helper()
	tree, err := pg.Parse(sql)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range tree.Stmts {
		c.Apply(s.Stmt, origin)
	}
}

func q(name string) QName { return QName{Schema: "public", Name: name} }

func TestReplayTablesColumnsTypes(t *testing.T) {
	c := replay(t, `
CREATE TABLE users (id bigserial PRIMARY KEY, email varchar(255) NOT NULL, name text, score numeric(10,2) DEFAULT 0, at timestamp with time zone);
ALTER TABLE users ADD COLUMN bio text, ALTER COLUMN name TYPE varchar(80), ALTER COLUMN name SET NOT NULL;
ALTER TABLE users RENAME COLUMN bio TO about;
ALTER TABLE users DROP COLUMN score;
ALTER TABLE users ALTER COLUMN email DROP NOT NULL;
`, Origin{})
	u := c.Table(q("users"))
	if u == nil {
		t.Fatal("users not replayed")
	}
	var got []string
	for _, col := range u.Columns {
		s := col.Name + " " + col.Type.String()
		if col.NotNull {
			s += " not null"
		}
		if col.HasDefault {
			s += " default"
		}
		got = append(got, s)
	}
	want := "id bigint not null default|email varchar(255)|name varchar(80) not null|at timestamptz|about text"
	if strings.Join(got, "|") != want {
		t.Errorf("columns:\n got %s\nwant %s", strings.Join(got, "|"), want)
	}
	if u.Constraints["users_pkey"] == nil || c.Indexes[q("users_pkey")] == nil {
		t.Errorf("primary key not recorded: %v", u.Constraints)
	}
}

func TestReplayConstraintsAndIndexes(t *testing.T) {
	c := replay(t, `
CREATE TABLE orgs (id int PRIMARY KEY);
CREATE TABLE users (id int, org_id int, email text, UNIQUE (email));
ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID;
ALTER TABLE users ADD CONSTRAINT email_nn CHECK (email IS NOT NULL) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT email_nn;
CREATE INDEX CONCURRENTLY users_org_idx ON users (org_id);
ALTER INDEX users_org_idx RENAME TO users_org_id_idx;
ALTER TABLE users RENAME CONSTRAINT users_org_fk TO users_org_id_fkey;
`, Origin{})
	u := c.Table(q("users"))
	fk := u.Constraints["users_org_id_fkey"]
	if fk == nil || fk.Validated || fk.Refs != q("orgs") || fk.Kind != ForeignKey {
		t.Errorf("fk = %+v", fk)
	}
	if !u.HasValidatedNotNullCheck("email") {
		t.Error("validated CHECK (email IS NOT NULL) not recognised")
	}
	if u.Constraints["users_email_key"] == nil || c.Indexes[q("users_email_key")] == nil {
		t.Errorf("unique constraint name: %v", u.Constraints)
	}
	if ix := c.Indexes[q("users_org_id_idx")]; ix == nil || ix.Table != q("users") {
		t.Errorf("renamed index: %v", c.Indexes)
	}
}

func TestReplayRenamesAndDrops(t *testing.T) {
	c := replay(t, `
CREATE SCHEMA app;
CREATE TABLE app.t (id int);
CREATE VIEW app.v AS WITH x AS (SELECT 1) SELECT * FROM app.t, x;
ALTER TABLE app.t RENAME TO u;
CREATE TYPE mood AS ENUM ('sad', 'ok');
ALTER TYPE mood ADD VALUE 'happy';
ALTER TYPE mood RENAME VALUE 'ok' TO 'fine';
CREATE INDEX t_idx ON app.u (id);
DROP TABLE app.u CASCADE;
`, Origin{})
	if len(c.Tables) != 0 || len(c.Indexes) != 0 {
		t.Errorf("tables %v indexes %v remain after DROP", c.Tables, c.Indexes)
	}
	if len(c.Views) != 0 {
		t.Errorf("DROP ... CASCADE kept views %v", c.Views)
	}
	if m := c.Types[q("mood")]; m == nil || strings.Join(m.Values, ",") != "sad,fine,happy" {
		t.Errorf("enum = %+v", m)
	}
}

func TestViewReadsFollowRenames(t *testing.T) {
	c := replay(t, `CREATE TABLE t (id int); CREATE VIEW v AS SELECT * FROM t; ALTER TABLE t RENAME TO t2;`, Origin{})
	if got := c.ViewsReading(q("t2")); len(got) != 1 || got[0] != q("v") {
		t.Errorf("ViewsReading(t2) = %v", got)
	}
}

func TestOriginAndTemp(t *testing.T) {
	c := replay(t, `CREATE TABLE old (id int);`, Origin{Path: "base"})
	apply(t, c, `CREATE TABLE fresh (id int); ALTER TABLE old ADD COLUMN x int; CREATE TEMP TABLE scratch AS SELECT 1;`, Origin{New: true})
	if c.Table(q("old")).Origin.New || !c.Table(q("fresh")).Origin.New || !c.Table(q("old")).Column("x").Origin.New {
		t.Error("origins not kept")
	}
	apply(t, c, `CREATE TEMP TABLE scratch2 (id int);`, Origin{})
	if s := c.Table(q("scratch2")); s == nil || !s.Origin.New {
		t.Error("a temp table from the history must count as new")
	}
	c.EndSession()
	if c.Table(q("scratch")) != nil || c.Table(q("scratch2")) != nil {
		t.Error("EndSession kept temp tables")
	}
}

func TestGapsAndSearchPath(t *testing.T) {
	c := replay(t, `SET search_path TO app, public; CREATE TABLE t (id int); DO $$ BEGIN EXECUTE 'CREATE TABLE ' || 'x ()'; END $$; SELECT my_fn(); SELECT set_config('x', 'y', false);`, Origin{Path: "f.sql", Line: 1})
	if c.Table(QName{Schema: "app", Name: "t"}) == nil {
		t.Errorf("search_path ignored: %v", c.Tables)
	}
	if len(c.Gaps) != 2 || !strings.Contains(c.Gaps[0].Reason, "dynamic SQL (EXECUTE, line 1") || !strings.Contains(c.Gaps[1].Reason, "function") {
		t.Errorf("gaps = %+v", c.Gaps)
	}
}

func TestTypeOf(t *testing.T) {
	cases := map[string]string{
		"int": "integer", "integer": "integer", "int8": "bigint", "character varying(10)": "varchar(10)",
		"double precision": "double precision", "float(10)": "real", "decimal(5,2)": "numeric(5,2)",
		"timestamp(3) without time zone": "timestamp(3)", "text[]": "text[]", "public.mood": "mood", "app.mood": "app.mood",
		"char(2)": "char(2)", "bool": "boolean",
	}
	for in, want := range cases {
		tree, err := pg.Parse("CREATE TABLE t (c " + in + ")")
		if err != nil {
			t.Fatal(err)
		}
		def := tree.Stmts[0].Stmt.GetCreateStmt().TableElts[0].GetColumnDef()
		if got := TypeOf(def.TypeName).String(); got != want {
			t.Errorf("TypeOf(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestDoBlocksAreReplayed(t *testing.T) {
	c := replay(t, `
DO $$
DECLARE r record;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN
    CREATE TYPE mood AS ENUM ('sad', 'ok');
  END IF;
  CREATE TABLE t (id int, m mood);
  EXECUTE 'ALTER TABLE t ADD COLUMN note text';
  FOR r IN SELECT id FROM t LOOP
    UPDATE t SET id = r.id;
  END LOOP;
END $$;
DO LANGUAGE plperl $$ print 1 $$;
DO $$ BEGIN this is not plpgsql; END $$;`, Origin{Path: "f.sql", Line: 1})
	tbl := c.Table(q("t"))
	if tbl == nil || tbl.Column("note") == nil || c.Types[q("mood")] == nil {
		t.Fatalf("DO block not replayed: %+v", tbl)
	}
	if len(c.Gaps) != 2 || !strings.Contains(c.Gaps[0].Reason, "plperl") || !strings.Contains(c.Gaps[1].Reason, "does not parse") {
		t.Errorf("gaps = %+v", c.Gaps)
	}
	body, err := ParseDo(mustDo(t, "DO $$ BEGIN UPDATE t SET a = 1; EXECUTE format('DROP TABLE %I', 'x'); PERFORM f(); END $$"))
	if err != nil || len(body.Stmts) != 2 || len(body.Dynamic) != 1 || body.Dynamic[0] != 1 {
		t.Errorf("ParseDo = %+v, %v", body, err)
	}
}

func mustDo(t *testing.T, sql string) *pg.DoStmt {
	t.Helper()
	tree, err := pg.Parse(sql)
	if err != nil {
		t.Fatal(err)
	}
	return tree.Stmts[0].Stmt.GetDoStmt()
}

// Creating an object that exists fails or is skipped in PostgreSQL, so the
// catalog keeps the existing object and its origin. Guarded creates in DO
// blocks (EXCEPTION WHEN duplicate_table) are the common way to get here.
func TestCreateKeepsExistingObjects(t *testing.T) {
	c := replay(t, `CREATE TABLE users (id bigint, legacy text); CREATE TYPE mood AS ENUM ('sad');
CREATE VIEW v AS SELECT id FROM users; CREATE TABLE other (id int); CREATE DOMAIN d AS int;`, Origin{Path: "base.sql", Line: 1})
	apply(t, c, `DO $$ BEGIN
  CREATE TABLE users (id bigint, email text);
EXCEPTION WHEN duplicate_table THEN NULL;
END $$;
DO $$ BEGIN CREATE TYPE mood AS ENUM ('happy'); EXCEPTION WHEN duplicate_object THEN NULL; END $$;
CREATE TABLE IF NOT EXISTS users (x int);
CREATE VIEW v AS SELECT id FROM other;
CREATE DOMAIN d AS text;
ALTER TABLE users ADD COLUMN IF NOT EXISTS legacy jsonb;
ALTER TABLE users ADD COLUMN id int;`, Origin{New: true, Path: "new.sql"})
	u := c.Table(q("users"))
	if u.Origin.New || u.Column("email") != nil || u.Column("legacy").Origin.New || u.Column("legacy").Type.String() != "text" || u.Column("id").Origin.New {
		t.Errorf("users replaced: %+v", u)
	}
	if ty := c.Types[q("mood")]; ty.Origin.New || strings.Join(ty.Values, ",") != "sad" {
		t.Errorf("mood replaced: %+v", ty)
	}
	if v := c.Views[q("v")]; v.Origin.New || len(v.Reads) != 1 || v.Reads[0] != q("users") {
		t.Errorf("view replaced: %+v", v)
	}
	if c.Types[q("d")].Origin.New {
		t.Error("domain replaced")
	}
	apply(t, c, `CREATE OR REPLACE VIEW v AS SELECT u.id FROM users u JOIN other o USING (id);`, Origin{New: true})
	if v := c.Views[q("v")]; v.Origin.New || len(v.Reads) != 2 {
		t.Errorf("CREATE OR REPLACE VIEW: %+v", v)
	}
}
