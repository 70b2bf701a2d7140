// Package compat proves backward compatibility at runtime: it starts
// PostgreSQL (in a container, or on a server the user names), builds the
// previous release's schema, applies the change's migrations, and runs the
// previous release's own test suite against the result. It also measures
// the locks each new statement takes and diffs the catalog before and
// after, so a failure names the object the previous release still uses.
//
// compat consumes the static check's results (package change and checker);
// they never import compat.
package compat
