package followup

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/phasegate/phasegate/internal/deferred"
	"github.com/phasegate/phasegate/internal/fakegithub"
	"github.com/phasegate/phasegate/internal/source"
)

var alembicLayout = layout{source.Alembic{}, "migrations/versions",
	map[string]string{
		"migrations/versions/0001_users.py":  "\"\"\"users\"\"\"\nfrom alembic import op\n\nrevision = \"0001\"\ndown_revision = None\n\n\ndef upgrade():\n    op.execute(\"CREATE TABLE users (id int, name text)\")\n",
		"migrations/versions/0002_orders.py": "\"\"\"orders\"\"\"\nfrom alembic import op\n\nrevision = \"0002\"\ndown_revision = \"0001\"\n\n\ndef upgrade():\n    op.execute(\"CREATE TABLE orders (id int)\")\n",
	},
	"migrations/deferred",
	map[string]string{"migrations/deferred/0003_drop_name_contract.sql": dropName + "ALTER TABLE orders DROP COLUMN id;\n"}}

// An Alembic team's deferred SQL comes back as a revision of its own: it
// follows the head of the base branch as it is then, runs each statement
// in Alembic's autocommit block, keeps the deferral header, and a rerun
// writes nothing.
func TestAlembicContractBecomesARevision(t *testing.T) {
	w := newWorld(t, alembicLayout)
	w.local.Git("tag", "v1.1.0")
	w.push()
	outs := w.run()
	if len(outs) != 1 || outs[0].Action != "created" || !strings.HasPrefix(outs[0].Target, "migrations/versions/") || !strings.HasSuffix(outs[0].Target, "_drop_name_contract.py") {
		t.Fatalf("%+v", outs)
	}
	p := w.openPulls()
	if len(p) != 1 {
		t.Fatalf("%d open pull requests", len(p))
	}
	files := w.remote.Files(p[0].Head)
	rev := files[outs[0].Target]
	for _, want := range []string{
		"# phasegate:deferred\n#   after: release\n",
		"down_revision = \"0002\"\n",
		"    with op.get_context().autocommit_block():\n        op.execute(r\"\"\"ALTER TABLE users DROP COLUMN name\"\"\")\n        op.execute(r\"\"\"ALTER TABLE orders DROP COLUMN id\"\"\")\n",
		"def downgrade():\n    raise NotImplementedError(",
	} {
		if !strings.Contains(rev, want) {
			t.Errorf("the revision lacks %q:\n%s", want, rev)
		}
	}
	if _, still := files["migrations/deferred/0003_drop_name_contract.sql"]; still {
		t.Error("the deferred SQL is still on the branch")
	}
	// Alembic reads it as the new head.
	fsys := fstest.MapFS{}
	for p, b := range files {
		fsys[p] = &fstest.MapFile{Data: []byte(b)}
	}
	heads, err := source.Alembic{}.Heads(fsys, "migrations/versions")
	if err != nil || len(heads) != 1 || !strings.HasPrefix(outs[0].Target, "migrations/versions/"+heads[0]+"_") {
		t.Errorf("heads %v (%v), target %s", heads, err, outs[0].Target)
	}
	w.s.ClearRequests()
	if outs = w.run(); outs[0].Action != "unchanged" {
		t.Errorf("rerun: %+v", outs)
	}
	for _, r := range w.s.Requests() {
		if r.IsWrite() {
			t.Errorf("rerun wrote: %s %s", r.Method, r.Path)
		}
	}
}

// The tree and the pull request were written but answered 502: the next
// run finds them as they must be, with one pull request.
func TestAlembicRevisionSurvivesAppliedFaults(t *testing.T) {
	w := newWorld(t, alembicLayout)
	w.local.Git("tag", "v1.1.0")
	w.push()
	w.s.Fault("POST", "/repos/acme/shop/git/trees", fakegithub.AppliedButFailed(502))
	w.s.Fault("POST", "/repos/acme/shop/pulls", fakegithub.AppliedButFailed(502))
	w.run()
	outs := w.run()
	if n := len(w.openPulls()); n != 1 || outs[0].Action == "error" {
		t.Fatalf("%d open pull requests, %+v", n, outs)
	}
}

var djangoLayout = layout{source.Django{}, "",
	map[string]string{
		"manage.py":                                "import sys\n",
		"accounts/migrations/__init__.py":          "",
		"accounts/migrations/0001_initial.py":      "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    initial = True\n    dependencies = []\n    operations = []\n",
		"accounts/migrations/0002_display_name.py": "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = [\n        ('accounts', '0001_initial'),\n    ]\n    operations = []\n",
	},
	"accounts/migrations-deferred",
	map[string]string{"accounts/migrations-deferred/0002_display_name_contract.sql": deferred.Header{After: "release", From: "accounts/migrations/0002_display_name.py"}.String() + "ALTER TABLE \"accounts_user\" DROP COLUMN \"legacy_flags\" CASCADE;\n"}}

// A Django team's deferred SQL comes back as a migration of the app it was
// split from: numbered after the app's last one, depending on it,
// non-atomic, one RunSQL per statement.
func TestDjangoContractBecomesAMigration(t *testing.T) {
	w := newWorld(t, djangoLayout)
	w.local.Git("tag", "v1.1.0")
	w.push()
	outs := w.run()
	if len(outs) != 1 || outs[0].Action != "created" || outs[0].Target != "accounts/migrations/0003_display_name_contract.py" {
		t.Fatalf("%+v", outs)
	}
	p := w.openPulls()
	if len(p) != 1 {
		t.Fatalf("%d open pull requests", len(p))
	}
	mig := w.remote.Files(p[0].Head)[outs[0].Target]
	for _, want := range []string{
		"# phasegate:deferred\n",
		"    atomic = False\n",
		"        (\"accounts\", \"0002_display_name\"),\n",
		"        migrations.RunSQL(r\"\"\"ALTER TABLE \"accounts_user\" DROP COLUMN \"legacy_flags\" CASCADE\"\"\"),\n",
	} {
		if !strings.Contains(mig, want) {
			t.Errorf("the migration lacks %q:\n%s", want, mig)
		}
	}
	if outs = w.run(); outs[0].Action != "unchanged" {
		t.Errorf("rerun: %+v", outs)
	}
}

// deferredRevision is a contract revision as phasegate split writes it
// into the deferred directory, which followed 0001 when it was split.
const deferredRevision = `# phasegate:deferred
#   after: release
#   from: migrations/versions/0002_orders.py
"""drop name contract

Revision ID: c0ffee
Revises: 0001
"""
from alembic import op

revision = "c0ffee"
down_revision = "0001"  # phasegate followup sets it
branch_labels = None


def upgrade():
    op.drop_column("users", "name")
    with op.get_context().autocommit_block():
        op.execute("UPDATE orders SET note = '\\:done'")
        op.execute("ALTER TABLE orders DROP COLUMN id")


def downgrade():
    raise NotImplementedError("a deferred contract is not undone")
`

// A deferred revision split wrote moves into versions/ as it is, but for
// what it follows: down_revision and its docstring's "Revises:" name the
// head of the base branch now; the file is named by its revision, and a
// rerun changes nothing.
func TestAlembicDeferredRevisionMoves(t *testing.T) {
	l := alembicLayout
	l.deferred = map[string]string{"migrations/deferred/0003_drop_name_contract.py": deferredRevision}
	w := newWorld(t, l)
	w.local.Git("tag", "v1.1.0")
	w.push()
	outs := w.run()
	const target = "migrations/versions/c0ffee_drop_name_contract.py"
	if len(outs) != 1 || outs[0].Action != "created" || outs[0].Target != target {
		t.Fatalf("%+v", outs)
	}
	files := w.remote.Files(w.openPulls()[0].Head)
	want := strings.Replace(strings.Replace(deferredRevision, "Revises: 0001", "Revises: 0002", 1), `down_revision = "0001"`, `down_revision = "0002"`, 1)
	if got := files[target]; got != want {
		t.Errorf("the moved revision:\n%s\nwant:\n%s", got, want)
	}
	if _, still := files["migrations/deferred/0003_drop_name_contract.py"]; still {
		t.Error("the deferred revision is still on the branch")
	}
	// The pull request shows the SQL it gives op.execute, as Alembic runs
	// it (the op.drop_column is Python: only the check's rendering has it).
	if body := w.openPulls()[0].Body; !strings.Contains(body, "```sql\nUPDATE orders SET note = ':done';\nALTER TABLE orders DROP COLUMN id;\n```") {
		t.Errorf("the pull request's body lacks what it runs:\n%s", body)
	}
	if outs = w.run(); outs[0].Action != "unchanged" {
		t.Errorf("rerun: %+v", outs)
	}
}

// With two heads on the base branch the moved revision merges them.
func TestAlembicDeferredRevisionMergesHeads(t *testing.T) {
	l := alembicLayout
	l.history = map[string]string{"migrations/versions/0003_notes.py": "revision = \"0003\"\ndown_revision = \"0001\"\n"}
	for p, s := range alembicLayout.history {
		l.history[p] = s
	}
	l.deferred = map[string]string{"migrations/deferred/0003_drop_name_contract.py": strings.Replace(deferredRevision, `down_revision = "0001"`, "down_revision = (\n    \"0001\",\n)", 1)}
	w := newWorld(t, l)
	w.local.Git("tag", "v1.1.0")
	w.push()
	outs := w.run()
	if len(outs) != 1 || outs[0].Action != "created" {
		t.Fatalf("%+v", outs)
	}
	got := w.remote.Files(w.openPulls()[0].Head)[outs[0].Target]
	for _, want := range []string{"Revises: 0002, 0003\n", "down_revision = (\"0002\", \"0003\")  # phasegate followup sets it\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("the moved revision lacks %q:\n%s", want, got)
		}
	}
}

// A deferred revision that is not valid Python is an error at its line.
func TestAlembicDeferredRevisionNotPython(t *testing.T) {
	l := alembicLayout
	l.deferred = map[string]string{"migrations/deferred/0003_drop_name_contract.py": strings.Replace(deferredRevision, "def upgrade():", "def upgrade(:", 1)}
	w := newWorld(t, l)
	w.local.Git("tag", "v1.1.0")
	w.push()
	outs := w.run()
	if len(outs) != 1 || outs[0].Action != "error" || !strings.Contains(outs[0].Reason, "migrations/deferred/0003_drop_name_contract.py:16:13:") {
		t.Fatalf("%+v", outs)
	}
}
