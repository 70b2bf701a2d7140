package compat

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"

	"github.com/phasegate/phasegate/internal/source"
)

// Bookkeeping writes the migration tool's own tables (its version table,
// its registry) so that a release whose migrations are release finds the
// database acceptable: its own migrate-on-start sees nothing to do and no
// error, even though newer migrations were applied too. What each tool
// needs lives with its format (source.Bookkeeper); formats without it are
// left alone. dir is the migrations directory; files holds the migration
// files of release and applied (the release's version first), for the
// checksums some tools keep.
func Bookkeeping(ctx context.Context, conn *pgx.Conn, format source.Format, dir string, release, applied []source.Migration, files fs.FS) error {
	b, ok := format.(source.Bookkeeper)
	if !ok {
		return nil
	}
	stmts, err := b.Bookkeeping(dir, release, applied, files)
	if err != nil {
		return fmt.Errorf("write the %s version table: %w", format.Name(), err)
	}
	if len(stmts) == 0 {
		return nil
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	for _, s := range stmts {
		if _, err := tx.Exec(ctx, s.SQL, s.Args...); err != nil {
			return fmt.Errorf("write the %s version table: %w", format.Name(), err)
		}
	}
	return tx.Commit(ctx)
}

// layered is a file system that reads each name from the first of its
// layers that has it: the release's version of a migration file, else
// the other version's (for the migrations the release lacks). An error
// other than "not found" is returned at once, never papered over by
// another layer's file.
type layered []fs.FS

func (l layered) Open(name string) (fs.File, error) {
	for _, f := range l {
		file, err := f.Open(name)
		if err == nil || !errors.Is(err, fs.ErrNotExist) {
			return file, err
		}
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

func (l layered) ReadFile(name string) ([]byte, error) {
	for _, f := range l {
		b, err := fs.ReadFile(f, name)
		if err == nil || !errors.Is(err, fs.ErrNotExist) {
			return b, err
		}
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

// isToolTable reports a table a migration tool keeps for itself, left
// out of the evidence.
func isToolTable(schema, name string) bool { return source.IsToolTable(schema, name) }
