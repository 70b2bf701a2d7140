package split

import (
	"fmt"
	"io/fs"
	"path"
	"strings"
	"testing/fstest"

	"github.com/phasegate/phasegate/internal/source"
)

// atlasSum adds the new atlas.sum of dir to an Atlas plan: Atlas refuses a
// directory whose files do not match it.
func atlasSum(fsys fs.FS, dir string, plan *Plan) error {
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
	sum, err := source.AtlasSum(after, dir)
	if err != nil {
		return err
	}
	p := path.Join(dir, source.AtlasSumFile)
	old, _ := fs.ReadFile(fsys, p)
	if string(old) != string(sum) {
		plan.Changes = append(plan.Changes, FileChange{Path: p, Old: string(old), New: string(sum)})
	}
	return nil
}

// perDirectory reports formats that keep each migration in a directory of
// its own: a directory a split empties is removed, or the tool would take
// it for a migration.
func perDirectory(f source.Format) bool {
	switch f.(type) {
	case source.Prisma, source.Diesel:
		return true
	}
	return false
}

// configFile is a file beside a migration that configures how it runs.
type configFile struct {
	path string
	// deferredPath names the copy beside the deferred migration.
	deferredPath func(deferredMigration string) string
}

func configFiles(f source.Format, migration string) []configFile {
	switch f.(type) {
	case source.Diesel:
		return []configFile{{path.Join(path.Dir(migration), "metadata.toml"), func(d string) string { return path.Join(path.Dir(d), "metadata.toml") }}}
	case source.Flyway:
		return []configFile{{migration + ".conf", func(d string) string { return d + ".conf" }}}
	}
	return nil
}

// deferredPathOf names the deferred migration: the original's name with
// "_contract", in the deferred directory, in the format's naming scheme
// (the follow-up bot gives it its final version).
func deferredPathOf(opts Options, m source.Migration) string {
	dir := opts.DeferredDir
	base := path.Base(m.Path)
	switch opts.Format.(type) {
	case source.Prisma, source.Diesel:
		// One directory per migration.
		parent := path.Base(path.Dir(m.Path))
		return path.Join(dir, parent+"_contract", base)
	case source.GolangMigrate, source.Pop:
		i := strings.Index(base, ".")
		return path.Join(dir, base[:i]+"_contract"+base[i:])
	}
	ext := path.Ext(base)
	return path.Join(dir, strings.TrimSuffix(base, ext)+"_contract"+ext)
}

// downPathOf is a golang-migrate, pop or Diesel up file's down
// companion, or a sqitch deploy script's revert script.
func downPathOf(upPath string) string {
	if strings.Contains(upPath, "/deploy/") && !strings.Contains(upPath, ".up.") && !strings.HasSuffix(upPath, "/up.sql") {
		return strings.Replace(upPath, "/deploy/", "/revert/", 1)
	}
	if strings.HasSuffix(upPath, "/up.sql") {
		return strings.TrimSuffix(upPath, "up.sql") + "down.sql"
	}
	return strings.Replace(upPath, ".up.", ".down.", 1)
}

// wrap builds a new migration in the format's layout: header (comment
// lines), the up and down SQL, in transaction mode tx (the tool's usual
// one, or the way it is told to run the file without one, TxNone, or as
// one implicit transaction, TxImplicit). src is the migration it comes
// from, and suffix what this one is: Liquibase's changeset is named after
// the first with the suffix ("2-contract").
func wrap(f source.Format, header, up, down string, tx source.TxMode, src, suffix string) string {
	var b strings.Builder
	if _, ok := f.(source.Liquibase); ok {
		b.WriteString("--liquibase formatted sql\n")
	}
	b.WriteString(header)
	switch f.(type) {
	case source.Goose:
		b.WriteString("-- +goose Up\n")
		if tx == source.TxNone {
			b.WriteString("-- +goose NO TRANSACTION\n")
		}
		b.WriteString(up)
		if down != "" {
			b.WriteString("\n-- +goose Down\n" + down)
		}
	case source.SQLMigrate:
		b.WriteString("-- +migrate Up")
		if tx == source.TxNone {
			b.WriteString(" notransaction")
		}
		b.WriteString("\n" + up)
		if down != "" {
			b.WriteString("\n-- +migrate Down\n" + down)
		}
	case source.Atlas:
		if tx == source.TxNone {
			// Atlas reads directives only in the opening comment block,
			// which a blank line must end.
			b.WriteString("-- atlas:txmode none\n\n")
		}
		b.WriteString(up)
	case source.Liquibase:
		b.WriteString(changesets(src, suffix, tx, []string{up}))
	case source.Dbmate:
		b.WriteString("-- migrate:up")
		if tx == source.TxImplicit {
			b.WriteString(" transaction:false")
		}
		// dbmate refuses a migration without a down block, even an empty one.
		b.WriteString("\n" + up)
		b.WriteString("\n-- migrate:down\n" + down)
	default:
		b.WriteString(up)
	}
	s := b.String()
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return s
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// separation is how format f runs a migration whose statements must not
// all share one transaction: TxImplicit, as one implicit transaction that
// a COMMIT statement divides (the file is sent as one query), or TxNone,
// each statement on its own (the format's no-transaction marker, which
// wrap and txCompanions write). ok is false when the tool always wraps a
// migration in one transaction.
func separation(f source.Format) (tx source.TxMode, ok bool) {
	switch f.(type) {
	case source.GolangMigrate, source.Prisma, source.Dbmate, source.Diesel:
		return source.TxImplicit, true
	case source.Goose, source.SQLMigrate, source.Atlas, source.Liquibase, source.Flyway, source.Sqitch, source.Plain:
		return source.TxNone, true
	}
	return 0, false
}

// txCompanions are the files beside a new migration at p that tell the
// tool to run it in mode tx, when the tool reads that from a file of its
// own (Flyway's script configuration, Diesel's metadata.toml). base is the
// original migration's file of that kind, if any: its other settings are
// kept.
func txCompanions(f source.Format, p string, tx source.TxMode, base func(string) string) map[string]string {
	out := map[string]string{}
	switch f.(type) {
	case source.Flyway:
		if tx == source.TxNone {
			out[p+".conf"] = setting(base("conf"), "executeInTransaction", "executeInTransaction=false")
		}
	case source.Diesel:
		if tx == source.TxImplicit {
			out[path.Join(path.Dir(p), "metadata.toml")] = setting(base("metadata.toml"), "run_in_transaction", "run_in_transaction = false")
		}
	}
	return out
}

// setting returns a key=value file with key set by line, its other lines
// kept.
func setting(file, key, line string) string {
	var out []string
	for _, l := range strings.Split(strings.TrimRight(file, "\n"), "\n") {
		if l != "" && !strings.HasPrefix(strings.TrimSpace(l), key) {
			out = append(out, l)
		}
	}
	return strings.Join(append(out, line), "\n") + "\n"
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

// changesets writes Liquibase changesets, one per part, named after the
// first changeset of src with the suffix (and a number after the first),
// in transaction mode tx (runInTransaction:false with TxNone). A part
// whose dollar-quoted bodies hold ";" is not split by Liquibase
// (splitStatements:false): it goes to the database as one string, which
// is safe only when the part is one statement or one transaction.
func changesets(src, suffix string, tx source.TxMode, parts []string) string {
	author, id := source.LiquibaseChangeset([]byte(src))
	var b strings.Builder
	for i, part := range parts {
		fmt.Fprintf(&b, "--changeset %s:%s-%s", orDefault(author, "phasegate"), orDefault(id, "split"), suffix)
		if i > 0 {
			fmt.Fprintf(&b, "-%d", i+1)
		}
		if tx == source.TxNone {
			b.WriteString(" runInTransaction:false")
		}
		if source.LiquibaseWouldCut(part) {
			b.WriteString(" splitStatements:false")
		}
		b.WriteString("\n" + part)
	}
	return b.String()
}
