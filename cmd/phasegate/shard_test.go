package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phasegate/phasegate/internal/compat"
	"github.com/phasegate/phasegate/internal/gittest"
)

// shardedApp is a repository whose test suite is n Go packages; the
// package named in fail (if any) fails on the new code.
func shardedApp(t *testing.T, n int, fail string) *gittest.Repo {
	t.Helper()
	r := gittest.New(t)
	files := map[string]string{
		"go.mod":                          "module example.com/sharded\n\ngo 1.22\n",
		".github/phasegate.yml":           "migrations:\n  dir: db/migrations\ntests:\n  command: go test -count=1 ./...\n",
		"db/migrations/0001_users.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n",
	}
	for i := 1; i <= n; i++ {
		files[fmt.Sprintf("p%02d/p_test.go", i)] = fmt.Sprintf(`package p%02d

import (
	"os"
	"testing"
)

func TestShard(t *testing.T) {
	if os.Getenv("DATABASE_URL") == "" || os.Getenv("PHASEGATE_SHARD_TOTAL") == "" {
		t.Fatal("no database or no shard in the environment")
	}
	if _, err := os.Stat("FAIL"); err == nil {
		t.Fatal("p%02d fails on the new code")
	}
}
`, i, i)
	}
	r.Commit("v1", files)
	r.Git("checkout", "-qb", "feature")
	change := map[string]string{"db/migrations/0002_nick.up.sql": "ALTER TABLE users ADD COLUMN nick text;\n"}
	if fail != "" {
		change[fail+"/FAIL"] = "x"
	}
	r.Write(change)
	return r
}

// TestShardedCheckAndMerge: each shard runs its slice of the Go packages
// in every scenario and writes its report; merge combines them, names a
// shard whose slice failed, and refuses to pass with a shard missing.
func TestShardedCheckAndMerge(t *testing.T) {
	img := testImage(t)
	r := shardedApp(t, 5, "p04")
	dir := t.TempDir()
	for i := 1; i <= 2; i++ {
		res := phasegate(t, r.Dir, nil, "check", "--base", "main", "--postgres-image", img, "--no-pull",
			"--shard", fmt.Sprintf("%d/2", i), "--report-json", filepath.Join(dir, fmt.Sprintf("shard%d.json", i)))
		want := map[int]int{1: 0, 2: 1}[i] // p04 is the 2nd of the packages of shard 2 (p02, p04)
		if res.code != want {
			t.Fatalf("shard %d/2: exit %d, want %d\n%s\n%s", i, res.code, want, res.stdout, res.stderr)
		}
		var rep struct {
			Shard     struct{ Index, Total int }
			Scenarios []struct{ Name, Status, Command string }
		}
		b, _ := os.ReadFile(filepath.Join(dir, fmt.Sprintf("shard%d.json", i)))
		if err := json.Unmarshal(b, &rep); err != nil {
			t.Fatal(err)
		}
		wantPkgs := map[int]string{1: "example.com/sharded/p01 example.com/sharded/p03 example.com/sharded/p05", 2: "example.com/sharded/p02 example.com/sharded/p04"}[i]
		if rep.Shard.Index != i || rep.Shard.Total != 2 || len(rep.Scenarios) == 0 || rep.Scenarios[0].Command != "go test -count=1 "+wantPkgs {
			t.Errorf("shard %d/2's report: %+v", i, rep)
		}
	}
	res := phasegate(t, r.Dir, nil, "merge", filepath.Join(dir, "shard1.json"), filepath.Join(dir, "shard2.json"))
	if res.code != 1 || !strings.Contains(scenarioLine(res.stdout, "deploy"), "FAIL") || !strings.Contains(res.stdout, "shard 2/2: the test command exited with status 1") ||
		!strings.Contains(res.stdout, "p04 fails on the new code") || !strings.Contains(scenarioLine(res.stdout, "compat"), "pass") {
		t.Errorf("merge: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	res = phasegate(t, r.Dir, nil, "merge", filepath.Join(dir, "shard1.json"))
	if res.code != 1 || !strings.Contains(res.stdout, "no report from shard 2/2") {
		t.Errorf("merge of one shard of two: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	res = phasegate(t, r.Dir, nil, "merge")
	if res.code != 2 || !strings.Contains(res.stderr, "give the shards' JSON reports") {
		t.Errorf("merge without reports: exit %d\n%s", res.code, res.stderr)
	}
}

// productionDB starts a PostgreSQL container for one test (label names it
// among the tests' containers), stopped when the test ends, and creates a
// database in it.
func productionDB(t *testing.T, img, label string) *compat.Database {
	t.Helper()
	compat.LogDocker(nil)
	srv, err := compat.StartContainer(context.Background(), compat.ContainerOptions{Image: img, Labels: map[string]string{"dev.phasegate.test": label}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	db, err := srv.Create(context.Background(), "production", nil)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// TestStatsEndToEnd: phasegate stats reads a database's table sizes into
// the file that check reads from .github/phasegate-stats.yml; the locking
// finding then says how big the table is, and on a small table it is
// advice.
func TestStatsEndToEnd(t *testing.T) {
	img := testImage(t)
	ctx := context.Background()
	db := productionDB(t, img, "cmd-stats")
	conn, err := db.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{
		"CREATE TABLE users (id bigint PRIMARY KEY, name text)",
		"INSERT INTO users SELECT g, 'user ' || g FROM generate_series(1, 50000) g",
		"CREATE TABLE plans (id int PRIMARY KEY, name text)",
		"INSERT INTO plans VALUES (1, 'free'), (2, 'pro')",
		"ANALYZE",
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close(ctx)

	r := gittest.New(t)
	r.Commit("v1", map[string]string{"db/migrations/0001_init.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY, name text);\nCREATE TABLE plans (id int PRIMARY KEY, name text);\n"})
	r.Git("checkout", "-qb", "feature")
	r.Write(map[string]string{"db/migrations/0002_idx.up.sql": "SET lock_timeout = '5s';\nCREATE INDEX users_name_idx ON users (name);\nCREATE INDEX plans_name_idx ON plans (name);\n"})
	res := phasegate(t, r.Dir, nil, "stats", "--database-url", db.URL(), "--output", filepath.Join(r.Dir, ".github/phasegate-stats.yml"))
	if res.code != 0 || !strings.Contains(res.stderr, "wrote the sizes of 2 tables") {
		t.Fatalf("stats: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	b, _ := os.ReadFile(filepath.Join(r.Dir, ".github/phasegate-stats.yml"))
	if strings.Contains(string(b), "user 1") {
		t.Fatalf("the stats file holds data:\n%s", b)
	}
	res = phasegate(t, r.Dir, nil, "check", "--base", "main", "--static-only")
	for _, want := range []string{
		"0002_idx.up.sql:2:1: expand/create-index-non-concurrently: error: creates an index on users without CONCURRENTLY",
		"(users: ~50.0k rows, ",
		"0002_idx.up.sql:3:1: expand/create-index-non-concurrently: info: ",
		"(plans: ~2 rows, ", "kB; it indexes the table in under a second under SHARE; below stats.small_rows (10000), so this is advice)",
		"expand/lock-multiple-tables: info: locks plans while the transaction still holds a lock on users (plans: ~2 rows, ",
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("check lacks %q:\n%s", want, res.stdout)
		}
	}
	res = phasegate(t, r.Dir, nil, "check", "--base", "main", "--static-only", "--stats", "nope.yml")
	if res.code != 2 || !strings.Contains(res.stderr, "nope.yml") {
		t.Errorf("a --stats file that does not exist: exit %d\n%s", res.code, res.stderr)
	}
}
