package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// debianPython is the interpreter that has Debian's python3-alembic,
// python3-sqlalchemy, python3-django and python3-psycopg2 (.ci/run
// installs them).
const debianPython = "/usr/bin/python3"

func needPython(t *testing.T, modules ...string) {
	t.Helper()
	args := []string{"-c", "import " + strings.Join(modules, ", ")}
	if out, err := exec.Command(debianPython, args...).CombinedOutput(); err != nil {
		t.Fatalf("this test needs %s with %s (apt-get install python3-alembic python3-sqlalchemy python3-django python3-psycopg2; .ci/run does): %v\n%s",
			debianPython, strings.Join(modules, ", "), err, out)
	}
}

// alembicRepo builds testdata/alembicapp as a repository: variant "head"
// (a revision that adds a column and drops one the release reads) or
// "split" (the drop deferred as a revision, as split --emit-sql writes it).
func alembicRepo(t *testing.T, variant string) string { return appRepo(t, "alembicapp", variant) }

// The static check judges an Alembic revision by the SQL Alembic renders
// for it, and points at the op.* call of each statement.
func TestAlembicStatic(t *testing.T) {
	needPython(t, "alembic", "sqlalchemy")
	r := phasegate(t, alembicRepo(t, "head"), nil, "check", "--base", "main", "--static-only")
	if r.code != 1 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"migrations/versions/0002_display_name.py:15:1: contract/drop-column: error: drops column users.legacy_flags",
		"migrations/versions/0002_display_name.py:14:1: expand/missing-lock-timeout",
		"1 file, 2 statements: 1 expand, 1 contract",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
}

// split names the operation to move, and --emit-sql takes it out of the
// revision into a deferred revision, the revert that downgrade() ran for
// it with it.
func TestAlembicSplitEmitsRevision(t *testing.T) {
	needPython(t, "alembic", "sqlalchemy")
	dir := alembicRepo(t, "head")
	r := phasegate(t, dir, nil, "split", "--base", "main", "migrations/versions/0002_display_name.py")
	if r.code != 0 || !strings.Contains(r.stdout, "line 15 (contract): ALTER TABLE users DROP COLUMN legacy_flags") || !strings.Contains(r.stdout, "--emit-sql") {
		t.Fatalf("split: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = phasegate(t, dir, nil, "split", "--base", "main", "--emit-sql", "migrations/versions/0002_display_name.py")
	if r.code != 0 {
		t.Fatalf("split --emit-sql: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	got, err := os.ReadFile(filepath.Join(dir, "migrations/deferred/0002_display_name_contract.py"))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile("../../testdata/alembicapp/split/migrations/deferred/0002_display_name_contract.py")
	if string(got) != string(want) {
		t.Errorf("the deferred revision:\n%s\nwant (testdata/alembicapp/split):\n%s", got, want)
	}
}

// The full cycle against real PostgreSQL: the previous release's own
// Python test suite fails on the schema with the mixed revision applied
// by Alembic, and passes once the drop is deferred; the new release's
// tests pass with the deferred SQL applied too.
func TestAlembicRuntimeCycle(t *testing.T) {
	needPython(t, "alembic", "sqlalchemy", "psycopg2")
	img := testImage(t)
	r := phasegate(t, alembicRepo(t, "head"), nil, "check", "--base", "main", "--postgres-image", img, "--no-pull")
	if r.code != 1 {
		t.Fatalf("mixed revision: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"baseline        pass", "compat          FAIL", "the previous release still uses users.legacy_flags, removed in migrations/versions/0002_display_name.py:15"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("mixed revision: output lacks %q:\n%s", want, r.stdout)
		}
	}
	r = phasegate(t, alembicRepo(t, "split"), nil, "check", "--base", "main", "--postgres-image", img, "--no-pull")
	for _, want := range []string{"baseline        pass", "compat          pass", "contract-ready  pass"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("after the split: output lacks %q (exit %d):\n%s\n%s", want, r.code, r.stdout, r.stderr)
		}
	}
	if l := leftovers(t); l != "" {
		t.Errorf("containers left:\n%s", l)
	}
}

func djangoRepo(t *testing.T, variant string) string { return appRepo(t, "djangoapp", variant) }

// appRepo builds one of testdata's example apps as a repository.
func appRepo(t *testing.T, app, variant string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), app)
	args := []string{"../../testdata/make-app-repo.sh", app, dir}
	if variant != "head" {
		args = append(args, variant)
	}
	if out, err := exec.Command("sh", args...).CombinedOutput(); err != nil {
		t.Fatalf("make-app-repo.sh: %v\n%s", err, out)
	}
	return dir
}

// ormFix is the code the missing-lock-timeout fix of an ORM migration says
// to add, and the line of the file it goes before.
var ormFix = regexp.MustCompile(`(?:put|add the operation) (op\.execute\("[^"]*"\)|migrations\.RunSQL\("[^"]*", reverse_sql=migrations\.RunSQL\.noop\))(, with its comma,)?.*? on a line of its own right before line (\d+), at its indent`)

// applyORMFix does what the missing-lock-timeout fix printed for file
// says: the code on a line of its own before the line it names, at that
// line's indent.
func applyORMFix(t *testing.T, dir, file, out string) {
	t.Helper()
	var fix []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, file+":") && strings.Contains(l, "missing-lock-timeout") {
			fix = ormFix.FindStringSubmatch(out[strings.Index(out, l):])
			break
		}
	}
	if fix == nil {
		t.Fatalf("no missing-lock-timeout fix with code for %s:\n%s", file, out)
	}
	p := filepath.Join(dir, file)
	src, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(src), "\n")
	n, _ := strconv.Atoi(fix[3])
	indent := lines[n-1][:len(lines[n-1])-len(strings.TrimLeft(lines[n-1], " "))]
	code := fix[1]
	if fix[2] != "" {
		code += ","
	}
	lines = slices.Insert(lines, n-1, indent+code)
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The missing-lock-timeout finding of an ORM migration names lines of the
// Python file, and its fix is code at one of them: done as it says, the
// finding goes (Alembic: the revision and the deferred revision split
// writes, whose autocommit_block commits Alembic's transaction; Django:
// a RunSQL operation).
func TestORMLockTimeoutFixIsCode(t *testing.T) {
	needPython(t, "alembic", "sqlalchemy", "django", "psycopg2")
	img := testImage(t)
	for _, tc := range []struct {
		app, variant string
		args         []string
		files        []string
		want         []string
	}{
		{"alembicapp", "head", nil, []string{"migrations/versions/0002_display_name.py"}, []string{
			"migrations/versions/0002_display_name.py:14:1: expand/missing-lock-timeout: warning: takes AccessExclusiveLock on users (blocks reads and writes) without a lock_timeout; so do 1 more statement of the same transaction (line 15)",
			`fix: 1. put op.execute("SET lock_timeout = '5s'") on a line of its own right before line 14, at its indent`,
		}},
		{"alembicapp", "split", nil, []string{"migrations/versions/0002_display_name.py", "migrations/deferred/0002_display_name_contract.py"}, []string{
			"migrations/deferred/0002_display_name_contract.py:19:1: contract/missing-lock-timeout",
			`fix: 1. put op.execute("SET lock_timeout = '5s'") on a line of its own right before line 19, at its indent`,
		}},
		{"djangoapp", "head", []string{"--postgres-image", img, "--no-pull"}, []string{"accounts/migrations/0002_display_name.py"}, []string{
			"accounts/migrations/0002_display_name.py:8:1: expand/missing-lock-timeout: warning: takes AccessExclusiveLock on accounts_user (blocks reads and writes) without a lock_timeout; so do 1 more statement of the same transaction (line 13)",
			`fix: 1. add the operation migrations.RunSQL("SET LOCAL lock_timeout = '5s'", reverse_sql=migrations.RunSQL.noop), with its comma, to operations on a line of its own right before line 8, at its indent`,
		}},
	} {
		dir := appRepo(t, tc.app, tc.variant)
		args := append([]string{"check", "--base", "main", "--static-only"}, tc.args...)
		r := phasegate(t, dir, nil, args...)
		for _, want := range tc.want {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("%s %s: output lacks %q:\n%s\n%s", tc.app, tc.variant, want, r.stdout, r.stderr)
			}
		}
		for _, f := range tc.files {
			applyORMFix(t, dir, f, r.stdout)
		}
		if r = phasegate(t, dir, nil, args...); strings.Contains(r.stdout, "missing-lock-timeout") || r.code == 2 {
			t.Errorf("%s %s: with the fix done, exit %d:\n%s\n%s", tc.app, tc.variant, r.code, r.stdout, r.stderr)
		}
	}
}

// Django writes its SQL on a live database, so without PostgreSQL even the
// static check stops: the error says what helps for the command and flags
// given, never --static-only (check has it and it does not help; split has
// no such flag).
func TestDjangoWithoutPostgreSQLSaysWhatHelps(t *testing.T) {
	dir := djangoRepo(t, "head")
	noImage := []string{"--postgres-image", "local/phasegate-no-such-image:0", "--no-pull"}
	for _, args := range [][]string{
		append([]string{"check", "--base", "main", "--static-only"}, noImage...),
		// Pulling it fails too (no such repository, or no network).
		{"check", "--base", "main", "--static-only", "--postgres-image", "local/phasegate-no-such-image:0"},
		append([]string{"check", "--base", "main"}, noImage...),
		append([]string{"split", "--base", "main", "accounts/migrations/0002_display_name.py"}, noImage...),
		{"split", "--base", "main", "--database-url", "postgres://phasegate@127.0.0.1:1/postgres?connect_timeout=1", "accounts/migrations/0002_display_name.py"},
	} {
		r := phasegate(t, dir, nil, args...)
		if r.code != 2 || !strings.Contains(r.stderr, "a database to render the Django migrations") {
			t.Fatalf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
		if strings.Contains(r.stderr, "run only the static check") {
			t.Errorf("%v: offers --static-only, which does not help:\n%s", args, r.stderr)
		}
		want := "--static-only does not do without it"
		if args[0] == "split" {
			if strings.Contains(r.stderr, "--static-only") {
				t.Errorf("%v: split has no --static-only:\n%s", args, r.stderr)
			}
			want = "--database-url"
		}
		if !strings.Contains(r.stderr, want) {
			t.Errorf("%v: stderr lacks %q:\n%s", args, want, r.stderr)
		}
	}
}

// Django: the SQL comes from Django itself, migrating an empty database
// one migration at a time (it reads the live schema to write some SQL), and
// each statement is placed on its operation's line; split --emit-sql
// writes the contract SQL; and the full cycle holds against PostgreSQL,
// with the deferred drop behind SeparateDatabaseAndState.
func TestDjangoCycle(t *testing.T) {
	needPython(t, "django", "psycopg2")
	img := testImage(t)
	pg := []string{"--postgres-image", img, "--no-pull"}
	dir := djangoRepo(t, "head")
	r := phasegate(t, dir, nil, append([]string{"check", "--base", "main", "--static-only"}, pg...)...)
	for _, want := range []string{
		"accounts/migrations/0002_display_name.py:13:1: contract/drop-column: error: drops column accounts_user.legacy_flags",
		"accounts/migrations/0002_display_name.py:8:1: expand/missing-lock-timeout",
		"1 file, 2 statements: 1 expand, 1 contract",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("static: output lacks %q (exit %d):\n%s\n%s", want, r.code, r.stdout, r.stderr)
		}
	}
	r = phasegate(t, dir, nil, append([]string{"split", "--base", "main", "--emit-sql"}, append(pg, "accounts/migrations/0002_display_name.py")...)...)
	if r.code != 0 {
		t.Fatalf("split --emit-sql: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	// split wraps the drop in SeparateDatabaseAndState (the model loses
	// the field now), makes the column nullable now (the new code no longer
	// writes it) and writes the drop as SQL: testdata/djangoapp/split is
	// its output (-update rewrites it).
	for _, f := range []string{"accounts/migrations/0002_display_name.py", "accounts/migrations-deferred/0002_display_name_contract.sql"} {
		got, _ := os.ReadFile(filepath.Join(dir, f))
		golden := filepath.Join("../../testdata/djangoapp/split", f)
		if *update {
			os.MkdirAll(filepath.Dir(golden), 0o755)
			os.WriteFile(golden, got, 0o644)
		}
		want, _ := os.ReadFile(golden)
		if string(got) != string(want) || len(want) == 0 {
			t.Errorf("split wrote %s:\n%s\nwant (%s; -update rewrites it):\n%s", f, got, golden, want)
		}
	}
	// Following the advice keeps every release working: the previous
	// release on the expanded schema, the new one before and after the
	// deferred drop.
	r = phasegate(t, dir, nil, append([]string{"check", "--base", "main"}, pg...)...)
	for _, want := range []string{"baseline        pass", "compat          pass", "deploy          pass", "contract-ready  pass", "phasegate: ok"} {
		if !strings.Contains(r.stdout+r.stderr, want) {
			t.Errorf("after the split: output lacks %q (exit %d):\n%s\n%s", want, r.code, r.stdout, r.stderr)
		}
	}
	if strings.Contains(r.stdout, "missing-lock-timeout: warning") && strings.Contains(r.stdout, "migrations-deferred/0002_display_name_contract.sql:4:1: contract/missing-lock-timeout") {
		t.Errorf("the deferred SQL split wrote has no lock_timeout:\n%s", r.stdout)
	}
	// Only the SQL emitted, the migration still dropping the column:
	// the previous release fails.
	dir = djangoRepo(t, "head")
	os.MkdirAll(filepath.Join(dir, "accounts/migrations-deferred"), 0o755)
	sql, _ := os.ReadFile("../../testdata/djangoapp/split/accounts/migrations-deferred/0002_display_name_contract.sql")
	os.WriteFile(filepath.Join(dir, "accounts/migrations-deferred/0002_display_name_contract.sql"), sql, 0o644)
	r = phasegate(t, dir, nil, append([]string{"check", "--base", "main"}, pg...)...)
	for _, want := range []string{"baseline        pass", "compat          FAIL", "legacy_flags"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("mixed migration: output lacks %q (exit %d):\n%s\n%s", want, r.code, r.stdout, r.stderr)
		}
	}
	if l := leftovers(t); l != "" {
		t.Errorf("containers left:\n%s", l)
	}
}

// What a Django migration runs in Python (RunPython) has no SQL to judge:
// unknown-effect reports it on its operation's line, and the migration is
// not empty for all that.
func TestDjangoRunPythonIsUnknownEffect(t *testing.T) {
	needPython(t, "django", "psycopg2")
	dir := djangoRepo(t, "head")
	os.WriteFile(filepath.Join(dir, "accounts/migrations/0003_backfill.py"), []byte(`from django.db import migrations


def backfill(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_display_name")]
    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
`), 0o644)
	r := phasegate(t, dir, nil, "check", "--base", "main", "--static-only", "--postgres-image", testImage(t), "--no-pull")
	want := "accounts/migrations/0003_backfill.py:11:1: unknown-effect: error: runs Python (Raw Python operation: backfill): phasegate cannot tell what it changes"
	if r.code != 1 || !strings.Contains(r.stdout, want) {
		t.Errorf("exit %d, output lacks %q:\n%s\n%s", r.code, want, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout, "empty-migration") {
		t.Errorf("a migration that runs Python is not empty:\n%s", r.stdout)
	}
}

// A tool phasegate cannot read (testdata/captureapp's migrate.sh, psql
// underneath): the statements it runs are recorded through a proxy,
// divided by its schema_migrations writes and judged; placed on their line
// when the file holds their text. A tool failing half way is reported at
// the migration that failed, with the server's error, and what ran before
// it is still judged.
func TestCaptureStatic(t *testing.T) {
	if _, err := exec.LookPath("psql"); err != nil {
		t.Fatal("this test needs psql: apt-get install postgresql-client (.ci/run does)")
	}
	pg := []string{"check", "--base", "main", "--static-only", "--postgres-image", testImage(t), "--no-pull"}
	r := phasegate(t, appRepo(t, "captureapp", "head"), nil, pg...)
	for _, want := range []string{
		"db/changes/20240201000000_display_name.up:2:1: contract/drop-column: error: drops column users.legacy_flags",
		"db/changes/20240201000000_display_name.up:1:1: expand/missing-lock-timeout",
		"1 file, 2 statements: 1 expand, 1 contract",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q (exit %d):\n%s\n%s", want, r.code, r.stdout, r.stderr)
		}
	}
	r = phasegate(t, appRepo(t, "captureapp", "broken"), nil, pg...)
	for _, want := range []string{
		"db/changes/20240215000000_nickname.up: error: migrate.command failed on it: syntax error at or near",
		"db/changes/20240201000000_display_name.up:2:1: contract/drop-column",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("failing tool: output lacks %q (exit %d):\n%s\n%s", want, r.code, r.stdout, r.stderr)
		}
	}
	if r.code == 0 {
		t.Error("a failing migrate command passed")
	}
	if l := leftovers(t); l != "" {
		t.Errorf("containers left:\n%s", l)
	}
}

// Alembic's autocommit_block (its way to CREATE INDEX CONCURRENTLY) runs
// outside Alembic's transaction: no nesting or in-transaction error. A
// revision edited without changing its SQL (a comment) is not an edited
// migration.
func TestAlembicAutocommitAndCosmeticEdit(t *testing.T) {
	needPython(t, "alembic", "sqlalchemy")
	dir := alembicRepo(t, "split")
	write := func(p, content string) {
		if err := os.WriteFile(filepath.Join(dir, p), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("migrations/versions/0003_email_index.py", `"""email lookups

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index("users_email_lower", "users", ["email"], postgresql_concurrently=True)
`)
	old, _ := os.ReadFile(filepath.Join(dir, "migrations/versions/0001_users.py"))
	write("migrations/versions/0001_users.py", "# The first revision.\n"+string(old))
	r := phasegate(t, dir, nil, "check", "--base", "main", "--static-only")
	for _, bad := range []string{"transaction-nesting", "concurrently-in-transaction", "edited-migration", "0001_users.py"} {
		if strings.Contains(r.stdout, bad) {
			t.Errorf("output has %q:\n%s", bad, r.stdout)
		}
	}
	if !strings.Contains(r.stdout, "phasegate: ok: 3 files") || r.code != 0 {
		t.Errorf("exit %d:\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// Django's own test runner tests on a database of its own (test_<NAME>):
// left alone, it would create it by migrating the code under test, and the
// previous release would be proven against its own schema. phasegate
// clones each scenario's migrated database under that name, and
// manage.py test --keepdb tests on it as it is: the drop of a column the
// previous release writes fails compat, and the split change passes.
func TestDjangoTestRunnerTestsTheMigratedSchema(t *testing.T) {
	needPython(t, "django", "psycopg2")
	pg := []string{"--postgres-image", testImage(t), "--no-pull"}
	cfg := filepath.Join(t.TempDir(), "phasegate.yml")
	os.WriteFile(cfg, []byte(`migrations:
  format: django
  deferred_dir: accounts/migrations-deferred
  python: /usr/bin/python3
tests:
  command: /usr/bin/python3 manage.py test --keepdb --noinput tests
  timeout: 5m
`), 0o644)
	r := phasegate(t, djangoRepo(t, "head"), nil, append([]string{"check", "--base", "main", "--config", cfg}, pg...)...)
	for _, want := range []string{"baseline        pass", "compat          FAIL", "legacy_flags"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the drop in the active migration: output lacks %q (exit %d):\n%s\n%s", want, r.code, r.stdout, r.stderr)
		}
	}
	if strings.Contains(r.stdout, "vacuous") {
		t.Errorf("the proof is called vacuous:\n%s", r.stdout)
	}
	r = phasegate(t, djangoRepo(t, "split"), nil, append([]string{"check", "--base", "main", "--config", cfg}, pg...)...)
	for _, want := range []string{"baseline        pass", "compat          pass", "deploy          pass", "contract-ready  pass", "phasegate: ok"} {
		if !strings.Contains(r.stdout+r.stderr, want) {
			t.Errorf("after the split: output lacks %q (exit %d):\n%s\n%s", want, r.code, r.stdout, r.stderr)
		}
	}
	if l := leftovers(t); l != "" {
		t.Errorf("containers left:\n%s", l)
	}
}
