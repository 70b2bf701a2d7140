package compat

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phasegate/phasegate/internal/git"
	"github.com/phasegate/phasegate/internal/gittest"
	"github.com/phasegate/phasegate/internal/lint"
	"github.com/phasegate/phasegate/internal/source"
)

// debianPython has Debian's python3-alembic, python3-sqlalchemy,
// python3-django and python3-psycopg2 (.ci/run installs them).
const debianPython = "/usr/bin/python3"

func needPython(t testing.TB, modules ...string) {
	t.Helper()
	if out, err := exec.Command(debianPython, "-c", "import "+strings.Join(modules, ", ")).CombinedOutput(); err != nil {
		t.Fatalf("this test needs %s with %s (apt-get install python3-alembic python3-sqlalchemy python3-django python3-psycopg2; .ci/run does): %v\n%s",
			debianPython, strings.Join(modules, ", "), err, out)
	}
}

// ormMigrateOnStart is an application of testdata written with an ORM
// whose test suite migrates on start with the ORM's own command, and a
// change that adds a migration the previous release does not have.
type ormMigrateOnStart struct {
	app     string // testdata/<app>/base
	format  source.Format
	dir     string
	change  map[string]string
	migrate string // the release's migrate-on-start
	// without is what the previous release's migrate-on-start says about
	// the migrated database when phasegate leaves the tool's table alone.
	without string
}

// renderWith renders like phasegate check does, on the runtime check's
// server for Django.
func renderWith(repo *git.Repo, format source.Format, dir string) func(context.Context, string, func(context.Context) (string, error)) (*Rendering, error) {
	return func(ctx context.Context, rev string, database func(context.Context) (string, error)) (*Rendering, error) {
		r, err := lint.RenderAt(ctx, repo, rev, format, dir, "", lint.RenderOptions{Python: debianPython, Database: database})
		if err != nil {
			return nil, err
		}
		return &Rendering{FS: r.SQL(), Migrations: r.Migrations, Line: r.Line}, nil
	}
}

// check proves the bookkeeping both ways: without it the previous
// release's migrate-on-start fails on the database the built-in runner
// migrated from the rendered SQL; with it (the scenarios) the previous and
// the new release find nothing to do.
func (c ormMigrateOnStart) check(t *testing.T) {
	t.Helper()
	r := gittest.New(t)
	src, _ := filepath.Abs("../../testdata/" + c.app + "/base")
	r.CopyDir(src)
	r.Commit("v1", nil)
	r.Git("checkout", "-qb", "feature")
	r.Write(c.change)
	repo, err := git.Open(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	render := renderWith(repo, c.format, c.dir)

	rd, err := renderVersion(ctx, Options{Format: c.format, Render: render}, shared, "", "without")
	if err != nil {
		t.Fatal(err)
	}
	ms, err := loadRendered(rd, os.DirFS(r.Dir), c.format, rd.Migrations)
	if err != nil {
		t.Fatal(err)
	}
	previousFailsWithout(t, repo, ms, c.migrate, c.without)

	res := run(t, r, func(o *Options) {
		o.Format, o.Dir, o.DeferredDir, o.Render = c.format, c.dir, "", render
		o.TestCommand = c.migrate + " && " + debianPython + " -m unittest discover -s tests -t ."
	})
	if got := statuses(res); got != "baseline=pass compat=pass deploy=pass contract-ready=skipped" {
		t.Fatalf("%s\ncompat:\n%s\ndeploy:\n%s", got, scenario(res, ScenarioCompat).OutputTail+scenario(res, ScenarioCompat).Reason,
			scenario(res, ScenarioDeploy).OutputTail+scenario(res, ScenarioDeploy).Reason)
	}
}

// Alembic's upgrade head of the previous release finds alembic_version at
// its own head, although the new revision was applied too.
func TestAlembicMigrateOnStart(t *testing.T) {
	needPython(t, "alembic", "sqlalchemy", "psycopg2")
	ormMigrateOnStart{app: "alembicapp", format: source.Alembic{}, dir: "migrations/versions",
		change: map[string]string{"migrations/versions/0002_nickname.py": `"""nickname

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"


def upgrade():
    op.add_column("users", sa.Column("nickname", sa.Text))


def downgrade():
    op.drop_column("users", "nickname")
`},
		migrate: debianPython + " -m alembic upgrade head",
		without: `relation "users" already exists`,
	}.check(t)
}

// Django's migrate of the previous release finds every migration it has in
// django_migrations, and ignores the row of the new one.
func TestDjangoMigrateOnStart(t *testing.T) {
	needPython(t, "django", "psycopg2")
	ormMigrateOnStart{app: "djangoapp", format: source.Django{}, dir: ".",
		change: map[string]string{"accounts/migrations/0002_nickname.py": `from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddField(model_name="user", name="nickname", field=models.TextField(null=True)),
    ]
`},
		migrate: debianPython + " manage.py migrate --no-input",
		without: `relation "accounts_user" already exists`,
	}.check(t)
}
