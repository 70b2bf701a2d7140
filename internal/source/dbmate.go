package source

import (
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/phasegate/phasegate/internal/sqltext"
)

// Dbmate is github.com/amacneil/dbmate: VERSION_NAME.sql files (ordered
// by file name) with "-- migrate:up" and "-- migrate:down" sections. A
// section runs in a transaction; with transaction:false it is still sent as
// one query, which PostgreSQL runs as one implicit transaction.
type Dbmate struct{}

func (Dbmate) Name() string { return "dbmate" }

func (f Dbmate) Detect(fsys fs.FS, dir string) bool {
	return anyFileHas(fsys, dir, ".sql", "migrate:up")
}

func (f Dbmate) List(fsys fs.FS, dir string) ([]Migration, error) {
	names, err := files(fsys, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	seen := map[string]string{}
	for _, n := range names {
		if path.Ext(n) != ".sql" {
			continue
		}
		v := digitPrefix(n)
		if v == "" {
			continue // dbmate ignores files without a leading version
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("%s: version %s is also used by %s", join(dir, n), v, prev)
		}
		seen[v] = join(dir, n)
		name := strings.TrimPrefix(strings.TrimSuffix(n[len(v):], ".sql"), "_")
		out = append(out, Migration{Path: join(dir, n), Format: f.Name(), Version: v, Name: name})
	}
	// dbmate sorts by file name, not by numeric version.
	return out, nil
}

func (Dbmate) Script(m Migration, src []byte) (Script, error) {
	s := Script{Tx: TxFile}
	up, down := -1, len(src)
	for _, l := range lines(src) {
		opts, ok := annotation(l.text, "migrate:up")
		if ok && up < 0 {
			up = nextLine(src, l)
			for _, o := range strings.Fields(opts) {
				if o == "transaction:false" {
					s.Tx = TxImplicit
				}
			}
			continue
		}
		if _, ok := annotation(l.text, "migrate:down"); ok && up >= 0 && down == len(src) {
			down = l.start
		}
	}
	if up < 0 {
		return s, &sqltext.Error{Pos: sqltext.Position{Line: 1, Column: 1},
			Message: `dbmate migration has no "-- migrate:up" marker; dbmate refuses to run it`}
	}
	s.Regions = []sqltext.Region{{Start: up, End: down}}
	return s, nil
}

// dbmate does not look into subdirectories.
func (Dbmate) DeferredDir(dir string) string { return insideDeferred(dir) }
func (f Dbmate) DeferredFormat() Format      { return f }

// dbmate with transaction:false sends the section as one query.
func (Dbmate) Separation() TxMode { return TxImplicit }
func (Dbmate) NoTxFix() string {
	return "move the statement to a migration of its own whose marker is -- migrate:up transaction:false (dbmate sends the section as one query, so it must be the only statement)"
}

// WriteMigration writes the up and down sections (dbmate refuses a
// migration without a down section, even an empty one), with
// transaction:false for TxImplicit.
func (Dbmate) WriteMigration(header, up, down string, tx TxMode, _, _ string) string {
	var b strings.Builder
	b.WriteString(header)
	b.WriteString("-- migrate:up")
	if tx == TxImplicit {
		b.WriteString(" transaction:false")
	}
	b.WriteString("\n" + up)
	b.WriteString("\n-- migrate:down\n" + down)
	return b.String()
}
func (Dbmate) InlineDown() bool   { return true }
func (Dbmate) LineEditable() bool { return true }

// MatchFile: a dbmate file carries its migrate:up marker.
func (Dbmate) MatchFile(_ fs.FS, _ string, src []byte) FileMatch {
	if strings.Contains(string(src), "migrate:up") {
		return ByContent
	}
	return NoMatch
}

// RecordsVersionOnly: dbmate's table holds the versions it applied, not
// their content.
func (Dbmate) RecordsVersionOnly() bool { return true }
