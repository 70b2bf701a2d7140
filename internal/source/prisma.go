package source

import (
	"io/fs"
	"path"
	"strings"
)

// Prisma is Prisma Migrate: one directory per migration,
// <timestamp>_<name>/migration.sql, applied in name order. Prisma sends the
// file as one multi-statement script.
type Prisma struct{}

func (Prisma) Name() string { return "prisma" }

func (f Prisma) Detect(fsys fs.FS, dir string) bool {
	ds, _ := subdirs(fsys, dir)
	for _, d := range ds {
		if exists(fsys, join(join(dir, d), "migration.sql")) {
			return true
		}
	}
	return false
}

func (f Prisma) List(fsys fs.FS, dir string) ([]Migration, error) {
	ds, err := subdirs(fsys, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, d := range ds {
		p := join(join(dir, d), "migration.sql")
		if !exists(fsys, p) {
			continue
		}
		v, name := d, ""
		if i := strings.IndexByte(d, '_'); i > 0 {
			v, name = d[:i], d[i+1:]
		}
		out = append(out, Migration{Path: p, Format: f.Name(), Version: v, Name: name})
	}
	return out, nil
}

func (Prisma) Script(Migration, []byte) (Script, error) {
	return Script{Tx: TxImplicit}, nil
}

// Prisma takes every subdirectory as a migration: its deferred directory
// sits beside its own (the default).
func (Prisma) DeferredDir(dir string) string { return besideDeferred(dir) }
func (f Prisma) DeferredFormat() Format      { return f }
func (Prisma) DeferredPath(dir string, m Migration) string {
	return contractDir(dir, m)
}
func (Prisma) DirPerMigration() bool { return true }
func (Prisma) OwnsSubdirs() bool     { return true }

// Prisma sends a file as one query.
func (Prisma) Separation() TxMode { return TxImplicit }
func (Prisma) NoTxFix() string {
	return "put the statement alone in a migration file of its own: a single statement runs outside a transaction"
}
func (Prisma) LineEditable() bool { return true }

// MatchFile: a Prisma migration is a migration.sql.
func (Prisma) MatchFile(_ fs.FS, p string, _ []byte) FileMatch {
	if path.Base(p) == "migration.sql" {
		return ByName
	}
	return NoMatch
}
