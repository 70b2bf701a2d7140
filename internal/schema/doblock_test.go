package schema

import (
	"fmt"
	"testing"

	pg "github.com/phasegate/phasegate/internal/pgtree"
)

func doStmt(t *testing.T, sql string) *pg.DoStmt {
	t.Helper()
	res, err := pg.Parse(sql)
	if err != nil {
		t.Fatal(err)
	}
	return res.Stmts[0].Stmt.GetDoStmt()
}

// A DO block read again is not parsed again; each block, even with a
// text another had, has its own reading, also after many others.
func TestParseDoRemembersBlocks(t *testing.T) {
	first := doStmt(t, "DO $$ BEGIN CREATE TABLE a (id int); END $$")
	body, err := ParseDo(first)
	if err != nil || len(body.Stmts) != 1 {
		t.Fatalf("ParseDo = %+v, %v", body, err)
	}
	if again, _ := ParseDo(first); again != body {
		t.Error("the same block was read twice")
	}
	twin := doStmt(t, "DO $$ BEGIN CREATE TABLE a (id int); END $$")
	if other, _ := ParseDo(twin); other == body {
		t.Error("another block with the same text got the first one's reading")
	}
	for i := range 20 { // more than the cache holds
		d := doStmt(t, fmt.Sprintf("DO $$ BEGIN CREATE TABLE t%d (id int); PERFORM 1; END $$", i))
		b, err := ParseDo(d)
		if err != nil || len(b.Stmts) != 2 || b.Stmts[0].SQL != fmt.Sprintf("CREATE TABLE t%d (id int)", i) {
			t.Fatalf("block %d: %+v, %v", i, b, err)
		}
	}
	bad := doStmt(t, "DO $$ BEGIN nonsense here; END $$")
	for range 2 {
		if _, err := ParseDo(bad); err == nil {
			t.Error("a body that does not parse was read")
		}
	}
}
