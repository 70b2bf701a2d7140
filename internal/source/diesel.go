package source

import (
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Diesel is Diesel's migrations: one directory per migration,
// <version>_<name>/up.sql, applied in lexical order of the version (the
// name before the first "_", dashes removed). Each runs in a transaction
// unless its metadata.toml turns run_in_transaction off (a metadata.toml
// without the key turns it off too: serde's default is false); the file is
// still sent as one query, so it runs as one implicit transaction.
type Diesel struct{}

var dieselTx = lazyRegexp(`(?m)^\s*run_in_transaction\s*=\s*true\b`)

func (Diesel) Name() string { return "diesel" }

func (f Diesel) Detect(fsys fs.FS, dir string) bool {
	ds, _ := subdirs(fsys, dir)
	for _, d := range ds {
		if exists(fsys, join(join(dir, d), "up.sql")) {
			return true
		}
	}
	return false
}

func (f Diesel) List(fsys fs.FS, dir string) ([]Migration, error) {
	ds, err := subdirs(fsys, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, d := range ds {
		p := join(join(dir, d), "up.sql")
		if !exists(fsys, p) {
			continue
		}
		v, name := d, ""
		if i := strings.IndexByte(d, '_'); i > 0 {
			v, name = d[:i], d[i+1:]
		}
		m := Migration{Path: p, Format: f.Name(), Version: v, Name: name}
		if meta, err := fs.ReadFile(fsys, join(join(dir, d), "metadata.toml")); err == nil && !dieselTx().Match(meta) {
			m.NoTx = true
		}
		out = append(out, m)
	}
	key := func(m Migration) string { return strings.ReplaceAll(m.Version, "-", "") }
	sort.SliceStable(out, func(i, j int) bool { return key(out[i]) < key(out[j]) })
	return out, nil
}

func (Diesel) Script(m Migration, _ []byte) (Script, error) {
	if m.NoTx {
		return Script{Tx: TxImplicit}, nil
	}
	return Script{Tx: TxFile}, nil
}

// Diesel treats every visible subdirectory as a migration: its deferred
// directory is hidden.
func (Diesel) DeferredDir(dir string) string { return path.Join(dir, ".deferred") }
func (f Diesel) DeferredFormat() Format      { return f }
func (Diesel) DeferredPath(dir string, m Migration) string {
	return contractDir(dir, m)
}
func (Diesel) DirPerMigration() bool { return true }
func (Diesel) OwnsSubdirs() bool     { return true }

// Diesel with run_in_transaction = false sends the file as one query.
func (Diesel) Separation() TxMode { return TxImplicit }
func (Diesel) NoTxFix() string {
	return "move the statement to a migration of its own whose metadata.toml says run_in_transaction = false (Diesel sends the file as one query, so it must be the only statement)"
}
func (Diesel) ConfigFile(p string) string { return path.Join(path.Dir(p), "metadata.toml") }
func (Diesel) TxConfig(tx TxMode, base string) (string, bool) {
	if tx != TxImplicit {
		return "", false
	}
	return setting(base, "run_in_transaction", "run_in_transaction = false"), true
}
func (Diesel) DownPath(up string) string { return strings.TrimSuffix(up, "up.sql") + "down.sql" }
func (Diesel) LineEditable() bool        { return true }

// MatchFile: a Diesel migration is an up.sql.
func (Diesel) MatchFile(_ fs.FS, p string, _ []byte) FileMatch {
	if path.Base(p) == "up.sql" {
		return ByName
	}
	return NoMatch
}

// RecordsVersionOnly: Diesel's table holds the versions it applied, not
// their content.
func (Diesel) RecordsVersionOnly() bool { return true }
