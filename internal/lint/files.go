package lint

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/dirfs"
	"github.com/phasegate/phasegate/internal/git"
	"github.com/phasegate/phasegate/internal/schema"
	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// FilesOptions configure Files.
type FilesOptions struct {
	// Schema is a SQL file replayed as the production schema.
	Schema string
	// Format forces the migration format; empty detects it per path.
	Format  string
	Checker checker.Options
	// OneChange judges the migrations of a directory as one change, like
	// files given one by one: objects an earlier migration creates count as
	// new in the later ones (nothing of the directory is in production
	// yet, as before a service's first release).
	OneChange bool
	// Source configures the formats (pop's template options).
	Source source.Settings
	// FS, if set, is where paths (and Schema) are read, as slash-separated
	// paths of fsys; nil reads the operating system's files.
	FS fs.FS
	// SchemaSQL is production's schema as SQL, used when Schema is empty.
	SchemaSQL []byte
}

// Files judges migration files outside git: each path is a file or a
// migrations directory, judged in the order given against an empty schema
// (plus opts.Schema). Nothing counts as existing in production but what
// the schema file creates, and anything the files do not create.
//
// A directory is a migration history: each of its migrations is judged
// against the ones before it, as the pull request that added it was (what
// an earlier migration created is production's, with rows and readers),
// unless opts.OneChange. Files given one by one form one change: what an
// earlier one creates counts as new in the later ones.
func Files(paths []string, opts FilesOptions) (*Result, error) {
	res := &Result{Changed: map[string]git.Status{}}
	cat := schema.New()
	schemaName, schemaSQL := opts.Schema, opts.SchemaSQL
	if opts.Schema != "" {
		var err error
		if opts.FS != nil {
			schemaSQL, err = fs.ReadFile(opts.FS, opts.Schema)
		} else {
			schemaSQL, err = os.ReadFile(opts.Schema)
		}
		if err != nil {
			return nil, fmt.Errorf("read schema: %w", err)
		}
	} else {
		schemaName = "schema"
	}
	if len(schemaSQL) > 0 {
		f, err := sqltext.Parse(schemaSQL, sqltext.Options{})
		if err != nil {
			return nil, fmt.Errorf("%s:%w", schemaName, err)
		}
		for _, s := range f.Statements {
			cat.Apply(s.Node, schema.Origin{Path: schemaName, Line: s.Pos.Line})
		}
	}
	ck := checker.New(cat, opts.Checker)
	fsys, locate := opts.FS, locateFS
	if fsys == nil {
		fsys, locate = dirfs.New("/"), locateOS
	}
	var notes templateNotes
	defer notes.finish(res)
	// Every file to judge, in order; then read and parsed ahead (ahead),
	// judged in turn.
	type entry struct {
		display string
		settle  bool // a migration of a directory: production has it before the next one
	}
	var jobs []job
	var entries []entry
	for _, p := range paths {
		rel, info, display, err := locate(fsys, p)
		if err != nil {
			return nil, err
		}
		if info.IsDir() {
			ms, format, err := listDir(fsys, rel, p, opts.Format, display)
			if err != nil {
				return nil, err
			}
			if format, err = judgeable(p, opts.Source.Apply(format)); err != nil {
				return nil, err
			}
			for _, m := range ms {
				if m.Skip != "" {
					continue
				}
				jobs = append(jobs, job{fsys: fsys, format: format, m: m})
				entries = append(entries, entry{display(m.Path), !opts.OneChange})
			}
			continue
		}
		j := job{fsys: fsys, m: source.Migration{Path: rel, Name: path.Base(rel)}}
		if opts.Format != "" && opts.Format != "auto" {
			format, err := source.Lookup(opts.Format)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p, err)
			}
			if j.format, err = judgeable(p, opts.Source.Apply(format)); err != nil {
				return nil, err
			}
		} else {
			// Detected from the file's contents, on the worker that reads it.
			j.detect = func(src []byte) (source.Format, error) {
				return judgeable(p, opts.Source.Apply(source.FileFormat(fsys, rel, src)))
			}
		}
		jobs = append(jobs, j)
		entries = append(entries, entry{display(rel), false})
	}
	var fatal error
	ahead(jobs, func(i int, pr parsed) bool {
		e, m := entries[i], jobs[i].m
		if pr.fatal != nil {
			fatal = pr.fatal
			return false
		}
		if pr.err != nil {
			res.Errors = append(res.Errors, fileError(e.display, pr.err))
			return true
		}
		m.Path = e.display
		if m.Format == "" {
			m.Format = pr.format.Name()
		}
		notes.add(res, e.display, pr.file)
		fr := ck.File(checker.Input{Migration: m, Tx: pr.script.Tx, File: pr.file})
		res.Files = append(res.Files, fr)
		if e.settle {
			cat.Settle() // the next migration finds this one in production
		}
		return true
	})
	if fatal != nil {
		return nil, fatal
	}
	res.Gaps = append(res.Gaps, ck.Catalog().Gaps...)
	res.Catalog = ck.Catalog()
	return res, nil
}

// locateOS finds the path p a user gave in the operating system's files,
// seen through dirfs.New("/"): its name in that fs, what it is, and how to
// show the files listed under it (relative to p, as the user wrote it).
func locateOS(_ fs.FS, p string) (string, fs.FileInfo, func(string) string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", nil, nil, err
	}
	info, err := os.Stat(abs)
	if err != nil {
		return "", nil, nil, err
	}
	rel := strings.TrimPrefix(filepath.ToSlash(abs), "/")
	return rel, info, func(listed string) string { return displayPath(p, abs, listed) }, nil
}

// locateFS finds p in fsys: listed files are shown as fsys names them.
func locateFS(fsys fs.FS, p string) (string, fs.FileInfo, func(string) string, error) {
	name := path.Clean(strings.TrimPrefix(p, "./"))
	info, err := fs.Stat(fsys, name)
	if err != nil {
		return "", nil, nil, err
	}
	return name, info, func(listed string) string { return listed }, nil
}

// displayPath shows a listed file relative to the argument the user gave.
func displayPath(arg, absArg, listed string) string {
	full := "/" + listed
	if full == filepath.ToSlash(absArg) {
		return filepath.ToSlash(arg)
	}
	rel, err := filepath.Rel(absArg, filepath.FromSlash(full))
	if err != nil {
		return listed
	}
	return filepath.ToSlash(filepath.Join(arg, rel))
}

// listDir lists the migrations of the directory dir of fsys, which the
// user named arg, in format (detected when "" or "auto"). Its errors name
// the directory and its files as the user named them (display shows a
// path of fsys so). A format given that lists nothing where another's
// files are is a *source.FormatError.
func listDir(fsys fs.FS, dir, arg, format string, display func(string) string) ([]source.Migration, source.Format, error) {
	var f source.Format
	var err error
	if format != "" && format != "auto" {
		f, err = source.Lookup(format)
	} else {
		f, err = source.Detect(fsys, dir)
	}
	var ms []source.Migration
	if err == nil {
		ms, err = f.List(fsys, dir)
	}
	if err == nil && len(ms) == 0 {
		err = source.NoMigrations(fsys, dir, f)
	}
	if fe := (*source.FormatError)(nil); errors.As(err, &fe) {
		fe.Dir = arg
		if fe.Example != "" {
			fe.Example = display(fe.Example)
		}
		return nil, nil, fe
	}
	if err != nil {
		msg, named := shownAs(err.Error(), dir, arg)
		if !named {
			msg = arg + ": " + msg
		}
		return nil, nil, shownError{msg, err}
	}
	return ms, f, nil
}

// shownAs rewrites the paths under dir, a directory of the fs.FS that the
// user named arg, in a format's error message as the user names them:
// through dirfs.New("/"), the directory /tmp/m is tmp/m. It reports
// whether msg names any.
func shownAs(msg, dir, arg string) (string, bool) {
	if dir == "" || dir == "." {
		return msg, false
	}
	shown := path.Clean(filepath.ToSlash(arg))
	var b strings.Builder
	named := false
	for {
		i := strings.Index(msg, dir)
		if i < 0 {
			break
		}
		end := i + len(dir)
		b.WriteString(msg[:i])
		switch {
		case i > 0 && !strings.ContainsRune(" (", rune(msg[i-1])) || end < len(msg) && !strings.ContainsRune("/:,; )", rune(msg[end])):
			b.WriteString(dir) // a longer name that contains dir
		case shown == "." && end < len(msg) && msg[end] == '/':
			end++ // ./m.sql is m.sql
			named = true
		default:
			b.WriteString(shown)
			named = true
		}
		msg = msg[end:]
	}
	b.WriteString(msg)
	return b.String(), named
}

// shownError is an error whose message shownAs rewrote.
type shownError struct {
	msg string
	err error
}

func (e shownError) Error() string { return e.msg }
func (e shownError) Unwrap() error { return e.err }

// judgeable returns format, or an error when files in it cannot be judged
// outside git (path is the argument that named them).
func judgeable(path string, format source.Format) (source.Format, error) {
	if _, ok := format.(source.Rendered); ok {
		return nil, fmt.Errorf("%s: %s migrations are judged by the SQL the tool runs for them, which needs the project's checkout and history: use phasegate check --base REF", path, format.Name())
	}
	return format, nil
}
