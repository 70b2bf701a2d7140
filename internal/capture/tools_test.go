package capture_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/phasegate/phasegate/internal/capture"
	"github.com/phasegate/phasegate/internal/compat"
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

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// runThrough runs a migrate command with DATABASE_URL pointing at the
// proxy.
func runThrough(t *testing.T, p *capture.Proxy, db testDB, dir, script string) compat.Outcome {
	t.Helper()
	u, err := p.RedirectURL(db.url)
	if err != nil {
		t.Fatal(err)
	}
	return compat.Command{Script: script, Dir: dir, Timeout: 2 * time.Minute, Env: []string{"DATABASE_URL=" + u, "PYTHONPATH=" + dir}}.Run(context.Background())
}

// compact is summary with each statement's white space collapsed.
func compact(ms []capture.Migration) string {
	for i := range ms {
		for j := range ms[i].Statements {
			ms[i].Statements[j].SQL = strings.Join(strings.Fields(ms[i].Statements[j].SQL), " ")
		}
	}
	return summary(ms)
}

// Real Alembic over psycopg2 (client-side parameters, one transaction for
// the whole upgrade): INSERT then UPDATE of alembic_version; the third
// revision fails, which rolls back all three.
func TestAlembicThroughProxy(t *testing.T) {
	needPython(t, "alembic", "sqlalchemy", "psycopg2")
	db := database(t)
	p := proxy(t, db)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"alembic.ini": "[alembic]\nscript_location = migrations\n",
		"migrations/env.py": `import os
from alembic import context
from sqlalchemy import create_engine

engine = create_engine(os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1))
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
`,
		"migrations/versions/0001_users.py": `from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None

def upgrade():
    op.create_table("users", sa.Column("id", sa.Integer, primary_key=True), sa.Column("email", sa.String(200)))
`,
		"migrations/versions/0002_name.py": `from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"

def upgrade():
    op.add_column("users", sa.Column("name", sa.Text))
    op.create_index("users_name", "users", ["name"])
`,
		"migrations/versions/0003_team.py": `from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"

def upgrade():
    op.add_column("users", sa.Column("nickname", sa.Text))
    op.execute("ALTER TABLE teams ADD COLUMN owner_id int")
`,
	})
	out := runThrough(t, p, db, dir, debianPython+" -m alembic upgrade head")
	if out.ExitCode == 0 || !strings.Contains(out.Tail, `relation "teams" does not exist`) {
		t.Fatalf("alembic upgrade: exit %d, %v\n%s", out.ExitCode, out.Err, out.Tail)
	}
	if testing.Verbose() {
		t.Logf("recorded:\n%s", render(p.Statements()))
	}
	got := capture.Attribute(p.Statements(), capture.AttributeOptions{})
	if s := compact(got); s != `0001 (rolled back): CREATE TABLE users ( id SERIAL NOT NULL, email VARCHAR(200), PRIMARY KEY (id) )
0002 (rolled back): ALTER TABLE users ADD COLUMN name TEXT | CREATE INDEX users_name ON users (name)
? (unrecorded, rolled back, failed: relation "teams" does not exist): ALTER TABLE users ADD COLUMN nickname TEXT | ALTER TABLE teams ADD COLUMN owner_id int !!
` {
		t.Errorf("migrations:\n%s\nrecorded:\n%s", s, render(p.Statements()))
	}
}

// Real Django: django_migrations rows by app and name, each migration in
// its own transaction.
func TestDjangoThroughProxy(t *testing.T) {
	needPython(t, "django", "psycopg2")
	db := database(t)
	p := proxy(t, db)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"settings.py": `import os
from urllib.parse import urlparse

u = urlparse(os.environ["DATABASE_URL"])
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": u.path[1:], "USER": u.username,
    "PASSWORD": u.password, "HOST": u.hostname, "PORT": u.port, "OPTIONS": {"sslmode": "disable"}}}
INSTALLED_APPS = ["shop"]
SECRET_KEY = "capture-test"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
`,
		"shop/__init__.py":            "",
		"shop/migrations/__init__.py": "",
		"shop/models.py": `from django.db import models

class Product(models.Model):
    name = models.CharField(max_length=100)
    price = models.IntegerField(default=0)
`,
		"shop/migrations/0001_initial.py": `from django.db import migrations, models

class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(name="Product", fields=[
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ("name", models.CharField(max_length=100)),
        ]),
    ]
`,
		"shop/migrations/0002_price.py": `from django.db import migrations, models

class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.AddField(model_name="product", name="price", field=models.IntegerField(default=0))]
`,
	})
	out := runThrough(t, p, db, dir, debianPython+" -m django migrate --settings=settings --no-input")
	if out.ExitCode != 0 {
		t.Fatalf("django migrate: exit %d, %v\n%s", out.ExitCode, out.Err, out.Tail)
	}
	if testing.Verbose() {
		t.Logf("recorded:\n%s", render(p.Statements()))
	}
	got := capture.Attribute(p.Statements(), capture.AttributeOptions{})
	if s := compact(got); s != `shop.0001_initial: CREATE TABLE "shop_product" ("id" bigserial NOT NULL PRIMARY KEY, "name" varchar(100) NOT NULL)
shop.0002_price: ALTER TABLE "shop_product" ADD COLUMN "price" integer DEFAULT 0 NOT NULL | ALTER TABLE "shop_product" ALTER COLUMN "price" DROP DEFAULT
` {
		t.Errorf("migrations:\n%s\nrecorded:\n%s", s, render(p.Statements()))
	}
}
