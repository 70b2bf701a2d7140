package ormsql

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
)

//go:embed django_helper.py
var djangoHelper []byte

//go:embed django_testdb.py
var djangoTestDB []byte

// Django says how to run a project's Django.
type Django struct {
	// Python is the interpreter that has the project's dependencies
	// (default python3).
	Python string
	// Settings is DJANGO_SETTINGS_MODULE. It wins over the environment's
	// (Env's, then phasegate's own), which wins over the default manage.py
	// sets.
	Settings string
	// Env is added to the environment.
	Env []string
	// Deferred are deferred migration files (absolute paths), which Django
	// never imports: they are rendered after all the others, each in the
	// app of its first dependency.
	Deferred []string
}

// Render migrates the empty database at databaseURL through every
// migration of the project whose manage.py is in workdir, one at a time,
// and returns the SQL Django ran for each, in the order Django applied them,
// with each statement on the line of its operation. The migrations of
// installed packages (Django's contrib apps) are among them, External.
// Django needs the database: its schema editor reads the live schema to
// write some statements (renaming a constraint, for instance), so the SQL
// is taken right before each migration is applied, as "manage.py
// sqlmigrate" would print it then. An operation Django
// cannot write as SQL (RunPython) becomes a statement with empty SQL and
// Unjudged set.
//
// Rendering applies the migrations, RunPython included, so it only ever
// uses databaseURL: the helper replaces the settings' DATABASES["default"]
// by it, whatever the settings say, checks that the connection reaches
// that database before anything runs, and makes every other alias of
// DATABASES refuse to connect (a database router or a migration that uses
// another alias stops the render with an error). databaseURL is given to
// the helper as PHASEGATE_RENDER_DATABASE_URL (and DATABASE_URL, which
// settings often read).
//
// ctx bounds the run: when it is cancelled or its deadline passes, the
// helper's whole process group is killed.
func (d Django) Render(ctx context.Context, root, workdir, databaseURL string) ([]Migration, error) {
	env := append(append([]string{}, d.Env...), "DATABASE_URL="+databaseURL, "PHASEGATE_RENDER_DATABASE_URL="+databaseURL)
	if settings := d.settingsModule(workdir, os.Getenv); settings != "" {
		env = append(env, "DJANGO_SETTINGS_MODULE="+settings)
	}
	if len(d.Deferred) > 0 {
		b, err := json.Marshal(d.Deferred)
		if err != nil {
			return nil, err
		}
		env = append(env, "PHASEGATE_DEFERRED_MIGRATIONS="+string(b))
	}
	b, err := runHelper(ctx, djangoHelper, d.Python, workdir, env)
	if err != nil {
		return nil, fmt.Errorf("render the Django migrations (migrating an empty database in %s): %w", workdir, err)
	}
	var records []struct {
		App, Name, File string
		Atomic          bool
		Statements      []struct {
			SQL, Python string
			Line        int
		}
	}
	if err := json.Unmarshal(b, &records); err != nil {
		return nil, fmt.Errorf("read the rendered Django migrations: %w", err)
	}
	absRoot := realPath(root)
	var ms []Migration
	for _, r := range records {
		m := Migration{ID: r.App + "." + r.Name, NoTx: !r.Atomic}
		if rel, err := filepath.Rel(absRoot, realPath(r.File)); err != nil || strings.HasPrefix(rel, "..") {
			m.External = true // a migration of an installed package, not of this repository
		} else {
			m.Path = filepath.ToSlash(rel)
		}
		for _, s := range r.Statements {
			m.Statements = append(m.Statements, Statement{SQL: strings.TrimSpace(s.SQL), Line: s.Line, Unjudged: unjudged(s.Python)})
		}
		ms = append(ms, m)
	}
	return ms, nil
}

// TestDatabase returns the name of the database Django's test runner
// (manage.py test, pytest-django) tests on, for the project whose manage.py
// is in workdir, run with env (the suite's environment, DATABASE_URL
// included): the settings' TEST NAME, or test_ followed by the database's
// NAME. It reads the settings; nothing connects.
func (d Django) TestDatabase(ctx context.Context, workdir string, env []string) (string, error) {
	env = append(append([]string{}, d.Env...), env...)
	if settings := d.settingsModule(workdir, func(k string) string {
		for _, kv := range env {
			if v, ok := strings.CutPrefix(kv, k+"="); ok {
				return v
			}
		}
		return os.Getenv(k)
	}); settings != "" {
		env = append(env, "DJANGO_SETTINGS_MODULE="+settings)
	}
	b, err := runHelper(ctx, djangoTestDB, d.Python, workdir, env)
	if err != nil {
		return "", fmt.Errorf("read the test database's name from the Django settings in %s: %w", workdir, err)
	}
	var out struct{ Name string }
	if err := json.Unmarshal(b, &out); err != nil {
		return "", fmt.Errorf("read the test database's name: %w", err)
	}
	return out.Name, nil
}

func unjudged(python string) string {
	if python == "" {
		return ""
	}
	return "runs Python (" + python + ")"
}

// settingsModule is the DJANGO_SETTINGS_MODULE to set, if one must be:
// Settings, else none when the environment (Env, then getenv) has one,
// else manage.py's default.
func (d Django) settingsModule(workdir string, getenv func(string) string) string {
	if d.Settings != "" {
		return d.Settings
	}
	for _, kv := range d.Env {
		if v, ok := strings.CutPrefix(kv, "DJANGO_SETTINGS_MODULE="); ok && v != "" {
			return ""
		}
	}
	if getenv("DJANGO_SETTINGS_MODULE") != "" {
		return ""
	}
	return djangoSettings(workdir)
}

// djangoSettings reads the default settings module manage.py sets.
func djangoSettings(workdir string) string {
	b, err := os.ReadFile(filepath.Join(workdir, "manage.py"))
	if err != nil {
		return ""
	}
	if m := settingsDefault().FindSubmatch(b); m != nil {
		return string(m[1])
	}
	return ""
}

var settingsDefault = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`['"]DJANGO_SETTINGS_MODULE['"]\s*,\s*['"]([\w.]+)['"]`)
})

func realPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		p = a
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		p = r
	}
	return p
}
