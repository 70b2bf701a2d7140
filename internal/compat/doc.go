// Package compat proves backward compatibility at runtime: it starts
// PostgreSQL (in a container, or on a server the user names), builds the
// previous release's schema, applies the change's migrations, and runs the
// previous release's own test suite against the result. It also measures
// the locks each new statement takes and diffs the catalog before and
// after, so a failure names the object the previous release still uses.
//
// Run goes through four stages, each a function: plan (compat.go: the
// scenarios), prepare (prepare.go: the server, the migrations, the
// checkouts, the schemas, a database per scenario), runScenarios
// (scenario.go: the suites and the lock trace) and collect (compat.go: the
// proof, the culprits, the verdict). FromConfig (configure.go) turns the
// config's settings into Options.
//
// compat consumes the static check's results (packages lint and checker);
// they never import compat.
package compat
