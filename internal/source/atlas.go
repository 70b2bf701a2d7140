package source

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/phasegate/phasegate/internal/sqltext"
)

// Atlas is an Atlas (ariga.io/atlas) versioned migration directory: the
// .sql files beside an atlas.sum, applied in name order. Each file runs in
// one transaction unless it says "-- atlas:txmode none". atlas.sum records
// a hash of every file; Atlas refuses a directory whose files no longer
// match it, so whatever phasegate writes there it writes with a new
// atlas.sum (see AtlasSum).
type Atlas struct{}

// AtlasSumFile is the name of Atlas's integrity file.
const AtlasSumFile = "atlas.sum"

var (
	atlasTxNone     = lazyRegexp(`^--\s*atlas:txmode\s+none\b`)
	atlasCheckpoint = lazyRegexp(`^--\s*atlas:checkpoint\b`)
	// atlasDirective is Atlas's own pattern for a file's first line.
	atlasDirective = lazyRegexp(`^([ -~]*)atlas:(\w+)(?: +([ -~]*))*`)
)

func (Atlas) Name() string { return "atlas" }

func (Atlas) Detect(fsys fs.FS, dir string) bool {
	return exists(fsys, join(dir, AtlasSumFile))
}

func (f Atlas) List(fsys fs.FS, dir string) ([]Migration, error) {
	bases, err := sqlFiles(fsys, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, base := range bases {
		n := base + ".sql"
		v, name, _ := strings.Cut(base, "_")
		m := Migration{Path: join(dir, n), Format: f.Name(), Version: v, Name: name}
		if b, err := fs.ReadFile(fsys, m.Path); err == nil {
			for _, d := range atlasDirectives(b) {
				if atlasCheckpoint().MatchString(d) {
					m.Kind = Checkpoint
				}
			}
		}
		out = append(out, m)
	}
	return out, nil // Atlas applies them in name order, as files lists them
}

func (Atlas) Script(m Migration, src []byte) (Script, error) {
	for _, d := range atlasDirectives(src) {
		if atlasTxNone().MatchString(d) {
			return Script{Tx: TxNone}, nil
		}
	}
	return Script{Tx: TxFile}, nil
}

// atlasDirectives returns the comment lines Atlas reads directives from:
// the comment block that opens the file, and only when a blank line
// separates it from the statements (Atlas's own rule; a directive
// anywhere else is an ordinary comment).
func atlasDirectives(src []byte) []string {
	var block []string
	for _, l := range lines(src) {
		t := strings.TrimSpace(l.text)
		switch {
		case strings.HasPrefix(t, "--"):
			block = append(block, t)
		case t == "":
			return block
		default:
			return nil
		}
	}
	return nil
}

func (Atlas) NextPath(dir string, ms []Migration, name string, now time.Time) string {
	return join(dir, nextNumber(versionsOf(ms), now)+"_"+Slug(name)+".sql")
}

// AtlasSum computes the atlas.sum of directory dir as "atlas migrate hash"
// writes it: a running SHA-256 over each file's name and content, in name
// order, and a first line that hashes the list.
func AtlasSum(fsys fs.FS, dir string) ([]byte, error) {
	names, err := files(fsys, dir)
	if err != nil {
		return nil, err
	}
	type entry struct{ name, hash string }
	var entries []entry
	h := sha256.New()
	var sqls, paths []string
	for _, n := range names {
		if path.Ext(n) == ".sql" {
			sqls, paths = append(sqls, n), append(paths, join(dir, n))
		}
	}
	i := 0
	for b, err := range ReadEach(fsys, paths) {
		if err != nil {
			return nil, err
		}
		n := sqls[i]
		i++
		h.Write([]byte(n))
		if atlasSumIgnored(b) {
			continue
		}
		h.Write(b)
		entries = append(entries, entry{n, base64.StdEncoding.EncodeToString(h.Sum(nil))})
	}
	total := sha256.New()
	var body bytes.Buffer
	for _, e := range entries {
		total.Write([]byte(e.name))
		total.Write([]byte(e.hash))
		fmt.Fprintf(&body, "%s h1:%s\n", e.name, e.hash)
	}
	return append([]byte("h1:"+base64.StdEncoding.EncodeToString(total.Sum(nil))+"\n"), body.Bytes()...), nil
}

// atlasSumIgnored reports a file whose first line is "-- atlas:sum ignore".
func atlasSumIgnored(b []byte) bool {
	first, _, _ := bytes.Cut(b, []byte("\n"))
	m := atlasDirective().FindSubmatch(first)
	return m != nil && string(m[2]) == "sum" && strings.TrimSpace(string(m[3])) == "ignore"
}

// CheckAtlasSum reports an atlas.sum that does not match its directory.
func CheckAtlasSum(fsys fs.FS, dir string) error {
	have, err := fs.ReadFile(fsys, join(dir, AtlasSumFile))
	if err != nil {
		return err
	}
	want, err := AtlasSum(fsys, dir)
	if err != nil {
		return err
	}
	if !bytes.Equal(bytes.TrimSpace(have), bytes.TrimSpace(want)) {
		return &sqltext.Error{Pos: sqltext.Position{Line: 1, Column: 1},
			Message: "atlas.sum does not match the migration files; Atlas refuses to apply them: run atlas migrate hash"}
	}
	return nil
}

// Atlas reads only the files of its directory: its deferred directory
// sits beside it (the default).
func (Atlas) DeferredDir(dir string) string { return besideDeferred(dir) }
func (f Atlas) DeferredFormat() Format      { return f }
func (Atlas) Separation() TxMode            { return TxNone }
func (Atlas) NoTxFix() string {
	return "add -- atlas:txmode none at the top of the file, or move the statement to a file of its own that has it"
}

// WriteMigration writes atlas:txmode none for TxNone. Atlas reads
// directives only in the opening comment block, which a blank line must
// end.
func (Atlas) WriteMigration(header, up, _ string, tx TxMode, _, _ string) string {
	s := header
	if tx == TxNone {
		s += "-- atlas:txmode none\n\n"
	}
	return s + up
}

// Atlas refuses a directory whose files do not match its atlas.sum.
func (Atlas) ChecksumFile(dir string) string             { return join(dir, AtlasSumFile) }
func (Atlas) CheckSum(fsys fs.FS, dir string) error      { return CheckAtlasSum(fsys, dir) }
func (Atlas) Sum(fsys fs.FS, dir string) ([]byte, error) { return AtlasSum(fsys, dir) }
