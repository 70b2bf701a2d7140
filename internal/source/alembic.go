package source

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Alembic is SQLAlchemy's Alembic: one Python revision file per migration
// in a versions directory, each naming its revision and the revision(s)
// it follows (down_revision). Their SQL is not in the files: phasegate
// gets it from Alembic's offline mode (package render) and reads that in
// place of the Python. Alembic runs an upgrade in one transaction.
type Alembic struct{}

var (
	alembicRevision = lazyRegexp(`(?m)^revision(?:\s*:\s*[\w\[\], |]+)?\s*=\s*['"]([^'"]+)['"]`)
	// down_revision's value: a tuple or list (over several lines), or the
	// rest of the line.
	alembicDown = lazyRegexp(`(?m)^down_revision(?:\s*:\s*[\w\[\], |.]+)?\s*=\s*(\([^)]*\)|\[[^\]]*\]|.+$)`)
	quoted      = lazyRegexp(`['"]([^'"]+)['"]`)
)

func (Alembic) Name() string { return "alembic" }

// Rendered marks formats whose SQL comes from running the ORM.
func (Alembic) Rendered() bool { return true }

func (f Alembic) Detect(fsys fs.FS, dir string) bool {
	names, _ := files(fsys, dir)
	for _, n := range names {
		if path.Ext(n) != ".py" {
			continue
		}
		b, err := fs.ReadFile(fsys, join(dir, n))
		if err == nil && alembicRevision().Match(b) && alembicDown().Match(b) {
			return true
		}
	}
	return false
}

// List orders the revisions as Alembic applies them: each after the
// revisions it follows (a merge revision after all of its parents), ties
// by revision id.
func (f Alembic) List(fsys fs.FS, dir string) ([]Migration, error) {
	return f.list(fsys, dir, false)
}

// list reads the revisions of dir; with outside, a down_revision that is
// not in dir is a revision of another directory (a deferred revision
// follows the active ones), not an error.
func (f Alembic) list(fsys fs.FS, dir string, outside bool) ([]Migration, error) {
	names, err := files(fsys, dir)
	if err != nil {
		return nil, err
	}
	byID := map[string]Migration{}
	parents := map[string][]string{}
	for _, n := range names {
		if path.Ext(n) != ".py" {
			continue
		}
		p := join(dir, n)
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, err
		}
		rev := alembicRevision().FindSubmatch(b)
		down := alembicDown().FindSubmatch(b)
		if rev == nil || down == nil {
			continue // not a revision (a helper module)
		}
		id := string(rev[1])
		if prev, dup := byID[id]; dup {
			return nil, fmt.Errorf("%s: revision %s is also defined by %s; Alembic refuses duplicate revisions", p, id, prev.Path)
		}
		byID[id] = Migration{Path: p, Format: f.Name(), Version: id, Name: strings.TrimSuffix(n, ".py")}
		for _, q := range quoted().FindAllSubmatch(down[1], -1) {
			parents[id] = append(parents[id], string(q[1]))
		}
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []Migration
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(id string, chain []string) error
	visit = func(id string, chain []string) error {
		switch state[id] {
		case 2:
			return nil
		case 1:
			return fmt.Errorf("%s: revision %s depends on itself through %s", byID[id].Path, id, strings.Join(chain, " -> "))
		}
		state[id] = 1
		for _, p := range parents[id] {
			if _, ok := byID[p]; !ok {
				if outside {
					continue
				}
				return fmt.Errorf("%s: down_revision %s is not a revision of %s", byID[id].Path, p, dir)
			}
			if err := visit(p, append(chain, p)); err != nil {
				return err
			}
		}
		state[id] = 2
		out = append(out, byID[id])
		return nil
	}
	for _, id := range ids {
		if err := visit(id, []string{id}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// AlembicExplicitTx starts the SQL phasegate renders for a revision whose
// autocommit_block commits Alembic's transaction: the revision then runs
// as the explicit transaction blocks its SQL shows.
const AlembicExplicitTx = "BEGIN; -- Alembic's transaction; the revision's autocommit_block commits it\n"

// Script reads the marker after the comment lines that may come first (the
// deferral header a revision the follow-up moved keeps).
func (Alembic) Script(_ Migration, src []byte) (Script, error) {
	rest := string(src)
	for strings.HasPrefix(rest, "--") || strings.HasPrefix(rest, "\n") {
		_, rest, _ = strings.Cut(rest, "\n")
	}
	if strings.HasPrefix(rest, AlembicExplicitTx) {
		return Script{Tx: TxNone}, nil
	}
	return Script{Tx: TxFile}, nil
}

// SetFix: op.execute right before the operation. A plain SET, not SET
// LOCAL: an autocommit_block commits Alembic's transaction, which would
// end a SET LOCAL before the statements of the block, while a SET lasts
// for the connection, the rest of the upgrade.
func (Alembic) SetFix(name, value string, line int, _ TxMode) string {
	return fmt.Sprintf("put op.execute(%q) %s (a plain SET: it lasts for the rest of the upgrade, an autocommit_block included)",
		"SET "+name+" = "+value, rightBefore(line, "at the top of upgrade()"))
}

// Alembic's deferred directory sits beside its versions (the default),
// and holds revisions and plain SQL files.
func (Alembic) DeferredDir(dir string) string { return besideDeferred(dir) }
func (f Alembic) DeferredFormat() Format      { return DeferredCode{Code: f} }
