package source

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// sqitchPlan exercises what a change ID covers: the project's URI, a
// planner name outside ASCII, notes with escapes, dependencies (a
// conflict, another project's change, a tag-qualified one), tags and a
// reworked change.
const sqitchPlan = `%syntax-version=1.0.0
%project=flipr
%uri=https://github.com/sqitchers/sqitch-intro/

appschema 2026-12-05T18:40:59Z Marge N. O’Vera <marge@example.com> # Add schema for all flipr objects.
users [appschema] 2026-12-05T18:41:01Z root <root@vm> # Creates table to track our users.\nsecond line
@v1.0.0 2026-12-05T18:41:03Z root <root@vm> # Tag v1.0.0.

flips [appschema users !nothere other:thing] 2026-12-05T18:42:00Z root <root@vm>
users [users@v1.0.0] 2026-12-05T18:43:00Z root <root@vm> # Rework users
@v1.1 2026-12-05T18:44:00Z root <root@vm>
`

// The IDs sqitch 1.3.1 (Debian 12) gives this plan: sqitch plan --format
// 'format:%H %n'.
var sqitchIDs = []string{
	"3e0bf7e298b0e601d3d06ac01c8c1451a8d78798 appschema",
	"e77d5e3f6cca91074f02c400f265ca41dd7274c3 users",
	"23d16a93660c8ae56aebc82a6d8d600c327083bb flips",
	"4bc15481175daef5c2b6b1acb68ee10635f77484 users",
}

func TestSqitchChangeIDs(t *testing.T) {
	p, err := ParseSqitchPlan("sqitch.plan", []byte(sqitchPlan))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range p.Changes {
		got = append(got, c.ID+" "+c.Name)
	}
	if strings.Join(got, "\n") != strings.Join(sqitchIDs, "\n") {
		t.Fatalf("change IDs:\n%s\nsqitch's:\n%s", strings.Join(got, "\n"), strings.Join(sqitchIDs, "\n"))
	}
	if s := p.Changes[1].Script + " " + p.Changes[3].Script; s != "users@v1.0.0 users" {
		t.Errorf("scripts of the reworked change: %s", s)
	}
	if n := p.Changes[1].Note; n != "Creates table to track our users.\nsecond line" {
		t.Errorf("note %q", n)
	}
	if d := strings.Join(p.Changes[2].Requires, " ") + " | " + strings.Join(p.Changes[2].Conflicts, " "); d != "appschema users other:thing | nothere" {
		t.Errorf("dependencies %s", d)
	}
}

// TestSqitchChangeIDsLive compares with the installed sqitch, when there
// is one (.ci/run installs it).
func TestSqitchChangeIDsLive(t *testing.T) {
	if _, err := exec.LookPath("sqitch"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("sqitch is not installed (apt-get install sqitch libdbd-pg-perl; .ci/run does)")
		}
		t.Skip("sqitch is not installed")
	}
	dir := t.TempDir()
	plan := sqitchPlan + "\nwidgets [flips] 2027-01-02T03:04:05Z Zoë <z@example.com> # A note with \\\\ and # inside\n"
	os.WriteFile(filepath.Join(dir, "sqitch.plan"), []byte(plan), 0o644)
	os.WriteFile(filepath.Join(dir, "sqitch.conf"), []byte("[core]\n\tengine = pg\n"), 0o644)
	cmd := exec.Command("sqitch", "plan", "--format", "format:%H %n")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sqitch plan: %v\n%s", err, out)
	}
	var want []string
	for _, l := range strings.Split(string(out), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			want = append(want, strings.TrimSpace(l))
		}
	}
	p, err := ParseSqitchPlan("sqitch.plan", []byte(plan))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range p.Changes {
		got = append(got, c.ID+" "+c.Name)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("change IDs:\n%s\nsqitch's:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestFlywayChecksum(t *testing.T) {
	// Expected values: zlib's CRC-32 over the lines without their line
	// endings, as a signed 32-bit integer (Python: zlib.crc32 chained).
	for _, c := range []struct {
		src  string
		want int32
	}{
		{"CREATE TABLE notes (\n    id bigint PRIMARY KEY\n);\n", 1542998913},
		{"CREATE TABLE notes (\r\n    id bigint PRIMARY KEY\r\n);", 1542998913}, // line-ending independent
		{"CREATE TABLE notes (\r    id bigint PRIMARY KEY\r);\r\n\n", 1542998913},
		{"\uFEFFSELECT 1;\n", 78787420}, // the byte-order mark is not hashed
		{"INSERT INTO t VALUES ('é');", -2055433966},
		{"", 0},
	} {
		if got := FlywayChecksum([]byte(c.src)); got != c.want {
			t.Errorf("FlywayChecksum(%q) = %d, want %d", c.src, got, c.want)
		}
	}
}

func TestPrismaChecksum(t *testing.T) {
	// prisma-engines checksum.rs format_checksum_does_not_strip_zeros.
	if got := PrismaChecksum([]byte("hello")); got != "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824" {
		t.Fatal(got)
	}
}

func TestLiquibaseRecords(t *testing.T) {
	// An empty change's checksum is Liquibase's 9:d41d8... (AbstractChangeTest).
	if got := liquibaseChangeCheckSum(""); got != "9:d41d8cd98f00b204e9800998ecf8427e" {
		t.Fatal(got)
	}
	src := "--liquibase formatted sql\n\n" +
		"--changeset ada:1\n--comment: Notes.\nCREATE TABLE notes (id int);\n--rollback DROP TABLE notes;\n\n" +
		"--changeset \"bob smith\":2 dbms:mysql\nCREATE TABLE mysql_only (id int);\n\n" +
		"--changeset ada:3 logicalFilePath:custom/path.sql\n/* liquibase rollback\nDROP TABLE tags;\n*/\n--ignoreLines:start\nignored\n--ignoreLines:end\nCREATE TABLE   tags\n(id int);\n"
	rs, err := LiquibaseRecords("src/main/resources/db/changelog/001.sql", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 3 {
		t.Fatalf("%d changesets", len(rs))
	}
	want := func(sql string) string {
		return liquibaseCheckSum(sql)
	}
	for i, c := range []struct{ id, author, file, comment, sql string }{
		{"1", "ada", "db/changelog/001.sql", "Notes.", "CREATE TABLE notes (id int);"},
		{"2", "bob smith", "db/changelog/001.sql", "", "CREATE TABLE mysql_only (id int);"},
		{"3", "ada", "custom/path.sql", "", "CREATE TABLE   tags\n(id int);"},
	} {
		r := rs[i]
		if r.ID != c.id || r.Author != c.author || r.File != c.file || r.Comment != c.comment || r.SQL != c.sql {
			t.Errorf("changeset %d: %+v", i, r)
		}
		if r.CheckSum != want(c.sql) || !strings.HasPrefix(r.CheckSum, "9:") || len(r.CheckSum) != 34 {
			t.Errorf("changeset %d checksum %s", i, r.CheckSum)
		}
	}
	if rs[1].Postgres || !rs[0].Postgres {
		t.Error("dbms:mysql must not run on PostgreSQL")
	}
	// Whitespace does not count (checksum version 9).
	if liquibaseCheckSum("CREATE TABLE   tags\n(id int);") != liquibaseCheckSum("CREATE TABLE tags (id int);") {
		t.Error("whitespace changed the checksum")
	}
}

func TestBookkeepingRowsFollowEachToolsRules(t *testing.T) {
	files := fstest.MapFS{
		"m/1_a.sql": {Data: []byte("-- +migrate Up\nSELECT 1;\n")},
		"m/2_b.sql": {Data: []byte("-- +migrate Up\nSELECT 2;\n")},
	}
	a := Migration{Path: "m/1_a.sql", Format: "sql-migrate", Version: "1"}
	b := Migration{Path: "m/2_b.sql", Format: "sql-migrate", Version: "2"}
	// sql-migrate refuses rows it has no file for: only the release's.
	s, err := SQLMigrate{}.Bookkeeping("m", []Migration{a}, []Migration{a, b}, files)
	if err != nil {
		t.Fatal(err)
	}
	if got := inserted(s); got != "1_a.sql" {
		t.Errorf("sql-migrate rows: %s", got)
	}
	// Flyway: a lacked version above the release's newest is "future"
	// (ignored by default) and kept; one below is "missing" and left out.
	fv := func(v string) Migration {
		return Migration{Path: "db/V" + v + "__x.sql", Format: "flyway", Version: v, Name: "x"}
	}
	ffiles := fstest.MapFS{}
	for _, v := range []string{"1", "2", "1.5", "3"} {
		ffiles["db/V"+v+"__x.sql"] = &fstest.MapFile{Data: []byte("SELECT " + v + ";")}
	}
	s, err = Flyway{}.Bookkeeping("db", []Migration{fv("1"), fv("2")}, []Migration{fv("1"), fv("2"), fv("1.5"), fv("3")}, ffiles)
	if err != nil {
		t.Fatal(err)
	}
	if got := inserted(s); got != "1 2 3" {
		t.Errorf("flyway rows: %s", got)
	}
	// Diesel's version drops dashes.
	if v := DieselVersion(Migration{Version: "2024-01-02-030405"}); v != "20240102030405" {
		t.Error(v)
	}
}

// inserted lists what identifies each INSERT's row: the version or the
// file name.
func inserted(s []Statement) string {
	var out []string
	for _, st := range s {
		if strings.HasPrefix(st.SQL, "INSERT") && len(st.Args) > 0 {
			a := st.Args[0]
			if strings.Contains(st.SQL, "flyway_schema_history") {
				a = st.Args[1]
			}
			out = append(out, strings.TrimSpace(toString(a)))
		}
	}
	return strings.Join(out, " ")
}

func toString(a any) string {
	if s, ok := a.(string); ok {
		return s
	}
	return ""
}
