package source

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// GolangMigrate is github.com/golang-migrate/migrate: files named
// VERSION_NAME.up.sql and VERSION_NAME.down.sql in one directory (not
// recursive), VERSION an unsigned integer. Its postgres driver sends a whole
// file as one query, so a file of several statements runs in one implicit
// transaction.
type GolangMigrate struct{}

// golangMigrateName splits a file name as golang-migrate's pattern
// ^([0-9]+)_(.*)\.(down|up)\.(.*)$ does (the name runs to the last
// ".up." or ".down."), without a regular expression: a history's
// directory is listed on every check, thousands of names.
func golangMigrateName(n string) (version, name, direction, ext string, ok bool) {
	if strings.IndexByte(n, '\n') >= 0 {
		return "", "", "", "", false // the pattern's . does not match a newline
	}
	digits := 0
	for digits < len(n) && n[digits] >= '0' && n[digits] <= '9' {
		digits++
	}
	if digits == 0 || digits == len(n) || n[digits] != '_' {
		return "", "", "", "", false
	}
	rest := n[digits+1:]
	up, down := strings.LastIndex(rest, ".up."), strings.LastIndex(rest, ".down.")
	switch {
	case up < 0 && down < 0:
		return "", "", "", "", false
	case up > down:
		return n[:digits], rest[:up], "up", rest[up+len(".up."):], true
	default:
		return n[:digits], rest[:down], "down", rest[down+len(".down."):], true
	}
}

func (GolangMigrate) Name() string { return "golang-migrate" }

func (f GolangMigrate) Detect(fsys fs.FS, dir string) bool {
	names, _ := files(fsys, dir)
	for _, n := range names {
		if _, _, direction, ext, ok := golangMigrateName(n); ok && direction == "up" && ext == "sql" {
			return true
		}
	}
	return false
}

func (f GolangMigrate) List(fsys fs.FS, dir string) ([]Migration, error) {
	names, err := files(fsys, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	seen := map[string]string{}
	for _, n := range names {
		version, name, direction, _, ok := golangMigrateName(n)
		if !ok || direction != "up" {
			continue
		}
		v := trimVersion(version)
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("%s: version %s is also used by %s (golang-migrate refuses duplicate versions)", join(dir, n), version, prev)
		}
		seen[v] = join(dir, n)
		out = append(out, Migration{Path: join(dir, n), Format: f.Name(), Version: version, Name: name})
	}
	sortByVersion(out)
	return out, nil
}

func (GolangMigrate) Script(Migration, []byte) (Script, error) {
	return Script{Tx: TxImplicit}, nil
}

// trimVersion drops leading zeros, so 0001 and 1 are the same version.
func trimVersion(v string) string {
	for len(v) > 1 && v[0] == '0' {
		v = v[1:]
	}
	return v
}

// sortByVersion orders migrations by numeric version.
func sortByVersion(ms []Migration) {
	sort.SliceStable(ms, func(i, j int) bool { return compareNumbers(ms[i].Version, ms[j].Version) < 0 })
}

// golang-migrate does not look into subdirectories: its deferred
// migrations sit in one, named like its own.
func (GolangMigrate) DeferredDir(dir string) string { return insideDeferred(dir) }
func (f GolangMigrate) DeferredFormat() Format      { return f }
func (GolangMigrate) DeferredPath(dir string, m Migration) string {
	return contractFirstDot(dir, m)
}

// golang-migrate sends a file as one query: PostgreSQL runs it as one
// implicit transaction, which a COMMIT divides.
func (GolangMigrate) Separation() TxMode { return TxImplicit }
func (GolangMigrate) NoTxFix() string {
	return "put the statement alone in a migration file of its own: a single statement runs outside a transaction"
}
func (GolangMigrate) DownPath(up string) string { return strings.Replace(up, ".up.", ".down.", 1) }
func (GolangMigrate) OutOfOrderEffect() string {
	return "golang-migrate never applies it on databases past that version"
}
func (GolangMigrate) LineEditable() bool { return true }

// MatchFile: N_name.up.sql.
func (GolangMigrate) MatchFile(_ fs.FS, p string, _ []byte) FileMatch {
	if upFileName(path.Base(p)) {
		return ByName
	}
	return NoMatch
}

// RecordsVersionOnly: golang-migrate's table holds the versions it applied, not
// their content.
func (GolangMigrate) RecordsVersionOnly() bool { return true }
