package split

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/compat"
	"github.com/phasegate/phasegate/internal/pgtest"
	"github.com/phasegate/phasegate/internal/schema"
	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// server is one PostgreSQL container for the package's tests that run
// the recipes, started by the first of them and removed by TestMain.
var (
	serverOnce sync.Once
	server     *compat.Server
	serverErr  error
)

func TestMain(m *testing.M) {
	// The tests that run the recipes need PostgreSQL; the others do not.
	pgtest.Announce("github.com/phasegate/phasegate/internal/split")
	code := m.Run()
	if server != nil {
		server.Close()
	}
	os.Exit(code)
}

// plan splits the golang-migrate migration up, written on the schema that
// base creates, as phasegate split does it (the catalog before each
// statement, the checker's verdicts).
func plan(t *testing.T, base, up, down string) (*Plan, fstest.MapFS) {
	t.Helper()
	fsys := fstest.MapFS{
		"db/migrations/0001_base.up.sql":   {Data: []byte(base)},
		"db/migrations/0002_change.up.sql": {Data: []byte(up)},
	}
	if down != "" {
		fsys["db/migrations/0002_change.down.sql"] = &fstest.MapFile{Data: []byte(down)}
	}
	return planFiles(t, source.GolangMigrate{}, fsys)
}

// planGoose is plan for goose, which runs a migration statement by
// statement when it says NO TRANSACTION.
func planGoose(t *testing.T, base, up string) (*Plan, fstest.MapFS) {
	t.Helper()
	fsys := fstest.MapFS{
		"db/migrations/00001_base.sql":   {Data: []byte("-- +goose Up\n" + base)},
		"db/migrations/00002_change.sql": {Data: []byte("-- +goose Up\n" + up)},
	}
	return planFiles(t, source.Goose{}, fsys)
}

// planFiles splits the second of the two migrations in fsys.
func planFiles(t *testing.T, f source.Format, fsys fstest.MapFS) (*Plan, fstest.MapFS) {
	t.Helper()
	ms, err := f.List(fsys, "db/migrations")
	if err != nil {
		t.Fatal(err)
	}
	cat := schema.New()
	bf, err := sqltext.Parse(fsys[ms[0].Path].Data, sqltext.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range bf.Statements {
		cat.Apply(s.Node, schema.Origin{Path: ms[0].Path, Line: s.Pos.Line})
	}
	cat.EndSession()
	uf, err := sqltext.Parse(fsys[ms[1].Path].Data, sqltext.Options{})
	if err != nil {
		t.Fatal(err)
	}
	before := map[int]*schema.Catalog{}
	ck := checker.New(cat, checker.Options{Version: 16})
	fr := ck.File(checker.Input{Migration: ms[1], Tx: source.TxImplicit, File: uf,
		Before: func(i int, c *schema.Catalog) { before[i] = c.Clone() }})
	p, err := Split(fsys, ms[1], fr, Options{Format: f, DeferredDir: "db/migrations/deferred", Dir: "db/migrations", Migrations: ms,
		Version: 16, Schema: func(string, int) *schema.Catalog { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Rewritten) != 0 {
		t.Fatal("without the schema, split must not rewrite")
	}
	p, err = Split(fsys, ms[1], fr, Options{Format: f, DeferredDir: "db/migrations/deferred", Dir: "db/migrations", Migrations: ms,
		Version: 16, Schema: func(_ string, i int) *schema.Catalog { return before[i] }})
	if err != nil {
		t.Fatal(err)
	}
	return p, fsys
}

// file returns the new content of a planned file, by suffix.
func (p *Plan) file(t *testing.T, suffix string) string {
	t.Helper()
	for _, c := range p.Changes {
		if strings.HasSuffix(c.Path, suffix) && !c.Delete {
			return c.New
		}
	}
	t.Fatalf("the plan writes no %s: %+v", suffix, p.Changes)
	return ""
}

// database is a new database on the test server.
func database(t *testing.T) *pgx.Conn {
	t.Helper()
	pgtest.Need(t)
	serverOnce.Do(func() {
		compat.LogDocker(nil)
		server, serverErr = compat.StartContainer(context.Background(), compat.ContainerOptions{Image: pgtest.Image(), Labels: map[string]string{"dev.phasegate.test": "split"}})
	})
	if serverErr != nil {
		t.Fatalf("start PostgreSQL: %v", serverErr)
	}
	ctx := context.Background()
	db, err := server.Create(ctx, strings.ToLower(strings.ReplaceAll(t.Name(), "/", "_")), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Drop(context.Background(), db) })
	conn, err := db.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// exec runs SQL the way a tool that sends a file as one query does.
func exec(t *testing.T, conn *pgx.Conn, sql string) {
	t.Helper()
	if _, err := conn.PgConn().Exec(context.Background(), sql).ReadAll(); err != nil {
		t.Fatalf("%v\n%s", err, sql)
	}
}

func rows(t *testing.T, conn *pgx.Conn, query string) string {
	t.Helper()
	rs, err := conn.Query(context.Background(), query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		vals, err := rs.Values()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(vals...))
	}
	if err := rs.Err(); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return strings.Join(out, "; ")
}

const renameBase = `CREATE TABLE users (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    name text NOT NULL DEFAULT 'anonymous' CHECK (name <> ''),
    team text
);
CREATE UNIQUE INDEX users_email_name_key ON users (email, name);
CREATE INDEX users_lower_name_idx ON users (lower(name)) WHERE team IS NOT NULL;
`

// TestRenameColumnSyncsBothReleases runs the rename recipe on
// PostgreSQL: rows that either release writes, by insert or update, with
// a value or with the default, are seen with the same value under both
// names; rows written before the expand are backfilled; the contract then
// applies, and leaves the new name with the old one's indexes, checks and
// NOT NULL.
func TestRenameColumnSyncsBothReleases(t *testing.T) {
	p, _ := plan(t, renameBase, "SET lock_timeout = '5s';\nALTER TABLE users RENAME COLUMN name TO full_name;\n", "")
	if len(p.Rewritten) != 1 {
		t.Fatalf("rewritten: %v", p.Rewritten)
	}
	conn := database(t)
	exec(t, conn, renameBase)
	exec(t, conn, `INSERT INTO users (email, name, team) VALUES ('old@example.com', 'Old', 'a'), ('anon@example.com', DEFAULT, NULL)`)

	// Expand, then the online steps, each file as its tool sends it.
	exec(t, conn, p.file(t, "0002_change.up.sql"))
	var online []string
	for _, c := range p.Changes {
		if strings.HasPrefix(c.Path, "db/migrations/000") && strings.HasSuffix(c.Path, ".up.sql") && !strings.Contains(c.Path, "0002_") {
			online = append(online, c.Path)
		}
	}
	if len(online) != 3 { // the backfill and one build per index on name
		t.Fatalf("online migrations: %v", online)
	}
	for _, path := range online {
		exec(t, conn, p.file(t, path))
	}

	// Release 1 writes name; release 2 writes full_name.
	for _, sql := range []string{
		`INSERT INTO users (email, name) VALUES ('r1@example.com', 'One')`,
		`INSERT INTO users (email) VALUES ('r1-default@example.com')`,
		`INSERT INTO users (email, full_name) VALUES ('r2@example.com', 'Two')`,
		`INSERT INTO users (email) VALUES ('r2-default@example.com')`,
		`INSERT INTO users (email, full_name) VALUES ('r2-explicit-default@example.com', 'anonymous')`,
		`UPDATE users SET name = 'Old, renamed by 1' WHERE email = 'old@example.com'`,
		`UPDATE users SET full_name = 'One, renamed by 2' WHERE email = 'r1@example.com'`,
		`UPDATE users SET name = 'Two, renamed by 1' WHERE email = 'r2@example.com'`,
		`UPDATE users SET team = 'b' WHERE email = 'anon@example.com'`,
	} {
		exec(t, conn, sql)
	}
	if got := rows(t, conn, `SELECT email FROM users WHERE name IS DISTINCT FROM full_name`); got != "" {
		t.Errorf("rows whose names differ: %s\n%s", got, rows(t, conn, "SELECT email, name, full_name FROM users ORDER BY id"))
	}
	want := "anon@example.comanonymous; old@example.comOld, renamed by 1; r1-default@example.comanonymous; r1@example.comOne, renamed by 2; r2-default@example.comanonymous; r2-explicit-default@example.comanonymous; r2@example.comTwo, renamed by 1"
	if got := rows(t, conn, `SELECT email, full_name FROM users ORDER BY email`); got != want {
		t.Errorf("full_name:\n got %s\nwant %s", got, want)
	}
	// The old name's check holds for the new one, NOT VALID until the contract.
	if _, err := conn.Exec(context.Background(), `INSERT INTO users (email, full_name) VALUES ('empty@example.com', '')`); err == nil {
		t.Error("release 2 wrote an empty full_name past the check")
	}

	// The contract.
	exec(t, conn, p.file(t, "deferred/0002_change_contract.up.sql"))
	if got := rows(t, conn, `SELECT column_name, is_nullable FROM information_schema.columns WHERE table_name = 'users' AND column_name IN ('name', 'full_name')`); got != "full_nameNO" {
		t.Errorf("after the contract: %s", got)
	}
	got := rows(t, conn, `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'users' ORDER BY indexname`)
	for _, want := range []string{
		"users_email_name_keyCREATE UNIQUE INDEX users_email_name_key ON public.users USING btree (email, full_name)",
		"users_lower_name_idxCREATE INDEX users_lower_name_idx ON public.users USING btree (lower(full_name)) WHERE (team IS NOT NULL)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("indexes after the contract lack %q:\n%s", want, got)
		}
	}
	if got := rows(t, conn, `SELECT conname, convalidated FROM pg_constraint WHERE conrelid = 'users'::regclass AND contype = 'c'`); got != "users_name_checktrue" {
		t.Errorf("checks after the contract: %s", got)
	}
	if got := rows(t, conn, `SELECT count(*) FROM pg_trigger WHERE tgrelid = 'users'::regclass AND NOT tgisinternal`); got != "0" {
		t.Errorf("triggers left: %s", got)
	}
}

// TestRenameColumnBeforeTheBackfill: between the expand and the end of
// the backfill, the previous release keeps updating rows written before
// the expand, in other columns. A NOT NULL column's twin is NULL in those
// rows, under a CHECK (twin IS NOT NULL) NOT VALID that PostgreSQL
// enforces on every update: the trigger must fill the twin, or each such
// update fails for as long as the backfill of a large table runs. A twin
// filled with the default gets the row's real value too.
func TestRenameColumnBeforeTheBackfill(t *testing.T) {
	for _, c := range []struct{ from, to string }{
		{"email", "email_address"}, // NOT NULL, no default: the twin is NULL
		{"name", "full_name"},      // NOT NULL DEFAULT 'anonymous': the twin is the default
	} {
		t.Run(c.from, func(t *testing.T) {
			p, _ := plan(t, renameBase, "ALTER TABLE users RENAME COLUMN "+c.from+" TO "+c.to+";\n", "")
			conn := database(t)
			exec(t, conn, renameBase)
			exec(t, conn, `INSERT INTO users (email, name, team) VALUES ('old@example.com', 'Old', 'a'), ('other@example.com', 'Other', 'a')`)
			exec(t, conn, p.file(t, "0002_change.up.sql"))

			// The previous release, before the backfill has run.
			exec(t, conn, `UPDATE users SET team = 'b' WHERE email = 'old@example.com'`)
			exec(t, conn, `UPDATE users SET team = 'c'`)
			want := map[string]string{"email": "old@example.comold@example.com; other@example.comother@example.com", "name": "old@example.comOld; other@example.comOther"}[c.from]
			if got := rows(t, conn, `SELECT email, `+c.to+` FROM users ORDER BY email`); got != want {
				t.Errorf("%s after the previous release's updates:\n got %s\nwant %s", c.to, got, want)
			}

			// The rest of the cycle still applies.
			for _, ch := range p.Changes {
				if strings.HasPrefix(ch.Path, "db/migrations/000") && strings.HasSuffix(ch.Path, ".up.sql") && !strings.Contains(ch.Path, "0002_") {
					exec(t, conn, ch.New)
				}
			}
			exec(t, conn, p.file(t, "deferred/0002_change_contract.up.sql"))
			if got := rows(t, conn, `SELECT count(*) FROM users WHERE `+c.to+` IS NULL`); got != "0" {
				t.Errorf("rows without %s after the contract: %s", c.to, got)
			}
		})
	}
}

// TestRenameColumnDownRestoresBoth runs the downs: the contract's brings
// the old column back in sync, and the expand's then leaves the schema
// as it was.
func TestRenameColumnDownRestoresBoth(t *testing.T) {
	p, _ := plan(t, renameBase, "ALTER TABLE users RENAME COLUMN name TO full_name;\n", "ALTER TABLE users RENAME COLUMN full_name TO name;\n")
	conn := database(t)
	exec(t, conn, renameBase)
	exec(t, conn, p.file(t, "0002_change.up.sql"))
	for _, c := range p.Changes {
		if strings.HasPrefix(c.Path, "db/migrations/000") && strings.HasSuffix(c.Path, ".up.sql") && !strings.Contains(c.Path, "0002_") {
			exec(t, conn, c.New)
		}
	}
	exec(t, conn, `INSERT INTO users (email, full_name) VALUES ('a@example.com', 'A')`)
	exec(t, conn, p.file(t, "deferred/0002_change_contract.up.sql"))
	exec(t, conn, p.file(t, "deferred/0002_change_contract.down.sql"))
	exec(t, conn, `INSERT INTO users (email, name) VALUES ('b@example.com', 'B')`)
	if got := rows(t, conn, `SELECT email, name, full_name FROM users ORDER BY email`); got != "a@example.comAA; b@example.comBB" {
		t.Errorf("after the contract's down: %s", got)
	}
	// The contract runs again after its down (a redeploy).
	exec(t, conn, p.file(t, "deferred/0002_change_contract.up.sql"))
	exec(t, conn, p.file(t, "deferred/0002_change_contract.down.sql"))
	for _, c := range p.Changes {
		if strings.HasPrefix(c.Path, "db/migrations/000") && strings.HasSuffix(c.Path, ".down.sql") && !strings.Contains(c.Path, "0002_") {
			exec(t, conn, c.New) // the online steps' downs
		}
	}
	exec(t, conn, p.file(t, "0002_change.down.sql"))
	if got := rows(t, conn, `SELECT column_name FROM information_schema.columns WHERE table_name = 'users' ORDER BY ordinal_position`); got != "id; email; team; name" {
		t.Errorf("after both downs: %s", got)
	}
	// The old column has its indexes and checks again.
	for _, bad := range []string{`INSERT INTO users (email, name) VALUES ('a@example.com', 'A')`, `INSERT INTO users (email, name) VALUES ('c@example.com', '')`} {
		if _, err := conn.Exec(context.Background(), bad); err == nil {
			t.Errorf("after both downs, %s succeeds", bad)
		}
	}
	if got := rows(t, conn, `SELECT indexname FROM pg_indexes WHERE tablename = 'users' ORDER BY 1`); got != "users_email_name_key; users_lower_name_idx; users_pkey" {
		t.Errorf("indexes after both downs: %s", got)
	}
}

// TestRequiredColumnContract: the previous release's inserts work after
// the expand; the contract validates once the rows have a value.
func TestRequiredColumnContract(t *testing.T) {
	base := "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n"
	p, _ := plan(t, base, "ALTER TABLE users ADD COLUMN plan text NOT NULL;\n", "")
	conn := database(t)
	exec(t, conn, base)
	exec(t, conn, p.file(t, "0002_change.up.sql"))
	exec(t, conn, `INSERT INTO users (id, email) VALUES (1, 'old')`) // release 1
	exec(t, conn, `INSERT INTO users (id, email, plan) VALUES (2, 'new', 'pro')`)
	exec(t, conn, `UPDATE users SET plan = 'free' WHERE plan IS NULL`) // the backfill the note asks for
	exec(t, conn, p.file(t, "deferred/0002_change_contract.up.sql"))
	if got := rows(t, conn, `SELECT is_nullable FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'plan'`); got != "NO" {
		t.Errorf("plan is_nullable = %s", got)
	}
	if got := rows(t, conn, `SELECT count(*) FROM pg_constraint WHERE conrelid = 'users'::regclass AND contype = 'c'`); got != "0" {
		t.Errorf("the bridge CHECK is left: %s", got)
	}
}

// splitErr is plan's error, for the refusals.
func splitErr(t *testing.T, base, up string) error {
	t.Helper()
	f := source.GolangMigrate{}
	fsys := fstest.MapFS{"db/migrations/0001_base.up.sql": {Data: []byte(base)}, "db/migrations/0002_change.up.sql": {Data: []byte(up)}}
	ms, _ := f.List(fsys, "db/migrations")
	cat := schema.New()
	bf, err := sqltext.Parse(fsys[ms[0].Path].Data, sqltext.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range bf.Statements {
		cat.Apply(s.Node, schema.Origin{Path: ms[0].Path, Line: s.Pos.Line})
	}
	uf, err := sqltext.Parse(fsys[ms[1].Path].Data, sqltext.Options{})
	if err != nil {
		t.Fatal(err)
	}
	before := map[int]*schema.Catalog{}
	fr := checker.New(cat, checker.Options{}).File(checker.Input{Migration: ms[1], Tx: source.TxImplicit, File: uf,
		Before: func(i int, c *schema.Catalog) { before[i] = c.Clone() }})
	_, err = Split(fsys, ms[1], fr, Options{Format: f, DeferredDir: "db/migrations/deferred", Dir: "db/migrations", Migrations: ms,
		Schema: func(_ string, i int) *schema.Catalog { return before[i] }})
	return err
}

// TestRefusals: what split cannot make safe, it refuses, saying why and
// what to do, and writes nothing.
func TestRefusals(t *testing.T) {
	base := `CREATE TABLE users (id bigint PRIMARY KEY, code uuid DEFAULT gen_random_uuid(), score integer, name text, seq serial);`
	for _, c := range []struct{ up, why, recipe string }{
		{"ALTER TABLE users ALTER COLUMN score TYPE smallint;", "changes a column both releases use under one name", "Change the type through a second column"},
		{"ALTER TABLE users RENAME COLUMN id TO user_id;", "part of the primary key", "Rename it by hand in three steps"},
		{"ALTER TABLE users RENAME COLUMN code TO token;", "the default of users.code is volatile", "Rename it by hand"},
		{"ALTER TABLE users RENAME COLUMN seq TO position;", "serial", "Rename it by hand"},
		{"ALTER TABLE users ADD COLUMN plan text NOT NULL, ADD COLUMN tier text NOT NULL;", "makes 2 changes", "an ALTER TABLE of its own"},
		{"ALTER TABLE users RENAME COLUMN name TO full_name;\nALTER TABLE users RENAME TO members;", "renames or moves the table later in the same migration", "a migration of its own"},
	} {
		err := splitErr(t, base, c.up)
		var r *Refusal
		if !errors.As(err, &r) || !strings.Contains(r.Why, c.why) || !strings.Contains(r.Recipe, c.recipe) || r.Line != 1 {
			t.Errorf("%s:\n got %v\nwant a refusal at line 1 saying %q, with %q", c.up, err, c.why, c.recipe)
		}
	}
}

func TestCodeOf(t *testing.T) {
	block := false
	for _, c := range []struct{ file, line, want string }{
		{"a.go", "// GetUser no longer reads legacy_flags.", ""},
		{"a.go", "q := `SELECT legacy_flags FROM users` // legacy", "q := `SELECT legacy_flags FROM users` "},
		{"a.py", `s = "a # b"  # legacy_flags`, `s = "a # b"  `},
		{"a.go", "x := 1 /* legacy_flags", "x := 1 "},
		{"a.go", "still comment legacy_flags */ y := 2", " y := 2"},
		{"a.sql", `'it''s -- fine' -- no`, `'it''s -- fine' `},
		{"a.yml", "paths: [db/*] # legacy_flags", "paths: [db/*] "},
		{"a.json", `{"a": "legacy_flags # not a comment"}`, `{"a": "legacy_flags # not a comment"}`},
	} {
		if got := codeOf(c.line, commentStyleOf(c.file), &block); got != c.want {
			t.Errorf("codeOf(%s, %q) = %q, want %q", c.file, c.line, got, c.want)
		}
	}
}

// TestRenameColumnKeepsWhatEitherReleaseWrites: a value release 1 writes
// explicitly is never taken for the default, whatever the type (a date
// whose default is now(), a numeric whose default rounds, a timestamp(0)),
// and types without "=" (json) still sync.
func TestRenameColumnKeepsWhatEitherReleaseWrites(t *testing.T) {
	for _, c := range []struct{ def, value string }{
		{"date DEFAULT now()", "'2020-01-01'"},
		{"numeric(10,2) DEFAULT 9.999", "7"},
		{"timestamp(0) DEFAULT CURRENT_TIMESTAMP", "'2020-01-01 10:00:00'"},
		{"json", `'{"a": 1}'`},
		{"xml DEFAULT '<a/>'", "'<b/>'"},
		{"text[] DEFAULT '{}'", "'{x}'"},
	} {
		t.Run(strings.Fields(c.def)[0], func(t *testing.T) {
			base := "CREATE TABLE t (id int PRIMARY KEY, v " + c.def + ");\n"
			p, _ := plan(t, base, "ALTER TABLE t RENAME COLUMN v TO w;\n", "")
			conn := database(t)
			exec(t, conn, base)
			exec(t, conn, `INSERT INTO t (id, v) VALUES (1, `+c.value+`)`)
			exec(t, conn, p.file(t, "0002_change.up.sql"))
			for _, ch := range p.Changes {
				if strings.Contains(ch.Path, "0003_") && strings.HasSuffix(ch.Path, ".up.sql") {
					exec(t, conn, ch.New) // the backfill
				}
			}
			exec(t, conn, `INSERT INTO t (id, v) VALUES (2, `+c.value+`)`) // release 1
			exec(t, conn, `INSERT INTO t (id, w) VALUES (3, `+c.value+`)`) // release 2
			exec(t, conn, `INSERT INTO t (id) VALUES (4)`)                 // either, with the default
			exec(t, conn, `UPDATE t SET v = `+c.value+` WHERE id = 4`)
			if got := rows(t, conn, `SELECT id FROM t WHERE v::text IS DISTINCT FROM w::text OR (id < 4 AND v::text IS DISTINCT FROM (`+c.value+`::`+strings.Fields(c.def)[0]+`)::text)`); got != "" {
				t.Errorf("rows that lost the written value or differ: %s\n%s", got, rows(t, conn, "SELECT id, v::text, w::text FROM t ORDER BY id"))
			}
		})
	}
}

// TestRenameTableKeepsTheRoleWorking: the previous release's role, which
// had privileges on the table, reads and writes through the view of the
// old name.
func TestRenameTableKeepsTheRoleWorking(t *testing.T) {
	base := "CREATE TABLE notes (id int PRIMARY KEY, body text);\n"
	p, _ := plan(t, base, "ALTER TABLE notes RENAME TO memos;\n", "ALTER TABLE memos RENAME TO notes;\n")
	conn := database(t)
	exec(t, conn, base)
	exec(t, conn, `DO $$ BEGIN CREATE ROLE phasegate_app LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`)
	exec(t, conn, `GRANT SELECT, INSERT, UPDATE ON notes TO phasegate_app`)
	exec(t, conn, p.file(t, "0002_change.up.sql"))
	exec(t, conn, `SET ROLE phasegate_app`)
	exec(t, conn, `INSERT INTO notes (id, body) VALUES (1, 'by release 1')`)
	exec(t, conn, `UPDATE notes SET body = 'edited by release 1' WHERE id = 1`)
	exec(t, conn, `INSERT INTO memos (id, body) VALUES (2, 'by release 2')`)
	if got := rows(t, conn, `SELECT id, body FROM notes ORDER BY id`); got != "1edited by release 1; 2by release 2" {
		t.Errorf("through the view: %s", got)
	}
	exec(t, conn, `RESET ROLE`)
	exec(t, conn, p.file(t, "deferred/0002_change_contract.up.sql"))
	exec(t, conn, p.file(t, "deferred/0002_change_contract.down.sql"))
	exec(t, conn, p.file(t, "0002_change.down.sql"))
	if got := rows(t, conn, `SELECT count(*) FROM notes`); got != "2" {
		t.Errorf("after both downs: %s", got)
	}
}

func TestObjectNameStaysApart(t *testing.T) {
	table := "customer_subscription_billing_period_adjustments_history"
	a, b := objectName(table, "amount_cents", "sync"), objectName(table, "amount_currency", "sync")
	if a == b || len(a) > 63 || len(b) > 63 {
		t.Errorf("%q and %q", a, b)
	}
	if got := objectName("users", "name", "sync"); got != "users_name_sync" {
		t.Errorf("a short name changed: %q", got)
	}
	long := objectName(strings.Repeat("é", 40), "sync") // 80 bytes of two-byte characters
	if !utf8.ValidString(long) || len(long) > 63 {
		t.Errorf("%q is cut inside a character", long)
	}
}

// TestBackfillSparesTheTablesTriggersAndTheContractChecksIt: the backfill
// does not fire the table's own triggers (an updated_at), and the
// contract refuses to drop the old column while the backfill has not run.
func TestBackfillSparesTheTablesTriggersAndTheContractChecksIt(t *testing.T) {
	base := `CREATE TABLE users (id int PRIMARY KEY, name text, updated_at timestamptz NOT NULL DEFAULT '2020-01-01');
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();
`
	p, _ := plan(t, base, "ALTER TABLE users RENAME COLUMN name TO full_name;\n", "")
	if !strings.Contains(strings.Join(p.Notes, "\n"), "triggers of its own (users_touch)") {
		t.Errorf("notes: %v", p.Notes)
	}
	conn := database(t)
	exec(t, conn, base)
	exec(t, conn, `INSERT INTO users (id, name) VALUES (1, 'Ada')`)
	exec(t, conn, p.file(t, "0002_change.up.sql"))
	if _, err := conn.Exec(context.Background(), p.file(t, "deferred/0002_change_contract.up.sql")); err == nil || !strings.Contains(err.Error(), "users_full_name_backfilled") {
		t.Fatalf("the contract without the backfill: %v", err)
	}
	if got := rows(t, conn, `SELECT name FROM users`); got != "Ada" {
		t.Fatalf("the refused contract dropped the column: %s", got)
	}
	exec(t, conn, p.file(t, "0003_change_backfill_full_name.up.sql"))
	if got := rows(t, conn, `SELECT full_name, updated_at = '2020-01-01' FROM users`); got != "Adatrue" {
		t.Errorf("after the backfill: %s", got)
	}
	exec(t, conn, p.file(t, "deferred/0002_change_contract.up.sql"))
}

// TestRefusalReadsAsSentences: a refusal's why ends in a full stop (or a
// colon before the lines it introduces), and every line after the first is
// indented by two spaces more than the text it belongs to.
func TestRefusalReadsAsSentences(t *testing.T) {
	for _, c := range []struct {
		r    Refusal
		want string
	}{
		{Refusal{Path: "m/1.sql", Line: 3, Why: "the constraint has no name", Recipe: "Name it.\nThen run split again."},
			"m/1.sql:3: split refuses it: the constraint has no name.\n  Name it.\n  Then run split again."},
		{Refusal{Path: "m/1.sql", Line: 1, Why: "it drops x:\n  a.go:3: x\nDeferred, it breaks.", Recipe: "Stop using it."},
			"m/1.sql:1: split refuses it: it drops x:\n    a.go:3: x\n  Deferred, it breaks.\n  Stop using it."},
		{Refusal{Path: "m/1.sql", Line: 1, Why: "it is done."}, "m/1.sql:1: split refuses it: it is done."},
	} {
		if got := c.r.Error(); got != c.want {
			t.Errorf("Error() =\n%s\nwant\n%s", got, c.want)
		}
	}
}

// TestUniqueConstraintContract: an ADD CONSTRAINT ... UNIQUE over an
// existing column goes to the deferred migration as the check's recipe
// (the index built CONCURRENTLY, then USING INDEX) for a tool that runs
// it statement by statement; the previous release's duplicate writes
// work until then; the contract runs again after a failed build, once
// the duplicates are gone. golang-migrate, which sends a migration of
// several statements as one query, gets the steps instead.
func TestUniqueConstraintContract(t *testing.T) {
	base := "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n"
	change := "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);\n"
	if err := splitErr(t, base, change); err == nil || !strings.Contains(err.Error(), "CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users") || !strings.Contains(err.Error(), "UNIQUE USING INDEX users_email_key") {
		t.Errorf("golang-migrate: %v", err)
	}

	p, _ := planGoose(t, base, change)
	if len(p.Rewritten) != 1 {
		t.Fatalf("rewritten: %v", p.Rewritten)
	}
	contract := p.file(t, "deferred/00002_change_contract.sql")
	if !strings.Contains(contract, "-- +goose NO TRANSACTION") {
		t.Fatalf("the contract runs in a transaction:\n%s", contract)
	}
	conn := database(t)
	exec(t, conn, base)                                          // 00002 is left with nothing to run: split deletes it
	exec(t, conn, `INSERT INTO users VALUES (1, 'a'), (2, 'a')`) // the previous release

	// goose runs the statements of a NO TRANSACTION migration one by one.
	run := func() error {
		f, err := sqltext.Parse([]byte(up(contract)), sqltext.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range f.Statements {
			if _, err := conn.Exec(context.Background(), s.Text); err != nil {
				return fmt.Errorf("%s: %w", s.Text, err)
			}
		}
		return nil
	}
	if err := run(); err == nil {
		t.Fatal("the contract went through with duplicates")
	}
	// What the deferred migration's comment says to do before running it again.
	if !strings.Contains(contract, "DROP INDEX CONCURRENTLY users_email_key") {
		t.Errorf("the contract does not say how to drop the invalid index:\n%s", contract)
	}
	exec(t, conn, `DELETE FROM users WHERE id = 2`)
	exec(t, conn, `DROP INDEX CONCURRENTLY users_email_key`)
	if err := run(); err != nil {
		t.Fatalf("the contract again, without duplicates: %v", err)
	}
	if got := rows(t, conn, `SELECT conname, contype::text FROM pg_constraint WHERE conrelid = 'users'::regclass ORDER BY 1`); got != "users_email_keyu; users_pkeyp" {
		t.Errorf("constraints after the contract: %s", got)
	}
	if _, err := conn.Exec(context.Background(), `INSERT INTO users VALUES (3, 'a')`); err == nil {
		t.Error("a duplicate went in after the contract")
	}

	// An index of that name exists (PostgreSQL would name the constraint
	// users_email_key1): split refuses rather than take it for the
	// constraint's.
	taken := base + "CREATE UNIQUE INDEX users_email_key ON users (lower(email));\n"
	if err := splitErr(t, taken, "ALTER TABLE users ADD UNIQUE (email);\n"); err == nil || !strings.Contains(err.Error(), "has a relation of that name") {
		t.Errorf("a taken name: %v", err)
	}
	// A partitioned table cannot be indexed CONCURRENTLY: moved as written.
	parted := "CREATE TABLE events (k bigint, at date) PARTITION BY RANGE (at);\n"
	p, _ = planGoose(t, parted, "ALTER TABLE events ADD CONSTRAINT events_k_at_key UNIQUE (k, at);\n")
	if len(p.Rewritten) != 0 || strings.Contains(p.file(t, "deferred/00002_change_contract.sql"), "CONCURRENTLY") {
		t.Errorf("partitioned: rewritten %v\n%s", p.Rewritten, p.file(t, "deferred/00002_change_contract.sql"))
	}
}

// up is the Up section of a goose migration.
func up(goose string) string {
	if i := strings.Index(goose, "-- +goose Down"); i >= 0 {
		return goose[:i]
	}
	return goose
}
