package source

import (
	"strings"
	"testing"
	"testing/fstest"
)

// The revision the follow-up writes follows every head (a merge revision
// for two), quotes any statement safely (a colon SQLAlchemy's text() would
// take for a bound parameter escaped), and is the same on a rerun.
func TestAlembicRevision(t *testing.T) {
	rev := func(id, down string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte("revision = \"" + id + "\"\ndown_revision = " + down + "\n")}
	}
	fsys := fstest.MapFS{
		"v/1_a.py": rev("1", "None"),
		"v/2_b.py": rev("2", `"1"`),
		"v/3_c.py": rev("3", `"1"`),
	}
	stmts := []string{`COMMENT ON TABLE t IS 'a """ b'`, `SELECT 1 AS "x"`, "DROP TABLE t", "UPDATE t SET note = ':done' WHERE at = '12:30'"}
	p, src, err := Alembic{}.Revision(fsys, "v", "drop t contract", "# phasegate:deferred\n", stmts)
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	for _, want := range []string{
		"# phasegate:deferred\n\"\"\"drop t contract\n",
		`down_revision = ("2", "3")`,
		`op.execute("COMMENT ON TABLE t IS 'a \"\"\" b'")`,
		`op.execute("SELECT 1 AS \"x\"")`,
		`op.execute(r"""DROP TABLE t""")`,
		`op.execute(r"""UPDATE t SET note = '\:done' WHERE at = '12:30'""")`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("lacks %s:\n%s", want, s)
		}
	}
	if !strings.HasPrefix(p, "v/") || !strings.HasSuffix(p, "_drop_t_contract.py") {
		t.Errorf("path %s", p)
	}
	p2, src2, _ := Alembic{}.Revision(fsys, "v", "drop t contract", "# phasegate:deferred\n", stmts)
	if p2 != p || string(src2) != s {
		t.Error("a rerun writes another revision")
	}
	fsys[p] = &fstest.MapFile{Data: src}
	if heads, err := (Alembic{}).Heads(fsys, "v"); err != nil || len(heads) != 1 || !strings.HasPrefix(p, "v/"+heads[0]+"_") {
		t.Errorf("heads %v %v", heads, err)
	}
}
