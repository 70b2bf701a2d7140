package source

import (
	"io/fs"
	"os"
	"path"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/phasegate/phasegate/internal/sqltext"
)

// TestConformance is the contract every registered format must keep, and
// each optional capability it claims (capability.go), checked on a small
// tree of its own: testdata/conformance/<name>/, whose list.golden holds
// the migrations directory on its first line, then the paths List must
// return, in order. A new format fails here until it has that tree.
func TestConformance(t *testing.T) {
	names := map[string]bool{}
	for _, f := range Formats {
		name := f.Name()
		t.Run(name, func(t *testing.T) {
			if name == "" || names[name] {
				t.Fatalf("format name %q is empty or taken", name)
			}
			names[name] = true
			if g, err := Lookup(name); err != nil || g.Name() != name {
				t.Fatalf("Lookup(%q) = %v, %v", name, g, err)
			}
			fsys, dir, want := conformanceTree(t, name)
			c := conformance{t: t, f: f, fsys: fsys, dir: dir}
			c.detect()
			ms := c.list(want)
			c.scripts(ms)
			c.deferredLayout(ms)
			c.naming(ms)
			c.writer(ms)
			c.transactions()
			c.downs(ms)
			c.bookkeeping(ms)
			c.checksum()
			c.markers(ms)
			c.fileMatch(ms)
		})
	}
}

// conformanceTree reads a format's tree into a file system the checks may
// add to.
func conformanceTree(t *testing.T, name string) (fstest.MapFS, string, []string) {
	root := path.Join("testdata/conformance", name)
	golden, err := os.ReadFile(path.Join(root, "list.golden"))
	if err != nil {
		t.Fatalf("every format needs a conformance tree: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(golden)), "\n")
	fsys := fstest.MapFS{}
	err = fs.WalkDir(os.DirFS(root), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == "list.golden" {
			return err
		}
		b, err := os.ReadFile(path.Join(root, p))
		fsys[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return fsys, lines[0], lines[1:]
}

type conformance struct {
	t    *testing.T
	f    Format
	fsys fstest.MapFS
	dir  string
}

// neverDetected are the formats a user must name: their files say nothing
// of the tool.
var neverDetected = map[string]string{"capture": "any tool phasegate cannot read"}

// detect: the format recognises its tree, and no format tried before it
// claims it (Formats is most specific first).
func (c conformance) detect() {
	if why, ok := neverDetected[c.f.Name()]; ok {
		if c.f.Detect(c.fsys, c.dir) {
			c.t.Errorf("Detect: %s is never detected (%s), but it claims its tree", c.f.Name(), why)
		}
		return
	}
	if !c.f.Detect(c.fsys, c.dir) {
		c.t.Fatalf("Detect(%s) = false on the format's own tree", c.dir)
	}
	got, err := Detect(c.fsys, c.dir)
	if err != nil || got.Name() != c.f.Name() {
		c.t.Errorf("source.Detect = %v, %v: a format before %s in Formats claims its tree", got, err, c.f.Name())
	}
}

// list: List returns the tree's migrations in the tool's order, twice the
// same, each of this format, under dir, once.
func (c conformance) list(want []string) []Migration {
	ms, err := c.f.List(c.fsys, c.dir)
	if err != nil {
		c.t.Fatalf("List: %v", err)
	}
	var got []string
	seen := map[string]bool{}
	for _, m := range ms {
		got = append(got, m.Path)
		if seen[m.Path] {
			c.t.Errorf("List: %s twice", m.Path)
		}
		seen[m.Path] = true
		if m.Format != c.f.Name() {
			c.t.Errorf("List: %s has Format %q", m.Path, m.Format)
		}
		if !strings.HasPrefix(m.Path, c.dir+"/") {
			c.t.Errorf("List: %s is not under %s", m.Path, c.dir)
		}
	}
	if !reflect.DeepEqual(got, want) {
		c.t.Fatalf("List =\n  %s\nwant (list.golden)\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	again, err := c.f.List(c.fsys, c.dir)
	if err != nil || !reflect.DeepEqual(again, ms) {
		c.t.Errorf("List is not stable: %v then %v (%v)", ms, again, err)
	}
	return ms
}

// scripts: each file's forward part is read without error, its regions
// and blocks lie in the file, in order, and its transaction mode is one
// phasegate knows.
func (c conformance) scripts(ms []Migration) {
	for _, m := range ms {
		if m.Skip != "" {
			continue
		}
		src := c.read(m.Path)
		s, err := c.f.Script(m, src)
		if err != nil {
			c.t.Errorf("Script(%s): %v", m.Path, err)
			continue
		}
		if s.Tx.String() == "unknown" {
			c.t.Errorf("Script(%s): transaction mode %d", m.Path, s.Tx)
		}
		end := 0
		for _, r := range append(append([]sqltext.Region{}, s.Regions...), s.Blocks...) {
			if r.Start < 0 || r.End > len(src) || r.Start > r.End {
				c.t.Errorf("Script(%s): region %v outside the file (%d bytes)", m.Path, r, len(src))
			}
		}
		for _, r := range s.Regions {
			if r.Start < end {
				c.t.Errorf("Script(%s): regions out of order or overlapping: %v", m.Path, s.Regions)
			}
			end = r.End
		}
	}
}

func (c conformance) read(p string) []byte {
	b, err := fs.ReadFile(c.fsys, p)
	if err != nil {
		c.t.Fatal(err)
	}
	return b
}

// add writes a file, and returns a function that takes it back.
func (c conformance) add(p, content string) (undo func()) {
	old, had := c.fsys[p]
	c.fsys[p] = &fstest.MapFile{Data: []byte(content)}
	return func() {
		if had {
			c.fsys[p] = old
		} else {
			delete(c.fsys, p)
		}
	}
}

// deferredLayout: the deferred directory is one the tool does not read,
// and its format reads a deferred copy of a migration there.
func (c conformance) deferredLayout(ms []Migration) {
	dd := DeferredDir(c.f, c.dir)
	if dd == c.dir || dd == "" {
		c.t.Fatalf("DeferredDir(%s) = %q", c.dir, dd)
	}
	last := ms[len(ms)-1]
	p, content := DeferredPath(c.f, dd, last), string(c.read(last.Path))
	if _, ok := c.f.(Rendered); ok {
		// Split writes the SQL of a rendered migration (package split,
		// Rendered).
		p = path.Join(dd, strings.TrimSuffix(path.Base(last.Path), path.Ext(last.Path))+"_contract.sql")
		content = "ALTER TABLE users DROP COLUMN email;\n"
	}
	if !strings.HasPrefix(p, dd+"/") || !strings.Contains(p, "_contract") {
		c.t.Errorf("DeferredPath(%s) = %s: not a _contract file in %s", last.Path, p, dd)
	}
	defer c.add(p, content)()
	after, err := c.f.List(c.fsys, c.dir)
	if err != nil || !reflect.DeepEqual(after, ms) {
		c.t.Errorf("the tool reads its deferred directory %s: List = %v, %v", dd, after, err)
	}
	df := DeferredFormat(c.f)
	if df.Name() != c.f.Name() && df.Name() != "plain" {
		c.t.Errorf("DeferredFormat = %s: the format itself, its code's, or plain", df.Name())
	}
	if _, ok := df.(Rendered); ok {
		return // DeferredCode lists code beside SQL: checked in the format's own tests
	}
	dms, err := df.List(c.fsys, dd)
	if err != nil || len(dms) != 1 || dms[0].Path != p {
		c.t.Errorf("DeferredFormat %s does not list %s in %s: %v, %v", df.Name(), p, dd, dms, err)
	}
}

// naming: a migration named by Namer comes after every other, one named by
// Inserter right after the migration it follows, and both keep the name.
func (c conformance) naming(ms []Migration) {
	src := string(c.read(ms[len(ms)-1].Path))
	if n, ok := c.f.(Namer); ok {
		now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
		p := n.NextPath(c.dir, ms, "Add the widgets", now)
		undo := c.add(p, src)
		got := c.listed(p)
		undo()
		if i := indexOf(got, p); i < 0 || i != lastVersioned(got) {
			c.t.Errorf("NextPath = %s: List does not put it last of the versioned migrations: %v", p, pathsOf(got))
		} else if !strings.Contains(strings.ReplaceAll(got[i].Name, " ", "_"), "add_the_widgets") {
			c.t.Errorf("NextPath = %s: List reads the name %q", p, got[i].Name)
		}
	}
	if n, ok := c.f.(Inserter); ok {
		p := n.PathAfter(c.dir, ms[0], 1, "backfill")
		undo := c.add(p, src)
		got := c.listed(p)
		undo()
		if i := indexOf(got, p); i != 1 {
			c.t.Errorf("PathAfter(%s) = %s: List puts it at %d, not right after: %v", ms[0].Path, p, i, pathsOf(got))
		}
	}
}

func (c conformance) listed(added string) []Migration {
	ms, err := c.f.List(c.fsys, c.dir)
	if err != nil {
		c.t.Errorf("List with %s added: %v", added, err)
	}
	return ms
}

func indexOf(ms []Migration, p string) int {
	for i, m := range ms {
		if m.Path == p {
			return i
		}
	}
	return -1
}

func lastVersioned(ms []Migration) int {
	last := -1
	for i, m := range ms {
		if m.Kind == Versioned {
			last = i
		}
	}
	return last
}

func pathsOf(ms []Migration) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Path)
	}
	return out
}

// writer: a migration written for the tool (WriteMigration, with the
// files beside it that TxConfigFiler asks for) reads back: its forward
// part holds the up SQL and not the down SQL, in the transaction mode it
// was written for (the tool's usual one, and its Separation).
func (c conformance) writer(ms []Migration) {
	if _, ok := c.f.(Rendered); ok {
		return // not SQL files
	}
	n, ok := c.f.(Inserter)
	if !ok {
		return // the tool names its migrations elsewhere (sqitch's plan)
	}
	first := ms[0]
	usual, err := c.f.Script(first, c.read(first.Path))
	if err != nil {
		c.t.Fatal(err)
	}
	modes := []TxMode{usual.Tx}
	if s, ok := c.f.(TxSeparator); ok && s.Separation() != usual.Tx {
		modes = append(modes, s.Separation())
	}
	const up, down = "CREATE TABLE widgets (id int);\n", "DROP TABLE widgets;\n"
	for _, tx := range modes {
		p := n.PathAfter(c.dir, first, 1, "widgets")
		text := WriteMigration(c.f, "-- written by the conformance test\n", up, down, tx, string(c.read(first.Path)), "widgets")
		undo := []func(){c.add(p, text)}
		if cf, ok := c.f.(TxConfigFiler); ok {
			if content, ok := cf.TxConfig(tx, ""); ok {
				undo = append(undo, c.add(cf.ConfigFile(p), content))
			}
		}
		if d, ok := c.f.(DownFiler); ok {
			undo = append(undo, c.add(d.DownPath(p), down))
		}
		got := c.listed(p)
		if i := indexOf(got, p); i < 0 {
			c.t.Errorf("WriteMigration (%v) at %s: List does not find it: %v", tx, p, pathsOf(got))
		} else {
			s, err := c.f.Script(got[i], []byte(text))
			forward := ""
			for _, r := range s.Regions {
				forward += text[r.Start:r.End]
			}
			if s.Regions == nil {
				forward = text
			}
			switch {
			case err != nil:
				c.t.Errorf("WriteMigration (%v): Script: %v\n%s", tx, err, text)
			case s.Tx != tx:
				c.t.Errorf("WriteMigration (%v): Script reads %v\n%s", tx, s.Tx, text)
			case !strings.Contains(forward, up) || strings.Contains(forward, down):
				c.t.Errorf("WriteMigration (%v): the forward part is %q\n%s", tx, forward, text)
			}
		}
		for _, u := range undo {
			u()
		}
	}
}

// transactions: what a format says of its transactions is said.
func (c conformance) transactions() {
	if s, ok := c.f.(TxSeparator); ok && s.Separation() != TxNone && s.Separation() != TxImplicit {
		c.t.Errorf("Separation = %v: TxNone or TxImplicit", s.Separation())
	}
	if a, ok := c.f.(TxAdvisor); ok && a.NoTxFix() == "" {
		c.t.Error("NoTxFix is empty")
	}
	if p, ok := c.f.(OutOfOrderPolicy); ok && p.OutOfOrderEffect() == "" {
		c.t.Error("OutOfOrderEffect is empty")
	}
	c.setAdvice()
}

// setAdvice: a format whose files are not the SQL its tool runs says how
// a migration runs a SET (a SET line in the file would not run), naming
// the setting and the operation's line when it is known; the others
// leave it to a SET line before the statement.
func (c conformance) setAdvice() {
	_, rendered := c.f.(Rendered)
	a, ok := c.f.(SetAdvisor)
	if rendered != ok {
		c.t.Errorf("Rendered %v but SetAdvisor %v: a format whose files are not its SQL says how to run a SET", rendered, ok)
	}
	if !ok {
		return
	}
	for _, tx := range []TxMode{TxFile, TxNone} {
		fix := a.SetFix("lock_timeout", "'5s'", 7, tx)
		if !strings.Contains(fix, "lock_timeout = '5s'") || !strings.Contains(fix, "line 7") {
			c.t.Errorf("SetFix (%v) does not name the setting or the line: %s", tx, fix)
		}
		if fix := a.SetFix("lock_timeout", "'5s'", 0, tx); strings.Contains(fix, "line 0") {
			c.t.Errorf("SetFix (%v) of an unknown line: %s", tx, fix)
		}
	}
}

// downs: down files have names of their own that List does not take for
// migrations; a down section is not part of the forward script.
func (c conformance) downs(ms []Migration) {
	if d, ok := c.f.(DownFiler); ok {
		for _, m := range ms {
			p := d.DownPath(m.Path)
			if p == m.Path {
				c.t.Errorf("DownPath(%s) is the migration itself", m.Path)
			}
			if indexOf(ms, p) >= 0 {
				c.t.Errorf("DownPath(%s) = %s is listed as a migration", m.Path, p)
			}
		}
	}
	if HasInlineDown(c.f) {
		if _, ok := c.f.(MigrationWriter); !ok {
			c.t.Error("a format with an inline down section must write it (MigrationWriter)")
		}
	}
}

// bookkeeping: a tool whose tables phasegate writes names them, its
// version tables among them, and writes them for the tree without error.
func (c conformance) bookkeeping(ms []Migration) {
	tables, hasTables := c.f.(Tables)
	if b, ok := c.f.(Bookkeeper); ok {
		if !hasTables || len(tables.ToolTables()) == 0 {
			c.t.Error("a Bookkeeper must name the tables it writes (Tables)")
		}
		if _, err := b.Bookkeeping(c.dir, ms, ms, c.fsys); err != nil {
			c.t.Errorf("Bookkeeping: %v", err)
		}
	}
	v, ok := c.f.(VersionTabler)
	if !ok {
		return
	}
	vts := v.VersionTables()
	if len(vts) == 0 {
		c.t.Error("VersionTables is empty")
	}
	for _, vt := range vts {
		if vt.Name == "" || vt.Tool == "" {
			c.t.Errorf("version table %+v: Name and Tool are needed", vt)
		}
		if hasTables && !contains(tables.ToolTables(), vt.Name) {
			c.t.Errorf("version table %s is not among ToolTables %v", vt.Name, tables.ToolTables())
		}
		for _, other := range VersionTables() {
			if other.Name == vt.Name && (!reflect.DeepEqual(other.Columns, vt.Columns) || other.Sep != vt.Sep || other.OpensOnInsert != vt.OpensOnInsert) {
				c.t.Errorf("version table %s is declared twice, differently: %+v and %+v", vt.Name, vt, other)
			}
		}
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// checksum: the tree's checksum file matches it, and the sum is what
// the tool would write.
func (c conformance) checksum() {
	cs, ok := c.f.(Checksummed)
	if !ok {
		return
	}
	if err := cs.CheckSum(c.fsys, c.dir); err != nil {
		c.t.Errorf("CheckSum on the tree: %v", err)
	}
	sum, err := cs.Sum(c.fsys, c.dir)
	if err != nil || string(sum) != string(c.read(cs.ChecksumFile(c.dir))) {
		c.t.Errorf("Sum = %q, %v; the tree's %s holds %q", sum, err, cs.ChecksumFile(c.dir), c.read(cs.ChecksumFile(c.dir)))
	}
}

// markers: the marker capabilities agree with the files.
func (c conformance) markers(ms []Migration) {
	_, rendered := c.f.(Rendered)
	if IsLineEditable(c.f) && rendered {
		c.t.Error("a rendered format's files are not SQL: they cannot take line edits")
	}
	if IsDirPerMigration(c.f) && !OwnsSubdirs(c.f) {
		c.t.Error("a format with a directory per migration owns the subdirectories of its directory (SubdirOwner)")
	}
	if IsDirPerMigration(c.f) {
		for _, m := range ms {
			if path.Dir(path.Dir(m.Path)) != c.dir {
				c.t.Errorf("DirPerMigration: %s is not in a directory of its own under %s", m.Path, c.dir)
			}
		}
	}
}

// fileMatch: a format that recognises its files alone recognises some of
// its tree's, and FileFormat gives it those.
func (c conformance) fileMatch(ms []Migration) {
	fm, ok := c.f.(FileMatcher)
	if !ok {
		return
	}
	matched := 0
	for _, m := range ms {
		src := c.read(m.Path)
		if fm.MatchFile(c.fsys, m.Path, src) == NoMatch {
			continue
		}
		matched++
		if got := FileFormat(c.fsys, m.Path, src); got.Name() != c.f.Name() {
			c.t.Errorf("FileFormat(%s) = %s: another format claims the file more surely", m.Path, got.Name())
		}
	}
	if matched == 0 {
		c.t.Errorf("MatchFile recognises none of %v", pathsOf(ms))
	}
}
