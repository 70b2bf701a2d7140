package source

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/phasegate/phasegate/internal/sqltext"
)

func fsOf(files ...string) fstest.MapFS {
	m := fstest.MapFS{}
	for i := 0; i < len(files); i += 2 {
		m[files[i]] = &fstest.MapFile{Data: []byte(files[i+1])}
	}
	return m
}

func paths(ms []Migration) string {
	var out []string
	for _, m := range ms {
		s := m.Path
		if m.Skip != "" {
			s += "(skip)"
		}
		if m.Kind == Repeatable {
			s += "(R)"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

func TestListAndDetect(t *testing.T) {
	cases := []struct {
		format string
		dir    string
		fsys   fstest.MapFS
		want   string
	}{
		{"golang-migrate", "db/migrations", fsOf(
			"db/migrations/10_c.up.sql", "", "db/migrations/2_b.up.sql", "", "db/migrations/2_b.down.sql", "",
			"db/migrations/0001_a.up.sql", "", "db/migrations/README.md", ""),
			"db/migrations/0001_a.up.sql db/migrations/2_b.up.sql db/migrations/10_c.up.sql"},
		{"goose", "migrations", fsOf(
			"migrations/20230102000000_b.sql", "-- +goose Up\nSELECT 1;", "migrations/3_a.go", "package x",
			"migrations/1_a.sql", "-- +goose Up\nSELECT 1;", "migrations/notes.txt", ""),
			"migrations/1_a.sql migrations/3_a.go(skip) migrations/20230102000000_b.sql"},
		{"flyway", "sql", fsOf(
			"sql/V1__init.sql", "", "sql/V1.10__later.sql", "", "sql/sub/V1.9__nested.sql", "", "sql/V1_2__two.sql", "",
			"sql/R__views.sql", "", "sql/R__a_funcs.sql", "", "sql/U1.10__undo.sql", ""),
			"sql/V1__init.sql sql/V1_2__two.sql sql/sub/V1.9__nested.sql sql/V1.10__later.sql sql/R__a_funcs.sql(R) sql/R__views.sql(R)"},
		{"dbmate", "db/migrations", fsOf(
			"db/migrations/20200102_b.sql", "-- migrate:up\n", "db/migrations/20200101_a.sql", "-- migrate:up\n"),
			"db/migrations/20200101_a.sql db/migrations/20200102_b.sql"},
		{"prisma", "prisma/migrations", fsOf(
			"prisma/migrations/20230102000000_b/migration.sql", "", "prisma/migrations/20230101000000_a/migration.sql", "",
			"prisma/migrations/migration_lock.toml", ""),
			"prisma/migrations/20230101000000_a/migration.sql prisma/migrations/20230102000000_b/migration.sql"},
		{"diesel", "migrations", fsOf(
			"migrations/2019-02-27-170003_b/up.sql", "", "migrations/2019-02-27-170003_b/down.sql", "",
			"migrations/00000000000000_diesel_initial_setup/up.sql", ""),
			"migrations/00000000000000_diesel_initial_setup/up.sql migrations/2019-02-27-170003_b/up.sql"},
		{"pop", "sql", fsOf(
			"sql/2_b.postgres.up.sql", "", "sql/2_b.up.sql", "", "sql/2_b.mysql.up.sql", "", "sql/1_a.up.fizz", "",
			"sql/3_c.autocommit.up.sql", ""),
			"sql/1_a.up.fizz(skip) sql/2_b.postgres.up.sql sql/3_c.autocommit.up.sql"},
		{"sqitch", "db", fsOf("db/sqitch.plan", `%syntax-version=1.0.0
%project=flipr

appschema 2013-12-30T23:19:32Z Marge <marge@example.com> # Add schema.
users [appschema] 2013-12-30T23:49:00Z Marge <marge@example.com> # Users.
@v1.0 2013-12-31T00:00:00Z Marge <marge@example.com> # Tag v1.0.
users [users@v1.0] 2014-01-01T00:00:00Z Marge <marge@example.com> # Rework users.
`), "db/deploy/appschema.sql db/deploy/users@v1.0.sql db/deploy/users.sql"},
		{"sql-migrate", "db", fsOf(
			"db/10_c.sql", "-- +migrate Up\nSELECT 1;", "db/2_b.sql", "-- +migrate Up\nSELECT 1;", "db/2_a.sql", "-- +migrate Up\nSELECT 1;",
			"db/zz_named.sql", "-- +migrate Up\nSELECT 1;", "db/1-a.sql", "-- +migrate Up\nSELECT 1;", "db/README.md", ""),
			"db/1-a.sql db/2_a.sql db/2_b.sql db/10_c.sql db/zz_named.sql"},
		{"atlas", "migrations", fsOf(
			"migrations/20240102000000_b.sql", "", "migrations/20240101000000_a.sql", "", "migrations/atlas.sum", "h1:x\n"),
			"migrations/20240101000000_a.sql migrations/20240102000000_b.sql"},
		{"liquibase", "db/changelog", fsOf(
			"db/changelog/changes/002_b.sql", "--liquibase formatted sql\n--changeset a:2\nSELECT 1;",
			"db/changelog/changes/001_a.sql", "-- liquibase formatted sql\n--changeset a:1\nSELECT 1;",
			"db/changelog/db.changelog-master.yaml", "databaseChangeLog:\n  - includeAll:\n      path: changes/\n",
			"db/changelog/changes/notes.sql", "SELECT 'not a changelog';"),
			"db/changelog/changes/001_a.sql db/changelog/changes/002_b.sql"},
		{"plain", "schema/versioned", fsOf(
			"schema/versioned/v1.10/a.sql", "", "schema/versioned/v1.9/b.sql", "", "schema/versioned/v1.9/a.sql", "",
			"schema/versioned/v1.0/schema.sql", "", "schema/versioned/v1.9/a.down.sql", ""),
			"schema/versioned/v1.0/schema.sql schema/versioned/v1.9/a.sql schema/versioned/v1.9/b.sql schema/versioned/v1.10/a.sql"},
	}
	for _, c := range cases {
		t.Run(c.format, func(t *testing.T) {
			f, err := Detect(c.fsys, c.dir)
			if err != nil {
				t.Fatal(err)
			}
			if f.Name() != c.format {
				t.Fatalf("Detect = %s, want %s", f.Name(), c.format)
			}
			ms, err := f.List(c.fsys, c.dir)
			if err != nil {
				t.Fatal(err)
			}
			if got := paths(ms); got != c.want {
				t.Errorf("List =\n  %s\nwant\n  %s", got, c.want)
			}
		})
	}
}

// A misspelt format name is answered with the nearest names, as a
// misspelt flag or config key is.
func TestLookupSuggests(t *testing.T) {
	for name, want := range map[string]string{
		"flywya":         `unknown migration format "flywya"; did you mean "flyway"? The formats are sqitch, atlas,`,
		"golang_migrate": `unknown migration format "golang_migrate"; did you mean "golang-migrate"? The formats are`,
		"rails":          `unknown migration format "rails"; the formats are sqitch, atlas,`,
	} {
		_, err := Lookup(name)
		if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), ", plain, capture") {
			t.Errorf("Lookup(%q) = %v, want %s...", name, err, want)
		}
	}
	if f, err := Lookup("flyway"); err != nil || f.Name() != "flyway" {
		t.Errorf("Lookup(flyway) = %v, %v", f, err)
	}
}

// A format that lists nothing where another tool's files are is the
// wrong format, not a directory without migrations: NoMigrations says
// which tool's files they are. A directory with no migration file at all
// (a project before its first) is none of that.
func TestNoMigrations(t *testing.T) {
	for _, c := range []struct {
		name   string
		fsys   fstest.MapFS
		format Format
		want   string // "" for nil
	}{
		{"golang-migrate read as flyway", fsOf("m/0001_a.up.sql", "", "m/0001_a.down.sql", "", "m/0002_b.up.sql", ""), Flyway{},
			"m holds no flyway migration: its files are named as golang-migrate names migrations (such as m/0001_a.up.sql); give the format golang-migrate, or none to detect it"},
		{"flyway read as goose", fsOf("m/V1__a.sql", ""), Goose{},
			"m holds no goose migration: its files are named as flyway names migrations (such as m/V1__a.sql); give the format flyway, or none to detect it"},
		{"no tool's names", fsOf("m/schema.sql", "", "m/data.sql", ""), GolangMigrate{},
			"m holds .sql files, none named as golang-migrate names migrations nor as another tool does (such as m/data.sql); check the format: docs/formats.md shows each format's file names"},
		{"no file yet", fsOf("m/.gitkeep", ""), Flyway{}, ""},
		{"no .sql file", fsOf("m/README.md", "", "m/0001_a.down.sql", ""), GolangMigrate{}, ""},
		{"no directory", fsOf("other/0001_a.up.sql", ""), Flyway{}, ""},
		{"the format's own, empty", fsOf("m/sqitch.plan", "%syntax-version=1.0.0\n%project=p\n"), Sqitch{}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if ms, err := c.format.List(c.fsys, "m"); len(ms) != 0 || err != nil {
				t.Fatalf("%s lists %v, %v: not a case of NoMigrations", c.format.Name(), ms, err)
			}
			err := NoMigrations(c.fsys, "m", c.format)
			switch {
			case c.want == "" && err != nil:
				t.Errorf("err = %v, want nil", err)
			case c.want != "" && (err == nil || err.Error() != c.want):
				t.Errorf("err = %v\nwant %s", err, c.want)
			}
		})
	}
	_, err := Detect(fsOf("m/README.md", ""), "m")
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Format != "" || err.Error() != "no migrations found in m: no .sql files of a known format; if migrations are there, give their format" {
		t.Errorf("Detect: %v", err)
	}
	fe.Fix = "set X"
	if !strings.HasSuffix(err.Error(), "; set X") {
		t.Errorf("Fix not used: %v", err)
	}
}

func TestDuplicateVersionsAreErrors(t *testing.T) {
	fsys := fsOf("m/1_a.up.sql", "", "m/001_b.up.sql", "")
	if _, err := (GolangMigrate{}).List(fsys, "m"); err == nil || !strings.Contains(err.Error(), "also used by") {
		t.Errorf("err = %v", err)
	}
	fsys = fsOf("m/V1__a.sql", "", "m/V1.0__b.sql", "")
	if _, err := (Flyway{}).List(fsys, "m"); err == nil || !strings.Contains(err.Error(), "also used by") {
		t.Errorf("flyway err = %v", err)
	}
}

func TestScripts(t *testing.T) {
	goose := "-- +goose Up\n-- +goose NO TRANSACTION\nCREATE INDEX CONCURRENTLY i ON t (a);\n-- +goose Down\nDROP INDEX i;\n"
	s, err := (Goose{}).Script(Migration{}, []byte(goose))
	if err != nil || s.Tx != TxNone || len(s.Regions) != 1 {
		t.Fatalf("goose script = %+v, %v", s, err)
	}
	if up := goose[s.Regions[0].Start:s.Regions[0].End]; strings.Contains(up, "DROP") || !strings.Contains(up, "CONCURRENTLY") {
		t.Errorf("goose up region = %q", up)
	}
	_, err = (Goose{}).Script(Migration{}, []byte("CREATE TABLE t ();"))
	var se *sqltext.Error
	if !errors.As(err, &se) {
		t.Errorf("goose without Up: err = %v", err)
	}
	// goose's StatementBegin/End must pair up, as goose's own parser demands.
	block := "-- +goose Up\n-- +goose StatementBegin\nDO $$ BEGIN NULL; END $$;\n-- +goose StatementEnd\nSELECT 1;\n"
	s, err = (Goose{}).Script(Migration{}, []byte(block))
	if err != nil || len(s.Blocks) != 1 || block[s.Blocks[0].Start:s.Blocks[0].End] != "-- +goose StatementBegin\nDO $$ BEGIN NULL; END $$;\n-- +goose StatementEnd\n" {
		t.Errorf("goose blocks = %+v, %v", s.Blocks, err)
	}
	for src, want := range map[string]string{
		"-- +goose Up\nSELECT 1;\n-- +goose StatementEnd\n":                            "3:1: \"-- +goose StatementEnd\" without",
		"-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n":                          "2:1: \"-- +goose StatementBegin\" has no",
		"-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n-- +goose Down\nSELECT 2;": "2:1: \"-- +goose StatementBegin\" has no",
	} {
		if _, err := (Goose{}).Script(Migration{}, []byte(src)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("goose %q: err = %v, want %q", src, err, want)
		}
	}
	// sql-migrate: several Up sections, notransaction, and a lenient StatementEnd.
	sm := "-- +migrate Up notransaction\nCREATE INDEX CONCURRENTLY i ON t (a);\n-- +migrate Down\nDROP INDEX i;\n-- +migrate Up\n-- +migrate StatementBegin\nDO $$ BEGIN NULL; END $$;\n-- +migrate StatementEnd\n-- +migrate StatementEnd\n"
	s, err = (SQLMigrate{}).Script(Migration{}, []byte(sm))
	if err != nil || s.Tx != TxNone || len(s.Regions) != 2 || len(s.Blocks) != 1 || strings.Contains(sm[s.Regions[0].Start:s.Regions[0].End], "DROP") || !strings.Contains(sm[s.Regions[1].Start:s.Regions[1].End], "DO $$") {
		t.Errorf("sql-migrate script = %+v, %v", s, err)
	}
	for src, want := range map[string]string{
		"SELECT 1;\n": `has no "-- +migrate Up" section`,
		"-- +migrate Up\n-- +migrate StatementBegin\nSELECT 1;\n": `"-- +migrate StatementBegin" has no`,
		"-- +migrate \nSELECT 1;\n":                               "1:1: incomplete sql-migrate command",
	} {
		if _, err := (SQLMigrate{}).Script(Migration{}, []byte(src)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("sql-migrate %q: err = %v, want %q", src, err, want)
		}
	}
	// Atlas: txmode none, only in the opening comment block ended by a
	// blank line, as Atlas reads it.
	for src, want := range map[string]TxMode{
		"-- atlas:txmode none\n\nCREATE INDEX CONCURRENTLY i ON t (a);\n":                     TxNone,
		"-- phasegate:deferred\n--   after: release\n-- atlas:txmode none\n\nDROP INDEX i;\n": TxNone,
		"-- atlas:txmode none\nCREATE INDEX CONCURRENTLY i ON t (a);\n":                       TxFile,
		"CREATE INDEX CONCURRENTLY i ON t (a);\n-- atlas:txmode none\n":                       TxFile,
	} {
		if s, _ := (Atlas{}).Script(Migration{}, []byte(src)); s.Tx != want {
			t.Errorf("atlas %q: tx %v, want %v", src, s.Tx, want)
		}
	}
	// Liquibase: changesets are the regions; other databases, ignored lines and
	// the header are not.
	lb := `--liquibase formatted sql
--changeset ann:1
CREATE TABLE t (id int);
--rollback DROP TABLE t;
--changeset ann:2 dbms:mysql
ALTER TABLE t ENGINE = InnoDB;
--changeset ann:3 runInTransaction:false dbms:postgresql,h2
--ignoreLines:start
SELECT 'skipped';
--ignoreLines:end
CREATE INDEX CONCURRENTLY i ON t (id);
`
	s, err = (Liquibase{}).Script(Migration{}, []byte(lb))
	var got []string
	for _, r := range s.Regions {
		got = append(got, strings.TrimSpace(lb[r.Start:r.End]))
	}
	if err != nil || s.Tx != TxNone || strings.Join(got, "|") != "CREATE TABLE t (id int);\n--rollback DROP TABLE t;|CREATE INDEX CONCURRENTLY i ON t (id);" {
		t.Errorf("liquibase regions = %q, tx %v, %v", got, s.Tx, err)
	}
	if a, id := LiquibaseChangeset([]byte(lb)); a != "ann" || id != "1" {
		t.Errorf("LiquibaseChangeset = %s, %s", a, id)
	}
	dbmate := "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (a);\n\n-- migrate:down\nDROP INDEX i;\n"
	s, err = (Dbmate{}).Script(Migration{}, []byte(dbmate))
	if err != nil || s.Tx != TxImplicit || strings.Contains(dbmate[s.Regions[0].Start:s.Regions[0].End], "DROP") {
		t.Errorf("dbmate script = %+v, %v", s, err)
	}
	s, _ = (Dbmate{}).Script(Migration{}, []byte("-- migrate:up\nSELECT 1;\n"))
	if s.Tx != TxFile {
		t.Errorf("dbmate default tx = %v", s.Tx)
	}
	fsys := fsOf("m/1_a/up.sql", "", "m/1_a/metadata.toml", "run_in_transaction = false\n")
	ms, _ := (Diesel{}).List(fsys, "m")
	if s, _ := (Diesel{}).Script(ms[0], nil); s.Tx != TxImplicit {
		t.Errorf("diesel metadata.toml ignored: %v", s.Tx)
	}
	// A metadata.toml without the key turns the transaction off too.
	fsys = fsOf("m/1_a/up.sql", "", "m/1_a/metadata.toml", "# nothing\n", "m/2_b/up.sql", "")
	ms, _ = (Diesel{}).List(fsys, "m")
	if !ms[0].NoTx || ms[1].NoTx {
		t.Errorf("diesel NoTx = %v, %v; want true, false", ms[0].NoTx, ms[1].NoTx)
	}
}

func TestNaturalOrder(t *testing.T) {
	for _, c := range [][2]string{{"v1.9", "v1.10"}, {"2_a", "10_a"}, {"a", "b"}, {"x1", "x1a"}} {
		if !naturalLess(c[0], c[1]) || naturalLess(c[1], c[0]) {
			t.Errorf("naturalLess(%q, %q) wrong", c[0], c[1])
		}
	}
}

// corpora returns the shared corpus of real migration histories, which is
// not part of the repository.
func corpora(t *testing.T) string {
	dir := os.Getenv("PHASEGATE_CORPORA")
	if dir == "" {
		if os.Getenv("PHASEGATE_REQUIRE_CORPORA") != "" {
			t.Fatal("PHASEGATE_CORPORA is not set, and PHASEGATE_REQUIRE_CORPORA says the corpus tests must run; .ci/run sets it to ../shared/corpora")
		}
		t.Skip("PHASEGATE_CORPORA is not set: the corpus tests are opt-in (point it at the shared corpora to run them)")
	}
	return dir
}

func TestCorpora(t *testing.T) {
	root := corpora(t)
	want := map[string]struct {
		format string
		files  int
	}{
		"harbor-golang-migrate":                 {"golang-migrate", 39},
		"openfga-goose":                         {"goose", 6},
		"conductor-flyway":                      {"flyway", 18},
		"documenso-prisma":                      {"prisma", 163},
		"umami-prisma":                          {"prisma", 19},
		"lemmy-diesel":                          {"diesel", 342},
		"kratos-pop":                            {"pop", 0},
		"temporal-versioned/temporal/versioned": {"plain", 0},
	}
	fsys := os.DirFS(root)
	for dir, w := range want {
		f, err := Detect(fsys, dir)
		if err != nil {
			t.Errorf("%s: %v", dir, err)
			continue
		}
		ms, err := f.List(fsys, dir)
		if err != nil {
			t.Errorf("%s: %v", dir, err)
			continue
		}
		if f.Name() != w.format || (w.files > 0 && len(ms) != w.files) || len(ms) == 0 {
			t.Errorf("%s: %s with %d migrations, want %s with %d", dir, f.Name(), len(ms), w.format, w.files)
		}
		for _, m := range ms {
			if m.Skip != "" {
				continue
			}
			src, err := os.ReadFile(filepath.Join(root, m.Path))
			if err != nil {
				t.Errorf("%s: %v", m.Path, err)
				continue
			}
			if _, err := f.Script(m, src); err != nil {
				t.Errorf("%s: %v", m.Path, err)
			}
		}
	}
}

func TestNextPath(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)
	cases := []struct {
		f    Namer
		ms   []Migration
		want string
	}{
		{GolangMigrate{}, []Migration{{Version: "0001"}, {Version: "0012"}}, "m/0013_drop_name.up.sql"},
		{GolangMigrate{}, []Migration{{Version: "20240101120000"}}, "m/20261122103000_drop_name.up.sql"},
		{GolangMigrate{}, []Migration{{Version: "20991231000000"}}, "m/20991231000001_drop_name.up.sql"},
		{GolangMigrate{}, nil, "m/1_drop_name.up.sql"},
		{Goose{}, []Migration{{Version: "00007"}}, "m/00008_drop_name.sql"},
		{Flyway{}, []Migration{{Version: "1"}, {Version: "18.3"}, {Version: "9"}, {Kind: Repeatable}}, "m/V19__drop_name.sql"},
		{Prisma{}, []Migration{{Version: "20230101000000"}}, "m/20261122103000_drop_name/migration.sql"},
		{Dbmate{}, []Migration{{Version: "20261122103000"}}, "m/20261122103001_drop_name.sql"},
		{Diesel{}, []Migration{{Version: "2019-02-26-002946"}}, "m/2026-11-22-103000_drop_name/up.sql"},
	}
	for _, c := range cases {
		if got := c.f.NextPath("m", c.ms, "Drop name!", now); got != c.want {
			t.Errorf("%T.NextPath = %s, want %s", c.f, got, c.want)
		}
	}
}

// AtlasSum writes what "atlas migrate hash" writes. The algorithm was
// checked against an atlas.sum Atlas wrote in a public repository
// (1995parham-teaching/tinyurl at 5e349f9: same bytes); this pins it.
func TestAtlasSum(t *testing.T) {
	fsys := fsOf(
		"m/20240101000000_a.sql", "CREATE TABLE t (id int);\n",
		"m/20240102000000_b.sql", "-- atlas:sum ignore\nSELECT 1;\n",
		"m/20240103000000_c.sql", "ALTER TABLE t ADD COLUMN n text;\n",
		"m/notes.txt", "not hashed")
	sum, err := AtlasSum(fsys, "m")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(sum)), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "h1:") || !strings.HasPrefix(lines[1], "20240101000000_a.sql h1:") || !strings.HasPrefix(lines[2], "20240103000000_c.sql h1:") {
		t.Fatalf("atlas.sum =\n%s", sum)
	}
	fsys["m/atlas.sum"] = &fstest.MapFile{Data: sum}
	if err := CheckAtlasSum(fsys, "m"); err != nil {
		t.Errorf("CheckAtlasSum of a fresh sum: %v", err)
	}
	fsys["m/20240103000000_c.sql"] = &fstest.MapFile{Data: []byte("ALTER TABLE t ADD COLUMN n int;\n")}
	if err := CheckAtlasSum(fsys, "m"); err == nil || !strings.Contains(err.Error(), "run atlas migrate hash") {
		t.Errorf("CheckAtlasSum after an edit: %v", err)
	}
}

// Alembic revisions apply parents first (a merge after both parents), ties
// by id; helper modules in the directory are not revisions.
func TestAlembicOrder(t *testing.T) {
	rev := func(id, down string) string {
		return "from alembic import op\nrevision = '" + id + "'\ndown_revision = " + down + "\n\ndef upgrade():\n    pass\n"
	}
	fsys := fsOf(
		"m/versions/c_merge.py", rev("c3", "('b1', 'a2')"),
		"m/versions/a_root.py", rev("a1", "None"),
		"m/versions/b_branch.py", rev("b1", "'a1'"),
		"m/versions/a_second.py", rev("a2", `"a1"`),
		"m/versions/helpers.py", "def util():\n    pass\n",
		"m/versions/z_last.py", "revision: str = 'z9'\ndown_revision: Union[str, None] = 'c3'\n",
		"m/versions/y_merge.py", "revision = 'y8'\ndown_revision = (\n    'z9',\n    'b1',\n)\n",
	)
	if !(Alembic{}).Detect(fsys, "m/versions") {
		t.Fatal("Detect")
	}
	ms, err := (Alembic{}).List(fsys, "m/versions")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range ms {
		ids = append(ids, m.Version)
	}
	if got := strings.Join(ids, " "); got != "a1 a2 b1 c3 z9 y8" {
		t.Errorf("order = %s", got)
	}
	fsys["m/versions/d_dangling.py"] = &fstest.MapFile{Data: []byte(rev("d4", "'nope'"))}
	if _, err := (Alembic{}).List(fsys, "m/versions"); err == nil || !strings.Contains(err.Error(), "down_revision nope is not a revision") {
		t.Errorf("dangling down_revision: %v", err)
	}
}

// A revision whose autocommit_block commits Alembic's transaction runs as
// the explicit transactions of its SQL, also when the follow-up moved it
// with its deferral header, which its SQL keeps in front.
func TestAlembicExplicitTxAfterHeader(t *testing.T) {
	for _, c := range []struct {
		src  string
		want TxMode
	}{
		{AlembicExplicitTx + "COMMIT;\nCREATE INDEX CONCURRENTLY i ON t (a);\nBEGIN;\nCOMMIT;\n", TxNone},
		{"-- phasegate:deferred\n--   after: release\n\n" + AlembicExplicitTx + "COMMIT;\nBEGIN;\nCOMMIT;\n", TxNone},
		{"-- phasegate:deferred\n--   after: release\nALTER TABLE t DROP COLUMN a;\n", TxFile},
	} {
		sc, err := (Alembic{}).Script(Migration{}, []byte(c.src))
		if err != nil || sc.Tx != c.want {
			t.Errorf("Script(%q) = %v, %v; want %v", c.src, sc.Tx, err, c.want)
		}
	}
}

// Django migrations apply after their dependencies, across apps; helpers
// and __init__ are not migrations; atomic = False runs without a
// transaction.
func TestDjangoOrder(t *testing.T) {
	mig := func(deps string, extra string) string {
		return "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n" + extra + "    dependencies = [" + deps + "]\n\n    operations = []\n"
	}
	fsys := fsOf(
		"proj/manage.py", "",
		"proj/shop/orders/migrations/__init__.py", "",
		"proj/shop/orders/migrations/0001_initial.py", mig(`("accounts", "0002_b")`, ""),
		"proj/accounts/migrations/0001_initial.py", mig("", ""),
		"proj/accounts/migrations/0002_b.py", mig(`("accounts", "0001_initial"), ("auth", "0012_x")`, "    atomic = False\n"),
		"proj/accounts/migrations/helpers.py", "def f():\n    pass\n",
		"proj/billing/migrations/0001_initial.py", mig(`("orders", "__first__")`, ""),
	)
	if !(Django{}).Detect(fsys, "proj") {
		t.Fatal("Detect")
	}
	ms, err := (Django{}).List(fsys, "proj")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, m := range ms {
		keys = append(keys, m.Version)
	}
	if got := strings.Join(keys, " "); got != "accounts.0001_initial accounts.0002_b orders.0001_initial billing.0001_initial" {
		t.Errorf("order = %s", got)
	}
	if s, _ := (Django{}).Script(ms[1], nil); s.Tx != TxNone {
		t.Errorf("atomic = False: tx %v", s.Tx)
	}
	// run_before orders; a squashed migration stays out while what it
	// replaces is there, and who depends on it follows the last of those.
	fsys["proj/accounts/migrations/0003_squashed.py"] = &fstest.MapFile{Data: []byte(mig(``, "    replaces = [(\"accounts\", \"0001_initial\"), (\"accounts\", \"0002_b\")]\n"))}
	fsys["proj/aaa/migrations/0001_initial.py"] = &fstest.MapFile{Data: []byte(mig(`("accounts", "0003_squashed")`, "    run_before = [(\"accounts\", \"0001_initial\")]\n"))}
	if ms, err = (Django{}).List(fsys, "proj"); err == nil {
		keys = keys[:0]
		for _, m := range ms {
			keys = append(keys, m.Version)
		}
	}
	if got := strings.Join(keys, " "); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Errorf("a run_before against a dependency must be a cycle: %s, %v", got, err)
	}
	fsys["proj/aaa/migrations/0001_initial.py"] = &fstest.MapFile{Data: []byte(mig(``, "    run_before = [(\"accounts\", \"0001_initial\")]\n"))}
	fsys["proj/zzz/migrations/0001_initial.py"] = &fstest.MapFile{Data: []byte(mig(`("accounts", "0003_squashed")`, ""))}
	ms, err = (Django{}).List(fsys, "proj")
	keys = keys[:0]
	for _, m := range ms {
		keys = append(keys, m.Version)
	}
	if got := strings.Join(keys, " "); err != nil || got != "aaa.0001_initial accounts.0001_initial accounts.0002_b orders.0001_initial billing.0001_initial zzz.0001_initial" {
		t.Errorf("run_before/replaces: order = %s, %v", got, err)
	}
}

// TestCut: goose and sql-migrate end a statement at a line ending in ";"
// outside StatementBegin/End, and Liquibase splits at ";" without reading
// dollar quotes; phasegate reports where the tool would cut.
func TestCut(t *testing.T) {
	fn := "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  NEW.a := 1;\n  RETURN NEW;\nEND\n$$;\n"
	for _, c := range []struct {
		f    Format
		src  string
		line int // 0: no cut
	}{
		{Goose{}, "-- +goose Up\n" + fn, 4},
		{Goose{}, "-- +goose Up\n-- +goose StatementBegin\n" + fn + "-- +goose StatementEnd\n", 0},
		{Goose{}, "-- +goose Up\nCREATE TABLE t (\n  a int -- the value;\n);\n", 0},
		{SQLMigrate{}, "-- +migrate Up\n" + fn, 4},
		{SQLMigrate{}, "-- +migrate Up\n-- +migrate StatementBegin\n" + fn + "-- +migrate StatementEnd\n", 0},
		{Liquibase{}, "--liquibase formatted sql\n--changeset ann:1\n" + fn, 3},
		{Liquibase{}, "--liquibase formatted sql\n--changeset ann:1 splitStatements:false\n" + fn, 0},
		{Liquibase{}, "--liquibase formatted sql\n--changeset ann:1 splitStatements:false\nSELECT 1;\n--changeset ann:2\n" + fn, 5},
	} {
		m := Migration{Path: "m.sql"}
		script, err := c.f.Script(m, []byte(c.src))
		if err != nil {
			t.Fatal(err)
		}
		file, err := sqltext.Parse([]byte(c.src), sqltext.Options{Regions: script.Regions})
		if err != nil {
			t.Fatal(err)
		}
		err = c.f.(Cutter).Cut([]byte(c.src), script, file.Statements)
		var se *sqltext.Error
		switch {
		case c.line == 0 && err != nil:
			t.Errorf("%s %q: %v", c.f.Name(), c.src, err)
		case c.line != 0 && (!errors.As(err, &se) || se.Pos.Line != c.line):
			t.Errorf("%s %q: %v, want a cut at line %d", c.f.Name(), c.src, err, c.line)
		}
	}
}
