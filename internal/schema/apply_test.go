package schema

import (
	"reflect"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	pg "github.com/phasegate/phasegate/internal/pgtree"
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

// Serial and identity columns own an implicit sequence, named as
// PostgreSQL's ChooseRelationName names it, in the table's schema and with
// the column's origin; renames and drops of it, of its column and of its
// table keep the catalog in step.
func TestOwnedSequences(t *testing.T) {
	c := replay(t, `CREATE SCHEMA app; CREATE TABLE app.old (id bigserial, n int);`, Origin{Path: "base.sql", Line: 1})
	apply(t, c, `
CREATE TABLE t9 (id serial PRIMARY KEY, b smallserial, c int GENERATED ALWAYS AS IDENTITY, d int GENERATED BY DEFAULT AS IDENTITY (SEQUENCE NAME d_numbers START 5));
ALTER TABLE app.old ADD COLUMN e bigserial;
ALTER TABLE app.old ALTER COLUMN n ADD GENERATED ALWAYS AS IDENTITY;
CREATE TABLE t10 (id int);
CREATE TABLE t10_id_seq (x int);
ALTER TABLE t10 ADD COLUMN id2 serial, ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;
`, Origin{New: true, Path: "new.sql", Line: 1})
	seq := func(schema, name string) *Object { return c.Sequences[QName{Schema: schema, Name: name}] }
	checkSeq := func(o *Object, owner QName, col string, isNew bool) {
		t.Helper()
		if o == nil {
			t.Fatalf("sequence missing; sequences: %v", c.Sequences)
		}
		if o.Owner != owner || o.OwnerColumn != col || o.Origin.New != isNew {
			t.Errorf("sequence %v: owner %v.%s new %v, want %v.%s new %v", o.Name, o.Owner, o.OwnerColumn, o.Origin.New, owner, col, isNew)
		}
	}
	app := func(n string) QName { return QName{Schema: "app", Name: n} }
	checkSeq(seq("app", "old_id_seq"), app("old"), "id", false)
	checkSeq(seq("public", "t9_id_seq"), q("t9"), "id", true)
	checkSeq(seq("public", "t9_b_seq"), q("t9"), "b", true)
	checkSeq(seq("public", "t9_c_seq"), q("t9"), "c", true)
	checkSeq(seq("public", "d_numbers"), q("t9"), "d", true)
	checkSeq(seq("app", "old_e_seq"), app("old"), "e", true)
	checkSeq(seq("app", "old_n_seq"), app("old"), "n", true) // ADD GENERATED creates it now
	checkSeq(seq("public", "t10_id2_seq"), q("t10"), "id2", true)
	checkSeq(seq("public", "t10_id_seq1"), q("t10"), "id", true) // t10_id_seq is taken by a table
	if len(c.Sequences) != 9 {
		t.Errorf("sequences: %v", c.Sequences)
	}

	// The reviewer's case: the change renames and drops the sequence of the
	// table it creates; both find the new sequence.
	apply(t, c, `ALTER SEQUENCE t9_id_seq RENAME TO t9_seq;`, Origin{New: true})
	checkSeq(seq("public", "t9_seq"), q("t9"), "id", true)
	if seq("public", "t9_id_seq") != nil {
		t.Error("renamed sequence kept its old name")
	}
	apply(t, c, `DROP SEQUENCE t9_seq CASCADE;`, Origin{New: true})
	if seq("public", "t9_seq") != nil {
		t.Error("DROP SEQUENCE kept it")
	}

	// Renaming the table or column keeps the ownership; dropping the
	// column, the identity or the table drops the sequence.
	apply(t, c, `ALTER TABLE app.old RENAME TO older; ALTER TABLE app.older RENAME COLUMN e TO e2;`, Origin{New: true})
	checkSeq(seq("app", "old_e_seq"), app("older"), "e2", true)
	apply(t, c, `ALTER TABLE app.older DROP COLUMN e2; ALTER TABLE app.older ALTER COLUMN n DROP IDENTITY;`, Origin{New: true})
	if seq("app", "old_e_seq") != nil || seq("app", "old_n_seq") != nil || seq("app", "old_id_seq") == nil {
		t.Errorf("drop column / identity: %v", c.Sequences)
	}
	apply(t, c, `DROP TABLE t9; ALTER TABLE app.older SET SCHEMA public;`, Origin{New: true})
	if seq("public", "t9_b_seq") != nil || seq("public", "t9_c_seq") != nil || seq("public", "d_numbers") != nil {
		t.Errorf("DROP TABLE kept its sequences: %v", c.Sequences)
	}
	checkSeq(seq("public", "old_id_seq"), q("older"), "id", false) // SET SCHEMA moves owned sequences along

	// A temp table's sequence is temporary too.
	apply(t, c, `CREATE TEMP TABLE scratch (id serial);`, Origin{Path: "base.sql"})
	checkSeq(seq("public", "scratch_id_seq"), q("scratch"), "id", true)
	c.EndSession()
	if seq("public", "scratch_id_seq") != nil {
		t.Error("EndSession kept the temp table's sequence")
	}

	// OWNED BY ties a sequence to a column like serial does.
	apply(t, c, `CREATE TABLE t11 (id bigint); CREATE SEQUENCE s11 OWNED BY t11.id; CREATE SEQUENCE s12; ALTER SEQUENCE s12 OWNED BY t11.id; ALTER SEQUENCE s12 OWNED BY NONE; DROP TABLE t11;`, Origin{New: true})
	if seq("public", "s11") != nil || seq("public", "s12") == nil {
		t.Errorf("OWNED BY: %v", c.Sequences)
	}
}

// PostgreSQL's makeObjectName shortens the longer part first, byte by
// byte, and never splits a character.
func TestMakeObjectName(t *testing.T) {
	a40, b30 := strings.Repeat("a", 40), strings.Repeat("b", 30)
	cases := []struct{ name1, name2, label, want string }{
		{"t9", "id", "seq", "t9_id_seq"},
		// 40+30 bytes, 58 available: a is cut to 30, then b and a in turn.
		{a40, b30, "seq", strings.Repeat("a", 29) + "_" + strings.Repeat("b", 29) + "_seq"},
		{strings.Repeat("t", 70), "id", "seq", strings.Repeat("t", 56) + "_id_seq"},
		{"id", strings.Repeat("c", 70), "seq", "id_" + strings.Repeat("c", 56) + "_seq"},
		// byte 56 falls inside the 28th é: the name is clipped to 55 bytes.
		{"x" + strings.Repeat("é", 35), "id", "seq", "x" + strings.Repeat("é", 27) + "_id_seq"},
		{strings.Repeat("t", 62), "", "pkey", strings.Repeat("t", 58) + "_pkey"},
	}
	for _, tc := range cases {
		got := makeObjectName(tc.name1, tc.name2, tc.label)
		if got != tc.want {
			t.Errorf("makeObjectName(%q, %q, %q) = %q, want %q", tc.name1, tc.name2, tc.label, got, tc.want)
		}
		if len(got) > maxIdentifier {
			t.Errorf("makeObjectName(%q, %q) is %d bytes", tc.name1, tc.name2, len(got))
		}
	}
	c := replay(t, `CREATE TABLE `+strings.Repeat("t", 63)+` (`+strings.Repeat("c", 63)+` serial);`, Origin{})
	if len(c.Sequences) != 1 || c.Sequences[q(strings.Repeat("t", 29)+"_"+strings.Repeat("c", 29)+"_seq")] == nil {
		t.Errorf("sequences: %v", c.Sequences)
	}
}

// search_path: "$user", pg_catalog and pg_temp are skipped for creation,
// existing objects are looked up along the whole path, set_config is read,
// and every file starts with the default path.
func TestSearchPathList(t *testing.T) {
	c := replay(t, `CREATE TABLE users (id bigint, email text); CREATE SCHEMA app; CREATE TABLE app.accounts (id bigint);`, Origin{Path: "base.sql", Line: 1})
	app := func(n string) QName { return QName{Schema: "app", Name: n} }

	apply(t, c, `SET search_path = "$user", public; CREATE TABLE a1 (id int);`, Origin{New: true})
	if c.Table(q("a1")) == nil {
		t.Errorf(`SET search_path = "$user", public put a1 elsewhere: %v`, c.Tables)
	}

	apply(t, c, `SET search_path TO app, public;
CREATE TABLE a2 (id int);
ALTER TABLE users ADD COLUMN nick text;
ALTER TABLE accounts ADD COLUMN plan text;
CREATE TABLE users (x int);
CREATE INDEX users_email_idx ON users (x);`, Origin{New: true})
	if c.Table(app("a2")) == nil {
		t.Errorf("a2 not created in app: %v", c.Tables)
	}
	if u := c.Table(q("users")); u == nil || u.Column("nick") == nil || u.Origin.New {
		t.Errorf("ALTER TABLE users did not find public.users: %+v", u)
	}
	if a := c.Table(app("accounts")); a == nil || a.Column("plan") == nil {
		t.Errorf("ALTER TABLE accounts did not find app.accounts: %+v", a)
	}
	if u := c.Table(app("users")); u == nil || !u.Origin.New || u.Column("x") == nil {
		t.Errorf("CREATE TABLE users must create app.users in front of public.users: %+v", u)
	}
	if ix := c.Indexes[app("users_email_idx")]; ix == nil || ix.Table != app("users") {
		t.Errorf("index on users must find app.users first: %v", c.Indexes)
	}

	c.EndSession()
	apply(t, c, `CREATE TABLE b1 (id int);`, Origin{New: true})
	if c.Table(q("b1")) == nil {
		t.Errorf("the search path of the previous file leaked: %v", c.Tables)
	}

	apply(t, c, `SELECT set_config('search_path', '"App2", app, public', false); CREATE TABLE c1 (id int); DROP TABLE accounts;`, Origin{New: true})
	if c.Table(QName{Schema: "App2", Name: "c1"}) == nil || c.Table(app("accounts")) != nil {
		t.Errorf("set_config('search_path', ...) not read: %v", c.Tables)
	}
	apply(t, c, `SELECT pg_catalog.set_config('search_path', 'app', true); CREATE TABLE c2 (id int);`, Origin{New: true})
	if c.Table(QName{Schema: "App2", Name: "c2"}) == nil {
		t.Errorf("a transaction-local set_config changed the session's path: %v", c.Tables)
	}
	apply(t, c, `SET search_path = pg_catalog, pg_temp, app; CREATE TABLE c3 (id int); RESET search_path; CREATE TABLE c4 (id int);
SET search_path = app; SET search_path TO DEFAULT; CREATE TABLE c5 (id int); SET search_path = app; RESET ALL; CREATE TABLE c6 (id int);`, Origin{New: true})
	if c.Table(app("c3")) == nil || c.Table(q("c4")) == nil || c.Table(q("c5")) == nil || c.Table(q("c6")) == nil {
		t.Errorf("pg_catalog/pg_temp/RESET: %v", c.Tables)
	}
	apply(t, c, `CREATE SCHEMA s2 CREATE TABLE inner_t (id int) CREATE VIEW inner_v AS SELECT * FROM inner_t, users; CREATE TABLE c7 (id int);`, Origin{New: true})
	if v := c.Views[QName{Schema: "s2", Name: "inner_v"}]; c.Table(QName{Schema: "s2", Name: "inner_t"}) == nil || v == nil ||
		len(v.Reads) != 2 || v.Reads[0] != (QName{Schema: "s2", Name: "inner_t"}) || v.Reads[1] != q("users") || c.Table(q("c7")) == nil {
		t.Errorf("CREATE SCHEMA elements: tables %v views %v", c.Tables, c.Views)
	}

	apply(t, c, `SELECT set_config('search_path', current_setting('x'), false);`, Origin{Path: "f.sql", Line: 3})
	if len(c.Gaps) != 1 || !strings.Contains(c.Gaps[0].Reason, "search_path") {
		t.Errorf("gaps = %+v", c.Gaps)
	}
}

func TestParseSearchPath(t *testing.T) {
	cases := map[string]string{
		`"$user", public`:        `$user|public`,
		`app,public`:             `app|public`,
		`  App ,  "My ""S"" x" `: `app|My "S" x`,
		``:                       ``,
		`'quoted'`:               `'quoted'`,
	}
	for in, want := range cases {
		if got := strings.Join(ParseSearchPath(in), "|"); got != want {
			t.Errorf("ParseSearchPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// A DO block's statements are replayed in the order the body has them: an
// IF's then-branch before its ELSIF and ELSE branches.
func TestDoBlockReplayOrder(t *testing.T) {
	c := replay(t, `
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_tables WHERE tablename = 'accounts') THEN
    CREATE TABLE accounts (id bigint PRIMARY KEY, name text);
  ELSE
    ALTER TABLE accounts ADD COLUMN plan text;
  END IF;
END $$;`, Origin{Path: "f.sql", Line: 1})
	a := c.Table(q("accounts"))
	if a == nil || a.Incomplete || a.Column("id") == nil || a.Column("name") == nil || a.Constraints["accounts_pkey"] == nil {
		t.Errorf("the ELSE branch was replayed before the THEN branch: %+v", a)
	}

	body, err := ParseDo(mustDo(t, `DO $$
BEGIN
  IF a THEN
    CREATE TABLE t1 ();
  ELSIF b THEN
    CREATE TABLE t2 ();
  ELSIF c THEN
    CREATE TABLE t3 ();
  ELSE
    CREATE TABLE t4 ();
  END IF;
  CASE WHEN d THEN CREATE TABLE t5 (); ELSE CREATE TABLE t6 (); END CASE;
  CREATE TABLE t7 ();
EXCEPTION WHEN others THEN
  CREATE TABLE t8 ();
END $$`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range body.Stmts {
		got = append(got, s.Node.GetCreateStmt().GetRelation().GetRelname())
	}
	if strings.Join(got, ",") != "t1,t2,t3,t4,t5,t6,t7,t8" {
		t.Errorf("DO body statements in order %v", got)
	}
}

// Only a SELECT without FROM calls a function for its effect; aggregates
// and built-ins never count.
func TestCalledFunction(t *testing.T) {
	cases := map[string]string{
		"SELECT migrate_tenants()":                                    "migrate_tenants",
		"SELECT app.length('x')":                                      "length",
		"SELECT lower(my_fn())":                                       "my_fn",
		"SELECT max(length(email)) FROM users":                        "",
		"SELECT my_fn(id) FROM users":                                 "",
		"SELECT length('x'), format('%s', 1), now(), coalesce(1, 2)":  "",
		"SELECT pg_catalog.set_config('search_path', '', false)":      "",
		"SELECT setval('s', 1), nextval('s'), pg_advisory_lock(1)":    "",
		"SELECT count(*), my_agg(x ORDER BY x)":                       "",
		"SELECT (SELECT max(id) FROM users)":                          "",
		"SELECT jsonb_build_object('a', 1), date_trunc('day', now())": "",
	}
	for sql, want := range cases {
		tree, err := pg.Parse(sql)
		if err != nil {
			t.Fatal(err)
		}
		if got := CalledFunction(tree.Stmts[0].Stmt.GetSelectStmt()); got != want {
			t.Errorf("CalledFunction(%s) = %q, want %q", sql, got, want)
		}
	}
}

func TestQuoteIdent(t *testing.T) {
	for in, want := range map[string]string{
		"users": "users", "UserProfile": `"UserProfile"`, "user": `"user"`, "order": `"order"`,
		"name": "name", "1abc": `"1abc"`, "a b": `"a b"`, `we"ird`: `"we""ird"`, "_x9": "_x9", "": `""`,
	} {
		if got := QuoteIdent(in); got != want {
			t.Errorf("QuoteIdent(%q) = %s, want %s", in, got, want)
		}
	}
	if got := (QName{Schema: "App", Name: "t"}).SQL(); got != `"App".t` {
		t.Errorf("SQL() = %s", got)
	}
}

// A renamed type takes its columns with it: a new type under the old name
// is another type.
func TestTypeRenameFollowsColumns(t *testing.T) {
	c := replay(t, `CREATE TYPE vis AS ENUM ('a'); CREATE TABLE community (v vis, w vis[]);
ALTER TYPE vis RENAME TO vis_old; CREATE TYPE vis AS ENUM ('a', 'b');`, Origin{})
	tbl := c.Table(q("community"))
	if got := tbl.Column("v").Type.Name; got != "vis_old" {
		t.Errorf("column type after rename = %s, want vis_old", got)
	}
	if got := tbl.Column("w").Type; got.Name != "vis_old" || !got.Array {
		t.Errorf("array column type after rename = %+v", got)
	}
}

// TestSettle: after Settle, no object of any kind is new. The catalog is
// walked by reflection, so a kind of object added later without Settle
// learning of it fails here.
func TestSettle(t *testing.T) {
	c := replay(t, `
CREATE SCHEMA app;
CREATE TYPE mood AS ENUM ('ok', 'sad');
CREATE TABLE users (id bigserial PRIMARY KEY, email text UNIQUE, m mood, org_id bigint CHECK (org_id > 0));
CREATE INDEX users_email_idx ON users (email);
CREATE VIEW active AS SELECT id FROM users;
CREATE SEQUENCE tickets;
CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER t BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION f();
CREATE EXTENSION pgcrypto;
`, Origin{New: true, Path: "1.sql", Line: 1})
	if n := countNew(reflect.ValueOf(c)); n == 0 {
		t.Fatal("the replay created no new object: the test checks nothing")
	}
	c.Settle()
	if n := countNew(reflect.ValueOf(c)); n != 0 {
		t.Errorf("%d objects are still new after Settle", n)
	}
}

// countNew counts the Origins with New set reachable from v.
func countNew(v reflect.Value) int {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return 0
		}
		return countNew(v.Elem())
	case reflect.Struct:
		if o, ok := v.Interface().(Origin); ok {
			if o.New {
				return 1
			}
			return 0
		}
		n := 0
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				n += countNew(v.Field(i))
			}
		}
		return n
	case reflect.Slice, reflect.Array:
		n := 0
		for i := 0; i < v.Len(); i++ {
			n += countNew(v.Index(i))
		}
		return n
	case reflect.Map:
		n := 0
		for it := v.MapRange(); it.Next(); {
			n += countNew(it.Value())
		}
		return n
	}
	return 0
}

// TestIndexesKnown: an index the catalog lacks is one production lacks
// only where the history defines every table and no table may carry
// indexes under names phasegate cannot compute.
func TestIndexesKnown(t *testing.T) {
	for _, tc := range []struct {
		sql  string
		want bool
	}{
		{"CREATE TABLE t (id int);", true},
		{"CREATE TABLE t (id int);\nCREATE TABLE u (LIKE t INCLUDING ALL);", false},
		{"CREATE TABLE p (id int, at date) PARTITION BY RANGE (at);\nCREATE TABLE p1 PARTITION OF p FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');", false},
		{"CREATE TABLE p (id int, at date) PARTITION BY RANGE (at);\nCREATE TABLE p1 (id int, at date);\nALTER TABLE p ATTACH PARTITION p1 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');", false},
		{"ALTER TABLE never_created ADD COLUMN x int;", false},
		{"CREATE TABLE t (id int);\nSELECT setup();", false},
		{"CREATE TABLE other.t (id int);", false},
	} {
		if got := replay(t, tc.sql, Origin{}).IndexesKnown("public"); got != tc.want {
			t.Errorf("IndexesKnown(public) after\n%s\n= %v, want %v", tc.sql, got, tc.want)
		}
	}
	if replay(t, "CREATE TABLE t (id int);", Origin{New: true}).IndexesKnown("public") {
		t.Error("a schema with only the change's own tables is known")
	}
}

// TestViewColumns: a view's columns as PostgreSQL names them, for
// comparing a view with the one that replaces it.
func TestViewColumns(t *testing.T) {
	c := replay(t, `
CREATE TABLE users (id int, email text, name text);
CREATE TABLE orgs (id int, title text);
CREATE TABLE LIKE_ME (LIKE users);
CREATE VIEW a AS SELECT id, lower(email), name AS display, email::varchar, 'x'::text, count(*) OVER (), CASE WHEN id > 0 THEN name END, coalesce(name, email), now() AS at FROM users;
CREATE VIEW b AS SELECT * FROM users;
CREATE VIEW c (ident, mail) AS SELECT u.*, o.title FROM users u JOIN orgs o ON o.id = u.id;
CREATE VIEW d AS WITH w AS (SELECT id, title FROM orgs) SELECT w.* FROM w UNION SELECT 1, 'x';
CREATE VIEW e AS SELECT * FROM like_me;
CREATE VIEW f AS SELECT * FROM b;
CREATE MATERIALIZED VIEW m AS SELECT id, email FROM users;
CREATE VIEW g AS SELECT *, (SELECT email FROM users u WHERE u.id = o.id), (SELECT lower(name) FROM users LIMIT 1), (SELECT 1) FROM orgs o, (VALUES (1, 2)) x;
CREATE VIEW h AS SELECT now()::date, 'a'::text, id::text, CASE WHEN id > 0 THEN name ELSE email END FROM users;
`, Origin{})
	for name, want := range map[string][]string{
		"a": {"id", "lower", "display", "email", "text", "count", "case", "coalesce", "at"},
		"b": {"id", "email", "name"},
		"c": {"ident", "mail", "name", "title"},
		"d": {"id", "title"},
		"e": nil,
		"f": {"id", "email", "name"},
		// as PostgreSQL 15 names them (pg_attribute of the same views)
		"g": {"id", "title", "column1", "column2", "email", "lower", "?column?"},
		"h": {"now", "text", "id", "email"},
	} {
		if got := c.Views[q(name)].Columns; !reflect.DeepEqual(got, want) {
			t.Errorf("columns of view %s = %q, want %q", name, got, want)
		}
	}
	if got := c.Tables[q("m")].ViewColumns; !reflect.DeepEqual(got, []string{"id", "email"}) {
		t.Errorf("columns of materialized view m = %q", got)
	}
}

// TestTypeDefinitions: composite types and domains are followed through
// their ALTERs; DROP TYPE ... CASCADE drops the columns of the type.
func TestTypeDefinitions(t *testing.T) {
	c := replay(t, `
CREATE TYPE addr AS (street text, zip int);
ALTER TYPE addr ADD ATTRIBUTE city text, DROP ATTRIBUTE zip, ALTER ATTRIBUTE street TYPE varchar(80);
ALTER TYPE addr RENAME ATTRIBUTE city TO town;
CREATE DOMAIN email AS text NOT NULL CHECK (value LIKE '%@%');
ALTER DOMAIN email DROP NOT NULL;
ALTER DOMAIN email ADD CONSTRAINT email_short CHECK (length(value) < 200);
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE TABLE users (id int, m mood, ms mood[], a addr);
DROP TYPE mood CASCADE;
`, Origin{})
	if got := c.Types[q("addr")].Attrs; len(got) != 2 || got[0].Name != "street" || got[0].Type.String() != "varchar(80)" || got[1].Name != "town" {
		t.Errorf("attributes of addr = %+v", got)
	}
	d := c.Types[q("email")].Domain
	if d == nil || d.NotNull || d.Base.Name != "text" || len(d.Checks) != 2 || d.Checks[1].Name != "email_short" {
		t.Errorf("domain email = %+v", d)
	}
	if u := c.Table(q("users")); u.Column("m") != nil || u.Column("ms") != nil || u.Column("a") == nil {
		t.Errorf("DROP TYPE mood CASCADE left columns %+v", u.Columns)
	}
}

// Unnamed CHECK constraints get PostgreSQL's names: after the one column
// the expression reads, else after the table (checked on PostgreSQL 15).
func TestUnnamedCheckNames(t *testing.T) {
	c := replay(t, `
CREATE TABLE users (id int, a int, b int);
ALTER TABLE users ADD CHECK (id > 0) NOT VALID;
ALTER TABLE users ADD CHECK (a > 0 AND a < 10);
ALTER TABLE users ADD CHECK (a < b);
ALTER TABLE users ADD CHECK (id > 1);
`, Origin{})
	var names []string
	for n := range c.Table(q("users")).Constraints {
		names = append(names, n)
	}
	sort.Strings(names)
	if got := strings.Join(names, " "); got != "users_a_check users_check users_id_check users_id_check1" {
		t.Errorf("names = %s", got)
	}
}

// A generated name longer than 63 bytes is cut as PostgreSQL cuts it: on a
// character boundary, never inside a multi-byte character.
func TestTruncateIdentifier(t *testing.T) {
	long := "xx" + strings.Repeat("é", 31) // 64 bytes
	for in, want := range map[string]string{
		"short":                       "short",
		strings.Repeat("a", 63):       strings.Repeat("a", 63),
		strings.Repeat("a", 70):       strings.Repeat("a", 63),
		long:                          "xx" + strings.Repeat("é", 30),
		"x" + strings.Repeat("日", 30): "x" + strings.Repeat("日", 20), // 61 bytes: the 21st would end at byte 64
	} {
		if got := TruncateIdentifier(in); got != want || !utf8.ValidString(got) {
			t.Errorf("TruncateIdentifier(%q) = %q, want %q", in, got, want)
		}
	}
}
