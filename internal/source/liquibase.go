package source

import (
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/phasegate/phasegate/internal/sqltext"
)

// Liquibase is Liquibase's formatted SQL changelogs: .sql files whose first
// line is "--liquibase formatted sql", each holding changesets that start
// at a "--changeset author:id [attribute:value...]" line. phasegate orders
// the files by path, as a master changelog's includeAll does (a master
// that includes files one by one in another order is not read). Each
// changeset runs in its own transaction unless it says
// runInTransaction:false; changesets limited by dbms: to other databases
// are skipped, and lines between --ignoreLines:start and end are too.
// "--rollback" lines are comments, and so never run forward.
//
// A file is judged as a whole: its changesets share one transaction mode
// (none when any changeset turns transactions off), so a lock held across
// two changesets of one file is overstated.
type Liquibase struct{}

var (
	liquibaseHeader    = lazyRegexp(`(?i)^\s*--\s*liquibase\s+formatted\s+sql`)
	liquibaseChangeset = lazyRegexp(`(?i)^\s*--\s*changeset\s+(\S+)`)
	liquibaseAttr      = lazyRegexp(`(?i)\b(runInTransaction|dbms):(\S+)`)
	liquibaseIgnore    = lazyRegexp(`(?i)^\s*--\s*ignoreLines:(start|end)\b`)
)

func (Liquibase) Name() string { return "liquibase" }

func (f Liquibase) Detect(fsys fs.FS, dir string) bool {
	found, checked := false, 0
	walkFiles(fsys, dir, func(p string) bool {
		if path.Ext(p) != ".sql" {
			return true
		}
		checked++
		found = isLiquibase(fsys, p)
		return !found && checked < 20
	})
	return found
}

func isLiquibase(fsys fs.FS, p string) bool {
	b, err := fs.ReadFile(fsys, p)
	if err != nil {
		return false
	}
	first, _, _ := strings.Cut(strings.TrimPrefix(string(b), "\uFEFF"), "\n")
	return liquibaseHeader().MatchString(first)
}

func (f Liquibase) List(fsys fs.FS, dir string) ([]Migration, error) {
	var out []Migration
	err := walkFiles(fsys, dir, func(p string) bool {
		if path.Ext(p) == ".sql" && isLiquibase(fsys, p) {
			base := strings.TrimSuffix(path.Base(p), ".sql")
			v := digitPrefix(base)
			out = append(out, Migration{Path: p, Format: f.Name(), Version: v, Name: strings.TrimLeft(base[len(v):], "_-.")})
		}
		return true
	})
	return out, err // walkFiles visits paths in lexical order
}

func (Liquibase) Script(m Migration, src []byte) (Script, error) {
	s := Script{Tx: TxFile}
	start := -1 // the open changeset's first byte
	ignoring := false
	closeRegion := func(end int) {
		if start >= 0 && end > start {
			s.Regions = append(s.Regions, sqltext.Region{Start: start, End: end})
		}
	}
	for _, l := range lines(src) {
		if m := liquibaseIgnore().FindStringSubmatch(l.text); m != nil {
			if strings.EqualFold(m[1], "start") {
				closeRegion(l.start)
				ignoring = true
			} else if ignoring {
				ignoring = false
				if start >= 0 {
					start = nextLine(src, l)
				}
			}
			continue
		}
		if ignoring || !liquibaseChangeset().MatchString(l.text) {
			continue
		}
		closeRegion(l.start)
		start = nextLine(src, l)
		for _, a := range liquibaseAttr().FindAllStringSubmatch(l.text, -1) {
			switch strings.ToLower(a[1]) {
			case "runintransaction":
				if strings.EqualFold(a[2], "false") {
					s.Tx = TxNone
				}
			case "dbms":
				if !forPostgres(a[2]) {
					start = -1 // this changeset does not run on PostgreSQL
				}
			}
		}
	}
	if !ignoring {
		closeRegion(len(src))
	}
	if s.Regions == nil {
		// Masks the whole file: nothing in it runs on PostgreSQL.
		s.Regions = []sqltext.Region{{Start: len(src), End: len(src)}}
	}
	return s, nil
}

// forPostgres reads a dbms: list (postgresql,h2 / !mysql / all / none).
func forPostgres(list string) bool {
	in, hasPositive := false, false
	for _, d := range strings.Split(strings.ToLower(list), ",") {
		d = strings.TrimSpace(d)
		switch {
		case d == "!postgresql":
			return false
		case strings.HasPrefix(d, "!"):
		case d == "none":
			return false
		default:
			hasPositive = true
			if d == "postgresql" || d == "all" {
				in = true
			}
		}
	}
	return in || !hasPositive
}

// NextPath puts a new changelog in the directory of the last one: a
// master changelog's includeAll runs the files of its directory tree in
// path order, so a file at the top of a tree whose changelogs live in
// subdirectories (changes/, 2024/) would run first on a new database,
// before the tables it changes exist.
func (Liquibase) NextPath(dir string, ms []Migration, name string, now time.Time) string {
	if len(ms) > 0 && ms[len(ms)-1].Path != "" {
		dir = path.Dir(ms[len(ms)-1].Path)
	}
	return join(dir, nextNumber(versionsOf(ms), now)+"_"+Slug(name)+".sql")
}

// LiquibaseChangeset returns the author and id of a file's first
// changeset, for naming the changeset of a file split from it.
func LiquibaseChangeset(src []byte) (author, id string) {
	for _, l := range lines(src) {
		if m := liquibaseChangeset().FindStringSubmatch(l.text); m != nil {
			author, id, _ = strings.Cut(m[1], ":")
			return author, id
		}
	}
	return "", ""
}

// Liquibase reads the changelogs it is given: its deferred directory sits
// beside them (the default).
func (Liquibase) DeferredDir(dir string) string { return besideDeferred(dir) }
func (f Liquibase) DeferredFormat() Format      { return f }

// Liquibase runs a changeset with runInTransaction:false statement by
// statement.
func (Liquibase) Separation() TxMode { return TxNone }
func (Liquibase) NoTxFix() string {
	return "put the statement in a changeset of its own with runInTransaction:false"
}

// WriteMigration writes a formatted SQL changelog of one changeset, named
// after the first changeset of src with the suffix.
func (Liquibase) WriteMigration(header, up, _ string, tx TxMode, src, suffix string) string {
	return "--liquibase formatted sql\n" + header + changesets(src, suffix, tx, []string{up})
}

// changesets writes Liquibase changesets, one per part, named after the
// first changeset of src with the suffix (and a number after the first),
// in transaction mode tx (runInTransaction:false with TxNone). A part
// whose dollar-quoted bodies hold ";" is not split by Liquibase
// (splitStatements:false): it goes to the database as one string, which
// is safe only when the part is one statement or one transaction.
func changesets(src, suffix string, tx TxMode, parts []string) string {
	author, id := LiquibaseChangeset([]byte(src))
	var b strings.Builder
	for i, part := range parts {
		fmt.Fprintf(&b, "--changeset %s:%s-%s", orDefault(author, "phasegate"), orDefault(id, "split"), suffix)
		if i > 0 {
			fmt.Fprintf(&b, "-%d", i+1)
		}
		if tx == TxNone {
			b.WriteString(" runInTransaction:false")
		}
		if LiquibaseWouldCut(part) {
			b.WriteString(" splitStatements:false")
		}
		b.WriteString("\n" + part)
	}
	return b.String()
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Changelog: Liquibase files are changelogs of changesets.
func (Liquibase) Changelog() bool { return true }

// SendWhole marks the changeset at offset at splitStatements:false.
func (Liquibase) SendWhole(src []byte, at int) []byte { return LiquibaseNoSplit(src, at) }
