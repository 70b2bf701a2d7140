package compat

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// Rendering is a version's migrations as SQL, for a format whose
// migrations are code (Alembic, Django): what the ORM renders for them
// (see Options.Render).
type Rendering struct {
	// FS serves each migration's SQL at its path (the deferred ones' too);
	// the version's other files (plain SQL files of the deferred
	// directory) are read from the version itself.
	FS fs.FS
	// Migrations are the active migrations in the order the ORM applies
	// them, with those of installed packages for Django (Django's contrib
	// apps, at pseudo paths).
	Migrations []source.Migration
	// Line maps a line of a migration's SQL to the line of its file that
	// produced it.
	Line func(path string, line int) int
}

// rendered reports whether the built-in runner applies the format's
// migrations from their rendered SQL.
func rendered(opts Options) bool {
	_, ok := opts.Format.(source.Rendered)
	return ok && opts.MigrateCommand == ""
}

// renderVersion renders a version's migrations, for Django on a database
// of srv made for the purpose (dropped at once: rendering migrates it).
func renderVersion(ctx context.Context, opts Options, srv *Server, rev, name string) (*Rendering, error) {
	if opts.Render == nil {
		return nil, fmt.Errorf("%s migrations are code: the runtime check applies the SQL the ORM renders for them, and has no renderer; set migrate.command", opts.Format.Name())
	}
	var made []*Database
	defer func() {
		for _, db := range made {
			srv.Drop(context.WithoutCancel(ctx), db)
		}
	}()
	n := 0
	r, err := opts.Render(ctx, rev, func(ctx context.Context) (string, error) {
		n++
		db, err := srv.Create(ctx, fmt.Sprintf("render_%s%d", name, n), nil)
		if err != nil {
			return "", err
		}
		made = append(made, db)
		return db.URL(), nil
	})
	if err != nil {
		return nil, fmt.Errorf("render the %s migrations of %s: %w", opts.Format.Name(), headVersion(rev), err)
	}
	return r, nil
}

// loadRendered loads migrations from their rendered SQL; their statements
// keep the lines of the SQL, Line gives the migration file's.
func loadRendered(r *Rendering, files fs.FS, format source.Format, ms []source.Migration) ([]Migration, error) {
	out, err := Load(layered{r.FS, files}, format, ms)
	if err != nil {
		return nil, err
	}
	for i := range out {
		path := out[i].Path
		out[i].line = func(n int) int { return r.Line(path, n) }
	}
	return out, nil
}

// fileLine is the line of the migration file that holds line n of what
// was applied (its rendered SQL, for an ORM's migration).
func (m Migration) fileLine(n int) int {
	if m.line == nil {
		return n
	}
	return m.line(n)
}

// filePos is fileLine for a position: a rendered statement is placed on
// its line of the file, column 1.
func (m Migration) filePos(p sqltext.Position) sqltext.Position {
	if m.line == nil {
		return p
	}
	return sqltext.Position{Line: m.line(p.Line), Column: 1}
}
