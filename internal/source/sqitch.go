package source

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/phasegate/phasegate/internal/sqltext"
)

// Sqitch is sqitch's PostgreSQL engine: sqitch.plan lists the changes in
// deploy order; change NAME's deploy script is deploy/NAME.sql, and a change
// reworked after tag T keeps its earlier script as deploy/NAME@T.sql. Sqitch
// runs each script with psql, so statements commit one by one unless the
// script holds its own BEGIN and COMMIT (as sqitch's templates do).
type Sqitch struct{}

func (Sqitch) Name() string { return "sqitch" }

func (Sqitch) Detect(fsys fs.FS, dir string) bool {
	return exists(fsys, join(dir, "sqitch.plan"))
}

func (f Sqitch) List(fsys fs.FS, dir string) ([]Migration, error) {
	planPath := join(dir, "sqitch.plan")
	plan, err := fs.ReadFile(fsys, planPath)
	if err != nil {
		return nil, fmt.Errorf("read sqitch plan: %w", err)
	}
	type entry struct {
		name, tag string // tag: first tag after this occurrence
		line      int
	}
	var entries []*entry
	var untagged []*entry // occurrences not yet followed by a tag
	sc := bufio.NewScanner(bytes.NewReader(plan))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		l := strings.TrimSpace(sc.Text())
		if i := strings.Index(l, "#"); i >= 0 {
			l = strings.TrimSpace(l[:i])
		}
		if l == "" || strings.HasPrefix(l, "%") {
			continue
		}
		name := strings.Fields(l)[0]
		if strings.HasPrefix(name, "@") {
			for _, e := range untagged {
				e.tag = name[1:]
			}
			untagged = nil
			continue
		}
		name = strings.TrimLeft(name, "+-")
		if name == "" || strings.ContainsAny(name, ":@\\") {
			return nil, &sqltext.Error{Pos: sqltext.Position{Line: n, Column: 1},
				Message: fmt.Sprintf("%s: cannot read change name %q", planPath, strings.Fields(l)[0])}
		}
		e := &entry{name: name, line: n}
		entries = append(entries, e)
		untagged = append(untagged, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", planPath, err)
	}
	// The last occurrence of a name uses deploy/NAME.sql; earlier ones,
	// reworked since, use deploy/NAME@TAG.sql.
	last := map[string]*entry{}
	for _, e := range entries {
		last[e.name] = e
	}
	var out []Migration
	for _, e := range entries {
		script := e.name
		if last[e.name] != e && e.tag != "" {
			script = e.name + "@" + e.tag
		}
		out = append(out, Migration{Path: join(dir, "deploy/"+script+".sql"), Format: f.Name(), Version: script, Name: e.name})
	}
	return out, nil
}

func (Sqitch) Script(Migration, []byte) (Script, error) {
	return Script{Tx: TxNone}, nil
}

// sqitch reads only the scripts its plan names: its deferred migrations
// sit in a subdirectory, as plain SQL files (the plan does not name them).
func (Sqitch) DeferredDir(dir string) string { return insideDeferred(dir) }
func (Sqitch) DeferredFormat() Format        { return Plain{} }

// Sqitch runs a script with psql, statement by statement unless the
// script opens a transaction.
func (Sqitch) Separation() TxMode { return TxNone }

// DownPath is a deploy script's revert script.
func (Sqitch) DownPath(up string) string { return strings.Replace(up, "/deploy/", "/revert/", 1) }
func (Sqitch) LineEditable() bool        { return true }

// Sqitch's scripts live in deploy/, revert/ and verify/.
func (Sqitch) OwnsSubdirs() bool { return true }

// MatchFile: a script in a directory beside a sqitch.plan.
func (f Sqitch) MatchFile(fsys fs.FS, p string, _ []byte) FileMatch {
	if f.Detect(fsys, path.Dir(path.Dir(p))) {
		return ByPlace
	}
	return NoMatch
}
