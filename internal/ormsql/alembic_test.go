package ormsql

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// alembicProject builds an Alembic project in a temporary directory: the
// environment of testdata/alembic/project, with the revisions of
// testdata/alembic/<versions>.
func alembicProject(t *testing.T, versions string) string {
	t.Helper()
	needPython(t, "alembic", "sqlalchemy")
	dir := t.TempDir()
	copyTree(t, dir, "testdata/alembic/project")
	copyTree(t, filepath.Join(dir, "migrations", "versions"), filepath.Join("testdata/alembic", versions))
	return dir
}

func renderAlembic(t *testing.T, dir string) []Migration {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ms, err := Alembic{Python: testPython}.Render(ctx, dir, dir)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func migrationByPath(t *testing.T, ms []Migration, path string) Migration {
	t.Helper()
	for _, m := range ms {
		if m.Path == path {
			return m
		}
	}
	t.Fatalf("no migration %s among %+v", path, ms)
	return Migration{}
}

// A revision that cannot run offline (it reads rows through the
// connection) is reported on its failing line, with what it wrote before;
// the revisions after it are still rendered.
func TestAlembicRevisionThatFailsOffline(t *testing.T) {
	ms := renderAlembic(t, alembicProject(t, "failing"))
	if len(ms) != 3 {
		t.Fatalf("want 3 migrations, got %+v", ms)
	}
	m := migrationByPath(t, ms, "migrations/versions/0002_backfill.py")
	if m.ID != "0002" {
		t.Errorf("ID = %q", m.ID)
	}
	var failed *Statement
	for i, s := range m.Statements {
		if s.Unjudged != "" {
			failed = &m.Statements[i]
		}
	}
	if failed == nil {
		t.Fatalf("0002 has no statement saying it could not be rendered: %+v", m.Statements)
	}
	if failed.Line != 11 || failed.SQL != "" || !strings.HasPrefix(failed.Unjudged, "could not be rendered offline: AttributeError") {
		t.Errorf("failure = %+v, want line 11, Unjudged \"could not be rendered offline: AttributeError...\"", *failed)
	}
	if s := m.Statements[0]; s.Line != 10 || !strings.Contains(s.SQL, "ADD COLUMN domain") {
		t.Errorf("the statement 0002 wrote before failing: %+v", s)
	}
	after := migrationByPath(t, ms, "migrations/versions/0003_index.py")
	if len(after.Statements) != 1 || !strings.Contains(after.Statements[0].SQL, "CREATE INDEX users_domain_idx") || after.Statements[0].Line != 8 {
		t.Errorf("the revision after the failing one: %+v", after.Statements)
	}
}

// A failure of Alembic itself (here alembic.ini without script_location)
// is an error, not a revision that could not be rendered.
func TestAlembicConfigErrorIsAnError(t *testing.T) {
	dir := alembicProject(t, "failing")
	os.WriteFile(filepath.Join(dir, "alembic.ini"), []byte("[alembic]\nsqlalchemy.url = postgresql://localhost/app\n"), 0o644)
	ms, err := Alembic{Python: testPython}.Render(context.Background(), dir, dir)
	if err == nil {
		t.Fatalf("no error; rendered %+v", ms)
	}
}

// Independent branches (several heads) are all rendered.
func TestAlembicSeveralHeads(t *testing.T) {
	ms := renderAlembic(t, alembicProject(t, "heads"))
	var got []string
	for _, m := range ms {
		got = append(got, m.ID)
	}
	if len(ms) != 3 {
		t.Fatalf("rendered %v, want 0001, 0002a and 0002b", got)
	}
	for path, want := range map[string]string{
		"migrations/versions/0002_a.py": "ADD COLUMN a TEXT",
		"migrations/versions/0002_b.py": "ADD COLUMN b TEXT",
	} {
		m := migrationByPath(t, ms, path)
		if len(m.Statements) != 1 || !strings.Contains(m.Statements[0].SQL, want) || m.Statements[0].Line != 9 {
			t.Errorf("%s: %+v", path, m.Statements)
		}
	}
}

// The statements of op.batch_alter_table are placed on their batch_op.*
// calls, not all on the "with" line.
func TestAlembicBatchStatementLines(t *testing.T) {
	ms := renderAlembic(t, alembicProject(t, "batch"))
	m := migrationByPath(t, ms, "migrations/versions/0001_users.py")
	want := []struct {
		line int
		sql  string
	}{
		{9, "CREATE TABLE users"},
		{11, "ADD COLUMN name"},
		{12, "ALTER COLUMN email DROP NOT NULL"},
		{13, "CREATE INDEX users_name_idx"},
		{14, "DROP COLUMN name"},
	}
	if len(m.Statements) != len(want) {
		t.Fatalf("statements: %+v", m.Statements)
	}
	for i, w := range want {
		s := m.Statements[i]
		if s.Line != w.line || !strings.Contains(s.SQL, w.sql) {
			t.Errorf("statement %d = line %d %q, want line %d %q", i, s.Line, s.SQL, w.line, w.sql)
		}
	}
}

// Downgrade renders downgrade() of one revision, each statement on the
// line of the call that emits it, and nothing of the other revisions.
func TestAlembicDowngrade(t *testing.T) {
	dir := alembicProject(t, "downgrade")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	got, err := Alembic{Python: testPython}.Downgrade(ctx, dir, dir, "0002")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		line int
		sql  string
	}{
		{14, "ALTER TABLE users DROP COLUMN plan"},
		{15, "ALTER TABLE users RENAME full_name TO name"},
	}
	if len(got) != len(want) {
		t.Fatalf("statements: %+v", got)
	}
	for i, w := range want {
		if s := got[i]; s.Line != w.line || strings.TrimSuffix(s.SQL, ";") != w.sql {
			t.Errorf("statement %d = line %d %q, want line %d %q", i, s.Line, s.SQL, w.line, w.sql)
		}
	}
}
