package source

import (
	"testing"
	"testing/fstest"
	"time"
)

// In a changelog tree whose files live in subdirectories, a new changelog
// (split's, the follow-up's) goes beside the last one, so that includeAll's
// path order runs it last, and a step after m goes beside m.
func TestLiquibaseNewFilesSortWhereTheyRun(t *testing.T) {
	const head = "--liquibase formatted sql\n--changeset dev:%s\nSELECT 1;\n"
	fsys := fstest.MapFS{
		"db/changelog/master.xml":                {Data: []byte("<databaseChangeLog/>")},
		"db/changelog/changes/001_users.sql":     {Data: []byte(head)},
		"db/changelog/changes/002_orders.sql":    {Data: []byte(head)},
		"db/changelog/changes/2024/003_tags.sql": {Data: []byte(head)},
	}
	f := Liquibase{}
	ms, err := f.List(fsys, "db/changelog")
	if err != nil || len(ms) != 3 {
		t.Fatalf("List: %v, %+v", err, ms)
	}
	next := f.NextPath("db/changelog", ms, "drop legacy", time.Time{})
	after := f.PathAfter("db/changelog", ms[0], 1, "backfill")
	for _, c := range []struct {
		path string
		at   int // its index in the list once written
	}{{next, 3}, {after, 1}} {
		fsys[c.path] = &fstest.MapFile{Data: []byte(head)}
		got, err := f.List(fsys, "db/changelog")
		if err != nil {
			t.Fatal(err)
		}
		if got[c.at].Path != c.path {
			var order []string
			for _, m := range got {
				order = append(order, m.Path)
			}
			t.Errorf("%s runs at %v, want position %d", c.path, order, c.at)
		}
		delete(fsys, c.path)
	}
	if next != "db/changelog/changes/2024/004_drop_legacy.sql" {
		t.Errorf("NextPath = %s", next)
	}
}
