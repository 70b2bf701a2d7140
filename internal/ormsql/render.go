// Package render obtains the SQL of migrations that are written in an
// ORM's language (Alembic and Django in Python) by asking the ORM's own
// tooling to print it, and maps every statement back to the line of the
// migration file that produced it. phasegate then judges that SQL like any
// SQL migration.
//
// Rendering runs the project's Python: it needs a checkout on disk (a work
// tree), not just an fs.FS.
package ormsql

// Statement is one SQL statement a migration runs.
type Statement struct {
	SQL string
	// Line is the line of the migration file that emits it (the op.* call,
	// the operation in a Django migration's operations list), or 0 when it
	// cannot be known.
	Line int
	// Unjudged, when set, says why an operation's effect cannot be known:
	// it runs Python instead of SQL (Django's RunPython), or it could not
	// be rendered (an Alembic revision that needs a connection). SQL is
	// then empty; phasegate treats it as unknown.
	Unjudged string
}

// Migration is the rendered SQL of one migration file.
type Migration struct {
	// Path is the migration file, relative to the repository root,
	// slash-separated.
	Path string
	// ID is the ORM's name for it: an Alembic revision id, a Django
	// "app.0002_name".
	ID         string
	Statements []Statement
	// NoTx is set for a migration the ORM runs outside a transaction
	// (Django's atomic = False).
	NoTx bool
	// Error is the server's error when the migration failed to apply.
	Error string
	// External marks a migration of an installed package, outside the
	// repository (Django's contrib apps): Path is empty. It is not judged,
	// but a database the runtime check builds needs it all the same.
	External bool
}
