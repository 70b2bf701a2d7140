package source

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"
)

// Django is Django's migrations: the project directory (where manage.py
// is) and, in each app, a migrations package of Python files, each a
// Migration class whose dependencies order it. Their SQL is not in the
// files: phasegate gets it from Django (package render), which needs a
// database to write it, and reads that in place of the Python. A
// migration runs in one transaction unless it says atomic = False.
//
// The app label is taken to be the app's directory name (an AppConfig
// with another label is not read), and dependencies on apps outside the
// repository are ignored for ordering. run_before orders too. A squashed
// migration (replaces) is left out while every migration it replaces is
// there: databases that applied those never run it.
type Django struct{}

var (
	djangoClass     = lazyRegexp(`(?m)^class\s+\w+\(\s*(?:migrations\.)?Migration\s*\)`)
	djangoDeps      = lazyRegexp(`(?s)\n\s+dependencies\s*=\s*[\[(](.*?)[\])]\s*\n`)
	djangoRunBefore = lazyRegexp(`(?s)\n\s+run_before\s*=\s*[\[(](.*?)[\])]\s*\n`)
	djangoReplaces  = lazyRegexp(`(?s)\n\s+replaces\s*=\s*[\[(](.*?)[\])]\s*\n`)
	djangoDep       = lazyRegexp(`\(\s*['"]([\w.]+)['"]\s*,\s*['"](\w+)['"]\s*\)`)
	djangoNoTx      = lazyRegexp(`(?m)^\s+atomic\s*=\s*False\b`)
)

func (Django) Name() string { return "django" }

// Rendered marks formats whose SQL comes from running the ORM.
func (Django) Rendered() bool { return true }

func (f Django) Detect(fsys fs.FS, dir string) bool {
	if !exists(fsys, join(dir, "manage.py")) {
		return false
	}
	ms, err := f.List(fsys, dir)
	return err == nil && len(ms) > 0
}

// List finds every app's migrations under dir and orders them by their
// dependencies, ties by app and name.
func (f Django) List(fsys fs.FS, dir string) ([]Migration, error) {
	type node struct {
		m                         Migration
		deps, runBefore, replaces []string
	}
	nodes := map[string]*node{}
	firstOf := map[string]string{} // app -> its first migration's key
	root := dir
	if root == "" {
		root = "."
	}
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); p != root && (strings.HasPrefix(n, ".") || n == "node_modules" || n == "site-packages" || n == "__pycache__" || n == "venv") {
				return fs.SkipDir
			}
			return nil
		}
		if path.Ext(p) != ".py" || path.Base(path.Dir(p)) != "migrations" || strings.HasPrefix(path.Base(p), "__") {
			return nil
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil || !djangoClass().Match(b) {
			return nil
		}
		app := path.Base(path.Dir(path.Dir(p)))
		name := strings.TrimSuffix(path.Base(p), ".py")
		key := app + "." + name
		n := &node{m: Migration{Path: p, Format: f.Name(), Version: key, Name: name, NoTx: djangoNoTx().Match(b)}}
		keys := func(re *regexp.Regexp) []string {
			var out []string
			if list := re.FindSubmatch(b); list != nil {
				for _, d := range djangoDep().FindAllSubmatch(list[1], -1) {
					out = append(out, string(d[1])+"."+string(d[2]))
				}
			}
			return out
		}
		n.deps, n.runBefore, n.replaces = keys(djangoDeps()), keys(djangoRunBefore()), keys(djangoReplaces())
		nodes[key] = n
		if first, ok := firstOf[app]; !ok || key < first {
			firstOf[app] = key
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// A squashed migration whose replaced migrations are all here is
	// replaced by them; who depends on it depends on the last of them.
	alias := map[string]string{}
	for k, n := range nodes {
		if len(n.replaces) == 0 {
			continue
		}
		all := true
		for _, r := range n.replaces {
			if nodes[r] == nil {
				all = false
			}
		}
		if all {
			alias[k] = n.replaces[len(n.replaces)-1]
		}
	}
	for k := range alias {
		delete(nodes, k)
	}
	for k, n := range nodes {
		for _, target := range n.runBefore {
			if t := nodes[target]; t != nil {
				t.deps = append(t.deps, k)
			}
		}
	}
	byKey := make(map[string]Migration, len(nodes))
	for k, n := range nodes {
		byKey[k] = n.m
	}
	return dependencyOrder(byKey, func(k string) []string {
		var deps []string
		for _, d := range nodes[k].deps {
			if app, name, _ := strings.Cut(d, "."); name == "__first__" {
				d = firstOf[app]
			}
			if a, ok := alias[d]; ok {
				d = a
			}
			deps = append(deps, d)
		}
		return deps
	})
}

func (Django) Script(m Migration, _ []byte) (Script, error) {
	if m.NoTx {
		return Script{Tx: TxNone}, nil
	}
	return Script{Tx: TxFile}, nil
}

// SetFix: a RunSQL operation in operations, right before the operation,
// with a no-op reverse so that the migration stays reversible. In the
// migration's transaction (Django runs a migration in one, on
// PostgreSQL, unless atomic = False) SET LOCAL keeps the setting to this
// migration; without a transaction only a plain SET holds, and it lasts
// for the rest of the migrate command's connection.
func (Django) SetFix(name, value string, line int, tx TxMode) string {
	set, why := "SET LOCAL "+name+" = "+value, "SET LOCAL: Django runs the migration in one transaction, and the setting ends with it"
	if tx == TxNone {
		set, why = "SET "+name+" = "+value, "with atomic = False a plain SET, which lasts for the rest of the migrate command's connection"
	}
	op := fmt.Sprintf("migrations.RunSQL(%q, reverse_sql=migrations.RunSQL.noop)", set)
	if line <= 0 {
		return fmt.Sprintf("add the operation %s first in operations (%s)", op, why)
	}
	return fmt.Sprintf("add the operation %s, with its comma, to operations on a line of its own right before line %d, at its indent (%s)", op, line, why)
}

// Django's deferred directory is in the project directory, beside its
// apps, and holds migrations and plain SQL files.
func (Django) DeferredDir(dir string) string { return path.Join(dir, "migrations-deferred") }
func (f Django) DeferredFormat() Format      { return DeferredCode{Code: f} }
