package source

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// DeferredCode is the deferred directory of a format whose migrations are
// code (Alembic, Django): its own migration files there, which the tool
// never reads (phasegate split writes them; the ORM renders their SQL like
// the active ones'), then plain .sql files (what split --emit-sql wrote),
// each statement committing on its own as psql runs them.
//
// An Alembic revision there follows revisions of the versions directory
// (its down_revision is not in the deferred directory); a Django migration
// there belongs to the app of its first dependency, and is named by its
// file.
type DeferredCode struct {
	Code Format
}

func (d DeferredCode) Name() string { return d.Code.Name() }

// Rendered marks formats whose SQL comes from running the ORM.
func (DeferredCode) Rendered() bool { return true }

func (d DeferredCode) Detect(fsys fs.FS, dir string) bool {
	ms, err := d.List(fsys, dir)
	return err == nil && len(ms) > 0
}

// List returns the tool's migrations of dir in the order the tool would
// apply them, then the .sql files in name order.
func (d DeferredCode) List(fsys fs.FS, dir string) ([]Migration, error) {
	var code []Migration
	var err error
	switch c := d.Code.(type) {
	case Alembic:
		code, err = c.list(fsys, dir, true)
	case Django:
		code, err = c.listDeferred(fsys, dir)
	default:
		return nil, fmt.Errorf("%s migrations are not code", d.Code.Name())
	}
	if err != nil {
		return nil, err
	}
	sql, err := Plain{}.List(fsys, dir)
	if err != nil {
		return nil, err
	}
	return append(code, sql...), nil
}

// Script is the code format's for its files (their rendered SQL), plain
// SQL's for .sql files.
func (d DeferredCode) Script(m Migration, src []byte) (Script, error) {
	if m.Format == (Plain{}).Name() {
		return Plain{}.Script(m, src)
	}
	return d.Code.Script(m, src)
}

// listDeferred lists the Django migrations of a deferred directory (not
// recursing): each in the app of its first dependency, ordered by their
// dependencies on one another, ties by name.
func (f Django) listDeferred(fsys fs.FS, dir string) ([]Migration, error) {
	names, err := files(fsys, dir)
	if err != nil {
		return nil, err
	}
	byKey := map[string]Migration{}
	deps := map[string][]string{}
	for _, n := range names {
		if path.Ext(n) != ".py" || strings.HasPrefix(n, "__") {
			continue
		}
		p := join(dir, n)
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, err
		}
		if !djangoClass().Match(b) {
			continue
		}
		list := djangoDeps().FindSubmatch(b)
		var keys []string
		if list != nil {
			for _, d := range djangoDep().FindAllSubmatch(list[1], -1) {
				keys = append(keys, string(d[1])+"."+string(d[2]))
			}
		}
		if len(keys) == 0 {
			return nil, fmt.Errorf("%s: a deferred Django migration needs dependencies: its app is the app of the first one", p)
		}
		app, _, _ := strings.Cut(keys[0], ".")
		name := strings.TrimSuffix(n, ".py")
		key := app + "." + name
		byKey[key] = Migration{Path: p, Format: f.Name(), Version: key, Name: name, NoTx: djangoNoTx().Match(b)}
		deps[key] = keys
	}
	return dependencyOrder(byKey, func(k string) []string { return deps[k] })
}

// dependencyOrder orders migrations (by key) so that each comes after
// those of its dependencies that are among them, ties by key.
func dependencyOrder(byKey map[string]Migration, deps func(key string) []string) ([]Migration, error) {
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []Migration
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(k string) error
	visit = func(k string) error {
		switch state[k] {
		case 2:
			return nil
		case 1:
			return fmt.Errorf("%s: its dependencies form a cycle", byKey[k].Path)
		}
		state[k] = 1
		for _, d := range deps(k) {
			if _, ok := byKey[d]; ok {
				if err := visit(d); err != nil {
					return err
				}
			}
		}
		state[k] = 2
		out = append(out, byKey[k])
		return nil
	}
	for _, k := range keys {
		if err := visit(k); err != nil {
			return nil, err
		}
	}
	return out, nil
}
