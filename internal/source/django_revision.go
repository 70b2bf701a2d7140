package source

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// RevisionDir is the migrations directory of the app the deferred
// migration was split from (from: accounts/migrations/0002_x.py).
func (Django) RevisionDir(dir, from string) string {
	if from == "" {
		return dir
	}
	return path.Dir(from)
}

// Revision writes the migration the follow-up adds to an app's migrations
// directory: numbered after the app's last one, depending on the app's
// leaf migrations (several leaves: it merges them), non-atomic, with one
// RunSQL per statement (each commits on its own, as split wrote them) and
// no reverse: a contract is not undone. The state change stayed with the
// migration split put it in (SeparateDatabaseAndState).
func (f Django) Revision(fsys fs.FS, dir, name, header string, statements []string) (string, []byte, error) {
	app := path.Base(path.Dir(dir))
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return "", nil, fmt.Errorf("read the migrations of %s: %w", dir, err)
	}
	followed := map[string]bool{}
	var names []string
	next := 1
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || path.Ext(n) != ".py" || strings.HasPrefix(n, "__") {
			continue
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, n))
		if err != nil {
			return "", nil, err
		}
		if !djangoClass().Match(b) {
			continue
		}
		n = strings.TrimSuffix(n, ".py")
		names = append(names, n)
		if i := strings.IndexFunc(n, func(r rune) bool { return r < '0' || r > '9' }); i > 0 {
			if v, err := strconv.Atoi(n[:i]); err == nil && v >= next {
				next = v + 1
			}
		}
		if list := djangoDeps().FindSubmatch(b); list != nil {
			for _, d := range djangoDep().FindAllSubmatch(list[1], -1) {
				if string(d[1]) == app {
					followed[string(d[2])] = true
				}
			}
		}
	}
	var leaves []string
	for _, n := range names {
		if !followed[n] {
			leaves = append(leaves, n)
		}
	}
	sort.Strings(leaves)
	var b strings.Builder
	b.WriteString(header)
	fmt.Fprintf(&b, "\"\"\"%s: a deferred contract, applied once the release that stopped using it shipped.\"\"\"\n", pyDocLine(name))
	b.WriteString("from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    atomic = False\n\n    dependencies = [\n")
	for _, l := range leaves {
		fmt.Fprintf(&b, "        (%q, %q),\n", app, l)
	}
	b.WriteString("    ]\n\n    operations = [\n")
	for _, s := range statements {
		fmt.Fprintf(&b, "        migrations.RunSQL(%s),\n", pyString(s))
	}
	b.WriteString("    ]\n")
	return path.Join(dir, fmt.Sprintf("%04d_%s.py", next, Slug(name))), []byte(b.String()), nil
}
