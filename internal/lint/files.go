package lint

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/phasegate/phasegate/internal/checker"
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
	if opts.Schema != "" {
		src, err := os.ReadFile(opts.Schema)
		if err != nil {
			return nil, fmt.Errorf("read schema: %w", err)
		}
		f, err := sqltext.Parse(src, sqltext.Options{})
		if err != nil {
			return nil, fmt.Errorf("%s:%w", opts.Schema, err)
		}
		for _, s := range f.Statements {
			cat.Apply(s.Node, schema.Origin{Path: opts.Schema, Line: s.Pos.Line})
		}
	}
	ck := checker.New(cat, opts.Checker)
	fsys := os.DirFS("/")
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
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, err
		}
		rel := strings.TrimPrefix(filepath.ToSlash(abs), "/")
		info, err := os.Stat(abs)
		if err != nil {
			return nil, err
		}
		var format source.Format
		var ms []source.Migration
		if info.IsDir() {
			if format, err = pick(fsys, rel, opts.Format); err != nil {
				return nil, fmt.Errorf("%s: %w", p, err)
			}
			if ms, err = format.List(fsys, rel); err != nil {
				return nil, fmt.Errorf("%s: %w", p, err)
			}
		} else {
			format, err = fileFormat(fsys, rel, opts.Format)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p, err)
			}
			ms = []source.Migration{{Path: rel, Format: format.Name(), Name: path.Base(rel)}}
		}
		format = opts.Source.Apply(format)
		if _, ok := format.(source.Rendered); ok {
			return nil, fmt.Errorf("%s: %s migrations are judged by the SQL the tool runs for them, which needs the project's checkout and history: use phasegate check --base REF", p, format.Name())
		}
		for _, m := range ms {
			if m.Skip != "" {
				continue
			}
			jobs = append(jobs, job{fsys, format, m})
			entries = append(entries, entry{displayPath(p, abs, m.Path), info.IsDir() && !opts.OneChange})
		}
	}
	ahead(jobs, func(i int, pr parsed) bool {
		e, m := entries[i], jobs[i].m
		if pr.err != nil {
			res.Errors = append(res.Errors, fileError(e.display, pr.err))
			return true
		}
		m.Path = e.display
		notes.add(res, e.display, pr.file)
		fr := ck.File(checker.Input{Migration: m, Tx: pr.script.Tx, File: pr.file})
		res.Files = append(res.Files, fr)
		if e.settle {
			cat.Settle() // the next migration finds this one in production
		}
		return true
	})
	res.Gaps = append(res.Gaps, ck.Catalog().Gaps...)
	res.Catalog = ck.Catalog()
	return res, nil
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

func pick(fsys fs.FS, dir, format string) (source.Format, error) {
	if format != "" && format != "auto" {
		return source.Lookup(format)
	}
	return source.Detect(fsys, dir)
}

// fileFormat guesses the format of a single file from its name and
// annotations (source.FileMatcher).
func fileFormat(fsys fs.FS, p, format string) (source.Format, error) {
	if format != "" && format != "auto" {
		return source.Lookup(format)
	}
	src, err := fs.ReadFile(fsys, p)
	if err != nil {
		return nil, err
	}
	return source.FileFormat(fsys, p, src), nil
}
