package change

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strings"
	"testing/fstest"
	"time"

	"github.com/phasegate/phasegate/checker"
	"github.com/phasegate/phasegate/git"
	"github.com/phasegate/phasegate/render"
	"github.com/phasegate/phasegate/source"
	"github.com/phasegate/phasegate/sqltext"
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

// render runs the ORM of a rendered format at a revision (rev "" is the
// work tree) and returns the migrations' file system with their SQL in
// place of their code, and each file's line map.
//
// A capture whose migrate command fails returns what it recorded up to the
// failure, and the failure as a FileError.
func renderAt(ctx context.Context, r *git.Repo, rev string, fsys fs.FS, format source.Format, dir string, opts RenderOptions) (*rendering, error) {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = 15 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	fsys, lines, unjudged, failures, err := renderFiles(ctx, r, rev, fsys, format, dir, opts)
	if err != nil {
		return nil, err
	}
	return &rendering{fs: fsys, lines: lines, unjudged: unjudged, failures: failures}, nil
}

// rendering is what rendering a revision's migrations gives.
type rendering struct {
	fs       fs.FS
	lines    map[string]lineMap
	unjudged map[string][]render.Statement // operations that cannot be judged, by file
	failures []FileError
}

func renderFiles(ctx context.Context, r *git.Repo, rev string, fsys fs.FS, format source.Format, dir string, opts RenderOptions) (fs.FS, map[string]lineMap, map[string][]render.Statement, []FileError, error) {
	ms, err := format.List(fsys, dir)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	out := renderedFS{FS: fsys, sql: fstest.MapFS{}}
	maps := map[string]lineMap{}
	for _, m := range ms {
		out.sql[m.Path] = &fstest.MapFile{}
	}
	if len(ms) == 0 {
		return out, maps, nil, nil, nil
	}
	root := r.Root
	if rev != "" {
		t, err := r.AddWorktree(ctx, rev, "phasegate-render-")
		if err != nil {
			return nil, nil, nil, nil, err
		}
		defer t.Remove()
		root = t.Dir
	}
	var rendered []render.Migration
	var failures []FileError
	switch format.(type) {
	case source.Alembic:
		config := opts.AlembicConfig
		if config == "" {
			if config = findUp(fsys, dir, "alembic.ini"); config == "" {
				return nil, nil, nil, nil, fmt.Errorf("no alembic.ini above %s: set migrations.alembic_config", dir)
			}
		}
		a := render.Alembic{Python: opts.Python, Config: path.Base(config),
			// env.py files read the URL from the environment; offline
			// rendering only needs its dialect.
			Env: []string{"DATABASE_URL=postgresql://phasegate@localhost/phasegate", "SQLALCHEMY_URL=postgresql://phasegate@localhost/phasegate"}}
		rendered, err = a.Render(ctx, root, filepath.Join(root, filepath.FromSlash(path.Dir(config))))
	case source.Django:
		if opts.Database == nil {
			return nil, nil, nil, nil, fmt.Errorf("Django writes its SQL from a live database: rendering the migrations needs PostgreSQL (Docker, or --database-url), even with --static-only")
		}
		url, err := opts.Database(ctx)
		if err != nil {
			return nil, nil, nil, nil, fmt.Errorf("a database to render the Django migrations: %w", err)
		}
		d := render.Django{Python: opts.Python, Settings: opts.DjangoSettings}
		rendered, err = d.Render(ctx, root, filepath.Join(root, filepath.FromSlash(dir)), url)
		if err != nil {
			return nil, nil, nil, nil, err
		}
	case source.Capture:
		if opts.MigrateCommand == "" {
			return nil, nil, nil, nil, fmt.Errorf("migrations.format capture runs the project's migrate command: set migrate.command")
		}
		if opts.Database == nil {
			return nil, nil, nil, nil, fmt.Errorf("capture records what migrate.command runs on PostgreSQL: it needs one (Docker, or --database-url), even with --static-only")
		}
		url, err := opts.Database(ctx)
		if err != nil {
			return nil, nil, nil, nil, fmt.Errorf("a database to capture the migrations on: %w", err)
		}
		var paths []string
		for _, m := range ms {
			paths = append(paths, m.Path)
		}
		c := render.Capture{Command: opts.MigrateCommand, Env: opts.Env, VersionTables: opts.VersionTables, Files: fsys}
		var runErr error
		rendered, runErr = c.Render(ctx, root, url, paths)
		if runErr != nil && rendered == nil {
			return nil, nil, nil, nil, runErr
		}
		for _, m := range rendered {
			if m.Error != "" && m.Path != "" {
				failures = append(failures, FileError{Path: m.Path, Msg: "migrate.command failed on it: " + m.Error})
			}
		}
		if runErr != nil && len(failures) == 0 {
			failures = append(failures, FileError{Path: dir, Msg: runErr.Error()})
		}
		placeCaptured(fsys, rendered)
	default:
		return nil, nil, nil, nil, fmt.Errorf("format %s cannot be rendered", format.Name())
	}
	if err != nil {
		return nil, nil, nil, nil, err
	}
	unjudged := map[string][]render.Statement{}
	for _, m := range rendered {
		if _, listed := out.sql[m.Path]; !listed {
			// A capture that failed before any file's version, or a Django
			// squashed migration the tool ran in place of the ones it
			// replaces (which production ran: they are what is judged).
			continue
		}
		var b strings.Builder
		var lines lineMap
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
				unjudged[m.Path] = append(unjudged[m.Path], s)
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
		out.sql[m.Path] = &fstest.MapFile{Data: []byte(b.String())}
		maps[m.Path] = lines
	}
	return out, maps, unjudged, failures, nil
}

// autocommits reports a revision that commits Alembic's transaction
// (op.get_context().autocommit_block() renders COMMIT, then BEGIN).
func autocommits(stmts []render.Statement) bool {
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
func placeCaptured(fsys fs.FS, ms []render.Migration) {
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
