package compat

import (
	"context"
	"fmt"
	"sync"
)

// A test runner that tests on a database of its own (Django's manage.py
// test, pytest-django) would create it by migrating the code under test:
// the previous release would be tested against its own schema, and the
// proof would be empty. phasegate clones the scenario's migrated database
// under the runner's name, and the runner, told to keep it (--keepdb,
// --reuse-db), tests on it as it is: its migrate finds every migration
// applied (the bookkeeping).

// testDBLocks serialise the scenarios whose runner tests on the same
// database name (a fixed TEST NAME in the settings): each needs the name
// for its own clone.
var testDBLocks sync.Map // name -> *sync.Mutex

// testDatabase prepares the runner's test database for a scenario, when
// the suite has one (Options.TestDatabase), and returns what removes it.
func testDatabase(ctx context.Context, opts Options, srv *Server, db *Database, dir string, env []string) (done func(), err error) {
	nothing := func() {}
	if opts.TestDatabase == nil {
		return nothing, nil
	}
	name, err := opts.TestDatabase(ctx, dir, env)
	if err != nil {
		return nothing, fmt.Errorf("find the test database of the suite's runner: %w", err)
	}
	if name == "" || name == db.Name {
		return nothing, nil
	}
	l, _ := testDBLocks.LoadOrStore(srv.prefix+name, &sync.Mutex{})
	mu := l.(*sync.Mutex)
	mu.Lock()
	test, err := srv.CreateNamed(ctx, name, db)
	if err != nil {
		mu.Unlock()
		return nothing, fmt.Errorf("prepare the test database %s, a clone of the migrated database for the runner to keep (--keepdb): %w; if a database of that name exists on the server, phasegate does not take it over: remove it, or point the settings' TEST NAME elsewhere", name, err)
	}
	return func() {
		srv.Drop(context.WithoutCancel(ctx), test)
		mu.Unlock()
	}, nil
}
