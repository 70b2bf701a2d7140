package source

import (
	"bytes"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Pop is github.com/gobuffalo/pop: VERSION_NAME[.DIALECT][.autocommit].up.
// (sql|fizz) files. For PostgreSQL the ".postgres" file of a version wins
// over the dialect-less one. Files run in a transaction; ory/x popx's
// ".autocommit" files run without one, but as one query (an implicit
// transaction). Versions are ordered lexically. Fizz files are listed for
// order but cannot be read. pop renders every file as a Go template before
// running it (see Render): Settings gives the options its templates read.
type Pop struct {
	Settings *Settings
}

var popName = lazyRegexp(`^(\d+)_([^.]+)(\.[a-z0-9]+)?(\.autocommit)?\.(up|down)\.(sql|fizz)$`)

func (Pop) Name() string { return "pop" }

func (f Pop) Detect(fsys fs.FS, dir string) bool {
	names, _ := files(fsys, dir)
	var plain []string
	for _, n := range names {
		m := popName().FindStringSubmatch(n)
		if m != nil && (m[3] == ".postgres" || m[6] == "fizz" || m[4] != "") {
			return true
		}
		if m != nil && m[5] == "up" {
			plain = append(plain, n)
		}
	}
	// N_name.up.sql files are golang-migrate's too; pop's read their
	// template data (supabase/auth: {{ index .Options "Namespace" }}).
	paths := make([]string, len(plain))
	for i, n := range plain {
		paths[i] = join(dir, n)
	}
	for b, err := range ReadEach(fsys, paths) {
		if err == nil && IsPopTemplate(b) {
			return true
		}
	}
	return false
}

// popAction finds a template action that reads pop's data: {{ .Options...
// }}, {{ index .Options "..." }}, {{ if .IsPostgreSQL }}. A mustache-like
// {{name}} in a string literal is not one.
var popAction = lazyRegexp(`\{\{-?\s*(?:(?:if|with|range|not|and|or|index|identifier|print|printf)\s+)*\(?\.[A-Z]`)

// IsPopTemplate reports whether a migration file holds a pop template
// action.
func IsPopTemplate(src []byte) bool {
	return bytes.Contains(src, []byte("{{")) && popAction().Match(src)
}

func (f Pop) List(fsys fs.FS, dir string) ([]Migration, error) {
	names, err := files(fsys, dir)
	if err != nil {
		return nil, err
	}
	byVersion := map[string]Migration{}
	for _, n := range names {
		m := popName().FindStringSubmatch(n)
		if m == nil || m[5] != "up" {
			continue
		}
		dialect, autocommit := m[3], m[4] != ""
		if dialect == ".autocommit" { // the optional dialect matched the flag
			dialect, autocommit = "", true
		}
		if dialect != "" && dialect != ".postgres" {
			continue
		}
		mig := Migration{Path: join(dir, n), Format: f.Name(), Version: m[1], Name: m[2], NoTx: autocommit}
		if m[6] == "fizz" {
			mig.Skip = "pop fizz migration: phasegate reads SQL only"
		}
		prev, dup := byVersion[m[1]]
		if dup && popDialect(prev.Path) == ".postgres" && dialect == "" {
			continue // the PostgreSQL-specific file wins
		}
		byVersion[m[1]] = mig
	}
	out := make([]Migration, 0, len(byVersion))
	for _, m := range byVersion {
		out = append(out, m)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

func popDialect(p string) string {
	if m := popName().FindStringSubmatch(path.Base(p)); m != nil && m[3] != ".autocommit" {
		return m[3]
	}
	return ""
}

func (Pop) Script(m Migration, _ []byte) (Script, error) {
	if m.NoTx {
		return Script{Tx: TxImplicit}, nil
	}
	return Script{Tx: TxFile}, nil
}

// pop reads its directory recursively: its deferred directory sits beside
// it (the default). The deferred format keeps f's settings.
func (Pop) DeferredDir(dir string) string { return besideDeferred(dir) }
func (f Pop) DeferredFormat() Format      { return f }
func (Pop) DeferredPath(dir string, m Migration) string {
	return contractFirstDot(dir, m)
}
func (Pop) NoTxFix() string {
	return "move the statement to a .autocommit.up.sql migration of its own (it must be the only statement)"
}
func (Pop) DownPath(up string) string { return strings.Replace(up, ".up.", ".down.", 1) }
func (Pop) LineEditable() bool        { return true }

// MatchFile: N_name.up.sql with pop's dialect or autocommit part, or a
// template (plain N_name.up.sql files are golang-migrate's).
func (Pop) MatchFile(_ fs.FS, p string, src []byte) FileMatch {
	base := path.Base(p)
	if upFileName(base) && (strings.Contains(base, ".postgres.") || strings.Contains(base, ".autocommit.") || IsPopTemplate(src)) {
		return ByName
	}
	return NoMatch
}

// RecordsVersionOnly: pop's table holds the versions it applied, not
// their content.
func (Pop) RecordsVersionOnly() bool { return true }
