package lint

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing/fstest"
	"time"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/deferred"
	"github.com/phasegate/phasegate/internal/git"
	"github.com/phasegate/phasegate/internal/ormsql"
	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// RenderOptions say how to run the ORM of a rendered format (Alembic).
type RenderOptions struct {
	// Python is the interpreter with the project's dependencies (default
	// python3).
	Python string
	// AlembicConfig is alembic.ini's path in the repository (default: the
	// nearest alembic.ini above the versions directory).
	AlembicConfig string
	// DjangoSettings is DJANGO_SETTINGS_MODULE (default: manage.py's).
	DjangoSettings string
	// Database returns the URL of a new, empty PostgreSQL database: Django
	// writes some of its SQL from the live schema, and capture records
	// what the migrate command runs there. Nil means none is available.
	Database func(ctx context.Context) (string, error)
	// MigrateCommand is the project's migrate command (format capture).
	MigrateCommand string
	// Timeout bounds each rendering (the ORM or the migrate command);
	// zero means 15 minutes.
	Timeout time.Duration
	// Env is added to the migrate command's environment.
	Env []string
	// VersionTables are the project's own version tables (format capture;
	// see render.Capture.VersionTables).
	VersionTables []string
}

// renderedFS serves a rendered format's migration files as their SQL.
type renderedFS struct {
	fs.FS
	sql fstest.MapFS
}

func (r renderedFS) Open(name string) (fs.File, error) {
	if _, ok := r.sql[name]; ok {
		return r.sql.Open(name)
	}
	return r.FS.Open(name)
}

func (r renderedFS) ReadFile(name string) ([]byte, error) {
	if f, ok := r.sql[name]; ok {
		return f.Data, nil
	}
	return fs.ReadFile(r.FS, name)
}

// lineMap maps a rendered file's lines (index: line - 1) to the lines of
// the migration file that produced them.
type lineMap []int

func (m lineMap) pos(p sqltext.Position) sqltext.Position {
	if p.Line < 1 || p.Line > len(m) || m[p.Line-1] == 0 {
		return p
	}
	return sqltext.Position{Line: m[p.Line-1], Column: 1}
}

// line is the line of the migration file that produced line of the
// rendered file, 0 when none did (what phasegate wrote around the SQL).
func (m lineMap) line(line int) int {
	if line < 1 || line > len(m) {
		return 0
	}
	return m[line-1]
}

// checkerLine is the line map the checker takes (checker.Input.Line):
// nil for a file that is its own SQL.
func (m lineMap) checkerLine() func(int) int {
	if m == nil {
		return nil
	}
	return m.line
}

// remap moves a rendered file's positions to the migration file's lines.
func (m lineMap) remap(fr *checker.FileResult) {
	if m == nil {
		return
	}
	for i := range fr.Statements {
		s := &fr.Statements[i]
		s.Pos, s.EndPos = m.pos(s.Pos), m.pos(s.EndPos)
		for j := range s.Findings {
			if p := s.Findings[j].Pos; p != nil {
				q := m.pos(*p)
				s.Findings[j].Pos = &q
			}
		}
	}
}

// Rendering is a version's migrations as the ORM renders them (Alembic,
// Django): its files, with each migration's SQL in place of its code.
type Rendering struct {
	// FS serves the version's files, a migration's SQL in place of its
	// code (the deferred ones' too), and the SQL of installed packages'
	// migrations at their pseudo paths (see Migrations).
	FS fs.FS
	// Migrations are every active migration the ORM applies, in its order:
	// the repository's, and for Django those of installed packages
	// (django.contrib...), at the pseudo path "django:app.name", which a
	// database the runtime check builds needs too.
	Migrations []source.Migration

	lines    map[string]lineMap
	unjudged map[string][]ormsql.Statement // operations that cannot be judged, by file
	failures []FileError
}

// SQL serves only the rendered SQL (of the migrations, the deferred ones
// and the installed packages' ones), without the version's other files.
func (r *Rendering) SQL() fs.FS { return r.FS.(renderedFS).sql }

// Line returns the line of the migration file at path that produced line
// of its rendered SQL (line itself when phasegate cannot tell).
func (r *Rendering) Line(path string, line int) int {
	return r.lines[path].pos(sqltext.Position{Line: line, Column: 1}).Line
}

// RenderAt renders the migrations of dir, and those of deferredDir, at a
// revision (rev "" is the work tree), as the static check does.
func RenderAt(ctx context.Context, r *git.Repo, rev string, format source.Format, dir, deferredDir string, opts RenderOptions) (*Rendering, error) {
	var fsys fs.FS = os.DirFS(r.Root)
	if rev != "" {
		t, err := r.FS(ctx, rev)
		if err != nil {
			return nil, err
		}
		defer t.Close()
		fsys = t
	}
	return renderAt(ctx, r, rev, fsys, format, dir, deferredDir, opts)
}

// renderAt runs the ORM of a rendered format at a revision (rev "" is the
// work tree) and returns the migrations' file system with their SQL in
// place of their code, and each file's line map. The migrations of
// deferredDir are rendered too (after the others), except for capture.
//
// A capture whose migrate command fails returns what it recorded up to the
// failure, and the failure as a FileError.
func renderAt(ctx context.Context, r *git.Repo, rev string, fsys fs.FS, format source.Format, dir, deferredDir string, opts RenderOptions) (*Rendering, error) {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = 15 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return renderFiles(ctx, r, rev, fsys, format, dir, deferredDir, opts)
}

func renderFiles(ctx context.Context, r *git.Repo, rev string, fsys fs.FS, format source.Format, dir, deferredDir string, opts RenderOptions) (*Rendering, error) {
	ms, err := format.List(fsys, dir)
	if err != nil {
		return nil, err
	}
	// The deferred directory's migrations written in the ORM's language.
	var deferredCode []source.Migration
	if _, ok := format.(source.Capture); !ok && deferredDir != "" {
		list, err := deferred.Format(format).List(fsys, deferredDir)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", deferredDir, err)
		}
		for _, m := range list {
			if m.Format == format.Name() {
				deferredCode = append(deferredCode, m)
			}
		}
	}
	out := renderedFS{FS: fsys, sql: fstest.MapFS{}}
	res := &Rendering{FS: out, lines: map[string]lineMap{}, unjudged: map[string][]ormsql.Statement{}}
	listed := map[string]source.Migration{}
	for _, m := range append(append([]source.Migration{}, ms...), deferredCode...) {
		out.sql[m.Path] = &fstest.MapFile{}
		listed[m.Path] = m
	}
	if len(ms)+len(deferredCode) == 0 {
		return res, nil
	}
	root := r.Root
	if rev != "" {
		t, err := r.AddWorktree(ctx, rev, "phasegate-render-")
		if err != nil {
			return nil, err
		}
		defer t.Remove()
		root = t.Dir
	}
	abs := func(ms []source.Migration, dirOnly bool) []string {
		seen := map[string]bool{}
		var out []string
		for _, m := range ms {
			p := m.Path
			if dirOnly {
				p = path.Dir(p)
			}
			if !seen[p] {
				seen[p] = true
				out = append(out, filepath.Join(root, filepath.FromSlash(p)))
			}
		}
		return out
	}
	var rendered []ormsql.Migration
	switch format.(type) {
	case source.Alembic:
		a, workdir, err := alembicRenderer(fsys, root, dir, opts)
		if err != nil {
			return nil, err
		}
		a.Deferred = abs(deferredCode, true)
		if rendered, err = a.Render(ctx, root, workdir); err != nil {
			return nil, err
		}
	case source.Django:
		if opts.Database == nil {
			return nil, fmt.Errorf("Django writes its SQL from a live database: rendering the migrations needs PostgreSQL (Docker, or --database-url), even with --static-only")
		}
		url, err := opts.Database(ctx)
		if err != nil {
			return nil, fmt.Errorf("a database to render the Django migrations: %w", err)
		}
		d := ormsql.Django{Python: opts.Python, Settings: opts.DjangoSettings, Deferred: abs(deferredCode, false)}
		if rendered, err = d.Render(ctx, root, filepath.Join(root, filepath.FromSlash(dir)), url); err != nil {
			return nil, err
		}
	case source.Capture:
		if opts.MigrateCommand == "" {
			return nil, fmt.Errorf("migrations.format capture runs the project's migrate command: set migrate.command")
		}
		if opts.Database == nil {
			return nil, fmt.Errorf("capture records what migrate.command runs on PostgreSQL: it needs one (Docker, or --database-url), even with --static-only")
		}
		url, err := opts.Database(ctx)
		if err != nil {
			return nil, fmt.Errorf("a database to capture the migrations on: %w", err)
		}
		var paths []string
		for _, m := range ms {
			paths = append(paths, m.Path)
		}
		c := ormsql.Capture{Command: opts.MigrateCommand, Env: opts.Env, VersionTables: opts.VersionTables, Files: fsys}
		var runErr error
		rendered, runErr = c.Render(ctx, root, url, paths)
		if runErr != nil && rendered == nil {
			return nil, runErr
		}
		for _, m := range rendered {
			if m.Error != "" && m.Path != "" {
				res.failures = append(res.failures, FileError{Path: m.Path, Msg: "migrate.command failed on it: " + m.Error})
			}
		}
		if runErr != nil && len(res.failures) == 0 {
			res.failures = append(res.failures, FileError{Path: dir, Msg: runErr.Error()})
		}
		placeCaptured(fsys, rendered)
	default:
		return nil, fmt.Errorf("format %s cannot be rendered", format.Name())
	}
	res.Migrations = appliedOrder(format, ms, deferredCode, rendered)
	for _, m := range rendered {
		p := m.Path
		_, listed := out.sql[p]
		_, django := format.(source.Django)
		switch {
		case m.External:
			p = externalPath(m.ID)
		case !listed && (!django || p == ""):
			// A capture that failed before any file's version.
			continue
		}
		// A Django squashed migration the tool ran in place of the ones it
		// replaces is served for the runtime check, but not judged (not
		// listed): production ran the replaced ones.
		var b strings.Builder
		var lines lineMap
		// A migration that carries a deferral header (the follow-up moved
		// it) keeps it in its SQL: the checker reads it there.
		if src, err := fs.ReadFile(fsys, p); err == nil {
			if h, ok, _ := deferred.Parse(src); ok {
				text := h.String()
				b.WriteString(text)
				lines = append(lines, make(lineMap, strings.Count(text, "\n"))...)
			}
		}
		// Alembic's autocommit_block commits Alembic's transaction and
		// opens another: the revision then runs as explicit transaction
		// blocks, which phasegate writes around it (Alembic.Script reads
		// the marker).
		explicit := false
		if _, ok := format.(source.Alembic); ok && autocommits(m.Statements) {
			explicit = true
			b.WriteString(source.AlembicExplicitTx)
			lines = append(lines, 0)
		}
		for _, s := range m.Statements {
			if s.Unjudged != "" {
				// Not SQL phasegate can judge: kept as a comment, visible in
				// the file's SQL, and reported as unknown.
				b.WriteString("-- " + strings.ReplaceAll(s.Unjudged, "\n", " ") + "\n")
				lines = append(lines, s.Line)
				res.unjudged[p] = append(res.unjudged[p], s)
				continue
			}
			text := strings.TrimSpace(s.SQL)
			if !strings.HasSuffix(text, ";") {
				text += ";"
			}
			b.WriteString(text + "\n")
			for range strings.Count(text, "\n") + 1 {
				lines = append(lines, s.Line)
			}
		}
		if explicit {
			b.WriteString("COMMIT;\n")
			lines = append(lines, 0)
		}
		out.sql[p] = &fstest.MapFile{Data: []byte(b.String())}
		res.lines[p] = lines
	}
	return res, nil
}

// alembicRenderer runs the Alembic of the project whose work tree (or
// worktree of a revision) is root, read through fsys, with its migrations
// in dir; workdir is where alembic.ini is.
func alembicRenderer(fsys fs.FS, root, dir string, opts RenderOptions) (a ormsql.Alembic, workdir string, err error) {
	config := opts.AlembicConfig
	if config == "" {
		if config = findUp(fsys, dir, "alembic.ini"); config == "" {
			return a, "", fmt.Errorf("no alembic.ini above %s: set migrations.alembic_config", dir)
		}
	}
	a = ormsql.Alembic{Python: opts.Python, Config: path.Base(config),
		// env.py files read the URL from the environment; offline
		// rendering only needs its dialect.
		Env: []string{"DATABASE_URL=postgresql://phasegate@localhost/phasegate", "SQLALCHEMY_URL=postgresql://phasegate@localhost/phasegate"}}
	return a, filepath.Join(root, filepath.FromSlash(path.Dir(config))), nil
}

// AlembicDowngrade renders downgrade() of an Alembic revision of the work
// tree (migrations in dir), each statement on the line of its call:
// phasegate split rewrites it.
func AlembicDowngrade(ctx context.Context, r *git.Repo, dir, revision string, opts RenderOptions) ([]ormsql.Statement, error) {
	a, workdir, err := alembicRenderer(os.DirFS(r.Root), r.Root, dir, opts)
	if err != nil {
		return nil, err
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = 15 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return a.Downgrade(ctx, r.Root, workdir, revision)
}

// externalPath is where a rendering serves the SQL of a migration of an
// installed package (id "app.name"): not a path of the repository.
func externalPath(id string) string { return "django:" + id }

// appliedOrder lists the active migrations in the order the ORM applied
// them: Django's, with the installed packages' among them, as it rendered
// them (the deferred ones left out); the format's own list otherwise.
func appliedOrder(format source.Format, ms, deferredCode []source.Migration, rendered []ormsql.Migration) []source.Migration {
	if _, ok := format.(source.Django); !ok {
		return ms
	}
	byPath := map[string]source.Migration{}
	for _, m := range ms {
		byPath[m.Path] = m
	}
	isDeferred := map[string]bool{}
	for _, m := range deferredCode {
		isDeferred[m.Path] = true
	}
	var out []source.Migration
	for _, r := range rendered {
		m, ok := byPath[r.Path]
		switch {
		case r.External:
			_, name, _ := strings.Cut(r.ID, ".")
			m = source.Migration{Path: externalPath(r.ID), Format: format.Name(), Version: r.ID, Name: name, NoTx: r.NoTx}
		case ok:
			delete(byPath, r.Path)
		case isDeferred[r.Path]:
			continue
		default:
			// A squashed migration, which Django runs in place of the
			// ones it replaces on a new database.
			_, name, _ := strings.Cut(r.ID, ".")
			m = source.Migration{Path: r.Path, Format: format.Name(), Version: r.ID, Name: name, NoTx: r.NoTx}
		}
		out = append(out, m)
	}
	// What Django did not run (the migrations a squashed one replaced,
	// which it records as applied): at the end, for the bookkeeping.
	for _, m := range ms {
		if _, left := byPath[m.Path]; left {
			out = append(out, m)
		}
	}
	return out
}

// autocommits reports a revision that commits Alembic's transaction
// (op.get_context().autocommit_block() renders COMMIT, then BEGIN).
func autocommits(stmts []ormsql.Statement) bool {
	for _, s := range stmts {
		if strings.EqualFold(strings.TrimSuffix(strings.TrimSpace(s.SQL), ";"), "COMMIT") {
			return true
		}
	}
	return false
}

// placeCaptured gives captured statements the line where their text
// appears in the migration file, when it does (a tool that sends a SQL
// file's statements as written); the others stay on the file.
func placeCaptured(fsys fs.FS, ms []ormsql.Migration) {
	for i := range ms {
		src, err := fs.ReadFile(fsys, ms[i].Path)
		if err != nil {
			continue
		}
		text, from := string(src), 0
		for j := range ms[i].Statements {
			s := &ms[i].Statements[j]
			k := strings.Index(text[from:], strings.TrimSuffix(strings.TrimSpace(s.SQL), ";"))
			if k < 0 {
				s.Line = 1
				continue
			}
			s.Line = strings.Count(text[:from+k], "\n") + 1
			from += k
		}
	}
}

// findUp looks for name in dir and the directories above it.
func findUp(fsys fs.FS, dir, name string) string {
	for d := dir; ; d = path.Dir(d) {
		p := path.Join(d, name)
		if _, err := fs.Stat(fsys, p); err == nil {
			return p
		}
		if d == "." || d == "/" || d == "" {
			return ""
		}
	}
}
