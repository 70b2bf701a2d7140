package split

import (
	"io/fs"
	"path"
	"strings"
	"testing/fstest"

	"github.com/phasegate/phasegate/internal/source"
)

// checksum adds the new checksum file of dir (Atlas's atlas.sum) to a
// plan: the tool refuses a directory whose files do not match it.
func checksum(c source.Checksummed, fsys fs.FS, dir string, plan *Plan) error {
	after := fstest.MapFS{}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		after[path.Join(dir, e.Name())] = &fstest.MapFile{Data: b}
	}
	for _, c := range plan.Changes {
		if path.Dir(c.Path) != dir {
			continue
		}
		if c.Delete {
			delete(after, c.Path)
		} else {
			after[c.Path] = &fstest.MapFile{Data: []byte(c.New)}
		}
	}
	sum, err := c.Sum(after, dir)
	if err != nil {
		return err
	}
	p := c.ChecksumFile(dir)
	old, _ := fs.ReadFile(fsys, p)
	if string(old) != string(sum) {
		plan.Changes = append(plan.Changes, FileChange{Path: p, Old: string(old), New: string(sum)})
	}
	return nil
}

// configFile is a file beside a migration that configures how it runs.
type configFile struct {
	path string
	// deferredPath names the copy beside the deferred migration.
	deferredPath func(deferredMigration string) string
}

func configFiles(f source.Format, migration string) []configFile {
	c, ok := f.(source.TxConfigFiler)
	if !ok {
		return nil
	}
	return []configFile{{c.ConfigFile(migration), c.ConfigFile}}
}

// deferredPathOf names the deferred migration (source.DeferredPath).
func deferredPathOf(opts Options, m source.Migration) string {
	return source.DeferredPath(opts.Format, opts.DeferredDir, m)
}

// wrap builds a new migration in the format's layout
// (source.WriteMigration).
func wrap(f source.Format, header, up, down string, tx source.TxMode, src, suffix string) string {
	return source.WriteMigration(f, header, up, down, tx, src, suffix)
}

// txCompanions are the files beside a new migration at p that tell the
// tool to run it in mode tx, when the tool reads that from a file of its
// own (Flyway's script configuration, Diesel's metadata.toml). base is the
// original migration's configuration file, "" if none: its other settings
// are kept.
func txCompanions(f source.Format, p string, tx source.TxMode, base string) map[string]string {
	out := map[string]string{}
	if c, ok := f.(source.TxConfigFiler); ok {
		if content, ok := c.TxConfig(tx, base); ok {
			out[c.ConfigFile(p)] = content
		}
	}
	return out
}

// downPathOf names the down file of the migration at up, for a format
// that keeps one (source.DownFiler).
func downPathOf(f source.Format, up string) string {
	if d, ok := f.(source.DownFiler); ok {
		return d.DownPath(up)
	}
	return up
}

// statementText writes one statement split generates, with its semicolon,
// inside the tool's statement block when the tool would otherwise cut it
// at a line ending in ";" (a function body, a DO block: goose,
// sql-migrate).
func statementText(f source.Format, sql string) string {
	if strings.HasPrefix(sql, "--") && !strings.Contains(sql, "\n") {
		return sql + "\n" // a note, not a statement
	}
	text := sql + ";\n"
	if b, ok := f.(source.Blocker); ok && source.CutInside(text) {
		begin, end := b.BlockMarkers()
		text = begin + "\n" + text + end + "\n"
	}
	return text
}
