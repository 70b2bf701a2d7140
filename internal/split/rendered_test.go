package split

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/schema"
	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// renderedCase is a migration written in an ORM's language on the schema
// base, with the SQL the ORM renders for it (each statement on its line
// of the file), and the new release's code.
type renderedCase struct {
	file, base string
	up         []RenderedStatement
	code       map[string]string
}

// plan splits m as phasegate split does it: the catalog before each
// statement, the checker's verdicts on the rendered SQL, each statement on
// its line of the file. opts gives the format and directories; plan adds
// the rest.
func (c renderedCase) plan(t *testing.T, m source.Migration, opts Options, write bool) (*Plan, error) {
	t.Helper()
	fsys := fstest.MapFS{m.Path: {Data: []byte(c.file)}}
	var files []string
	for p, content := range c.code {
		fsys[p] = &fstest.MapFile{Data: []byte(content)}
		files = append(files, p)
	}
	cat := schema.New()
	bf, err := sqltext.Parse([]byte(c.base), sqltext.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range bf.Statements {
		cat.Apply(s.Node, schema.Origin{Path: "0001_init", Line: 1})
	}
	cat.EndSession()
	var sql strings.Builder
	for _, s := range c.up {
		sql.WriteString(s.SQL + ";\n")
	}
	f, err := sqltext.Parse([]byte(sql.String()), sqltext.Options{})
	if err != nil || len(f.Statements) != len(c.up) {
		t.Fatalf("the rendered SQL: %v, %d statements", err, len(f.Statements))
	}
	before := map[int]*schema.Catalog{}
	fr := checker.New(cat, checker.Options{Version: 16}).File(checker.Input{Migration: m, Tx: source.TxFile, File: f,
		Before: func(i int, c *schema.Catalog) { before[i] = c.Clone() }})
	for i := range fr.Statements {
		fr.Statements[i].Pos = sqltext.Position{Line: c.up[i].Line, Column: 1}
	}
	opts.Version = 16
	opts.Schema = func(_ string, i int) *schema.Catalog { return before[i] }
	opts.Code, opts.CodeFiles = fsys, files
	return Rendered(fsys, m, fr, opts, write)
}
