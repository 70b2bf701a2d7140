package pgtree

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	pg_query "github.com/pganalyze/pg_query_go/v5"
	"github.com/pganalyze/pg_query_go/v5/parser"
	"golang.org/x/tools/txtar"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
)

// checkSame parses sql with Parse and pg_query.Parse and reports any
// difference: in the tree, or in whether and where parsing failed. It
// returns whether sql parsed.
func checkSame(t testing.TB, name, sql string) bool {
	t.Helper()
	got, gotErr := Parse(sql)
	want, wantErr := pg_query.Parse(sql)
	if (gotErr != nil) != (wantErr != nil) {
		t.Errorf("%s: Parse error %v, pg_query.Parse error %v\nSQL: %q", name, gotErr, wantErr, trunc(sql))
		return false
	}
	if wantErr != nil {
		var ge, we *parser.Error
		if errors.As(wantErr, &we) {
			if !errors.As(gotErr, &ge) || *ge != *we {
				t.Errorf("%s: Parse error %#v, pg_query.Parse error %#v\nSQL: %q", name, gotErr, wantErr, trunc(sql))
			}
		} else if gotErr.Error() != wantErr.Error() {
			t.Errorf("%s: Parse error %v, pg_query.Parse error %v\nSQL: %q", name, gotErr, wantErr, trunc(sql))
		}
		return false
	}
	if pg := toPG(t, got); !proto.Equal(pg, want) {
		t.Errorf("%s: trees differ\nSQL: %q\n%s", name, trunc(sql), diff(pg, want))
	}
	if pb, err := parseProtobuf(sql); err != nil || !Equal(pb, got) {
		t.Errorf("%s: the tree read from protobuf differs (error %v)\nSQL: %q", name, err, trunc(sql))
	}
	return true
}

// toPG converts a tree to pg_query_go's types by way of its protobuf
// encoding (marshal), for comparing it with pg_query.Parse's.
func toPG(t testing.TB, m *ParseResult) *pg_query.ParseResult {
	t.Helper()
	var out pg_query.ParseResult
	if err := proto.Unmarshal(m.marshal(nil), &out); err != nil {
		t.Fatalf("proto.Unmarshal of marshal's output: %v", err)
	}
	return &out
}

func trunc(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "..."
	}
	return s
}

// diff shows the first lines where the text forms of a and b differ.
func diff(a, b proto.Message) string {
	opts := prototext.MarshalOptions{Multiline: true}
	al := strings.Split(opts.Format(a), "\n")
	bl := strings.Split(opts.Format(b), "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			lo := max(i-8, 0)
			return "first difference at line " + strconv.Itoa(i) + ":\n--- Parse:\n" +
				strings.Join(al[lo:min(i+4, len(al))], "\n") + "\n--- pg_query.Parse:\n" +
				strings.Join(bl[lo:min(i+4, len(bl))], "\n")
		}
	}
	return "(text forms are equal)"
}

// sqlFile is a named SQL input.
type sqlFile struct {
	name, sql string
}

// sqlFiles returns the .sql files under dir, in lexical order.
func sqlFiles(t testing.TB, dir string) []sqlFile {
	t.Helper()
	var files []sqlFile
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.IsDir() && strings.HasSuffix(path, ".sql") {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			files = append(files, sqlFile{path, string(data)})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// benchCorpus returns the files of testdata/bench/corpus.txtar.
func benchCorpus(t testing.TB) []txtar.File {
	t.Helper()
	ar, err := txtar.ParseFile("../../testdata/bench/corpus.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if len(ar.Files) == 0 {
		t.Fatal("empty bench corpus")
	}
	return ar.Files
}

// checkCorpus compares Parse with pg_query.Parse on every file, and on
// every statement of each file on its own, and logs what it covered.
func checkCorpus(t *testing.T, files []sqlFile) {
	var nFiles, nBad, nStmts int
	for _, f := range files {
		name, sql := f.name, f.sql
		if !checkSame(t, name, sql) {
			nBad++
			continue
		}
		nFiles++
		res, _ := Parse(sql)
		nStmts += len(res.Stmts)
		for i, st := range res.Stmts {
			checkSame(t, name+"#"+strconv.Itoa(i), stmtText(sql, st))
		}
	}
	t.Logf("%d files (%d statements) parsed the same; %d files failed to parse in both", nFiles, nStmts, nBad)
	if nFiles == 0 {
		t.Error("no file parsed")
	}
}

func TestTestdata(t *testing.T) {
	files := sqlFiles(t, "../../testdata")
	if len(files) == 0 {
		t.Fatal("no .sql files under ../testdata")
	}
	checkCorpus(t, files)
}

func TestBenchCorpus(t *testing.T) {
	var files []sqlFile
	for _, f := range benchCorpus(t) {
		files = append(files, sqlFile{f.Name, string(f.Data)})
	}
	checkCorpus(t, files)
}

// TestCorpora covers the migrations under $PHASEGATE_CORPORA
// (/work/shared/corpora), when set.
func TestCorpora(t *testing.T) {
	dir := os.Getenv("PHASEGATE_CORPORA")
	if dir == "" {
		if os.Getenv("PHASEGATE_REQUIRE_CORPORA") != "" {
			t.Fatal("PHASEGATE_CORPORA is not set, and PHASEGATE_REQUIRE_CORPORA says the corpus tests must run")
		}
		t.Skip("PHASEGATE_CORPORA is not set: the corpus tests are opt-in")
	}
	files := sqlFiles(t, dir)
	if len(files) == 0 {
		t.Fatalf("no .sql files under %s", dir)
	}
	checkCorpus(t, files)
}

func TestTricky(t *testing.T) {
	for i, sql := range tricky {
		checkSame(t, "tricky#"+strconv.Itoa(i), sql)
	}
	// And all of them as one input, where locations are large.
	checkSame(t, "tricky (joined)", strings.Join(tricky, ";\n"))
}

// TestErrors checks that syntax errors are the ones pg_query.Parse returns.
func TestErrors(t *testing.T) {
	for _, sql := range []string{
		"SELEC 1",
		"SELECT 1; CREATE TABLE (",
		"SELECT 'unterminated",
		"SELECT E'\\xff'",
		"SELECT U&'\\D800'",
		"CREATE TABLE t (a int,)",
		"SELECT 1 +",
		"select 123abc",
		"SELECT 'x' -- comment\n 'y'",
		"FETCH 9223372036854775807 c",
		"CREATE TABLE t (a int) WITH OIDS",
		"SELECT * FROM t OFFSET 1 ROWS FETCH NEXT 1 ROWS WITH TIES",
	} {
		if checkSame(t, sql, sql) {
			t.Errorf("%q parsed", sql)
		}
		if _, err := Parse(sql); err != nil {
			var pe *parser.Error
			if !errors.As(err, &pe) {
				t.Errorf("%q: error %T, want *parser.Error", sql, err)
			}
		}
	}
}

// TestInvalidUTF8 covers input that parses but whose tree holds a string
// that is not UTF-8, where pg_query.Parse fails in proto.Unmarshal.
func TestInvalidUTF8(t *testing.T) {
	for _, sql := range []string{
		"SELECT '\xff'",
		"SELECT 1 AS \"a\xc3\"",
		"-- \xff\nSELECT 1",
		"SELECT 'a\xe2\x82' || '<'",
	} {
		checkSame(t, sql, sql)
	}
}

// TestUnknownKey checks that JSON the decoder was not generated for is an
// error, not silently dropped.
func TestUnknownKey(t *testing.T) {
	for _, js := range []string{
		`{"version":160001,"stmts":[{"stmt":{"SelectStmt":{"op":"SETOP_NONE","newField":1}}}]}`,
		`{"version":160001,"stmts":[{"stmt":{"NoSuchStmt":{}}}]}`,
		`{"version":160001,"stmts":[{"stmt":{"SelectStmt":{"op":"SETOP_NEW"}}}]}`,
		`{"version":160001,"stmts":[{"stmt":{"SelectStmt":{"op":"SETOP_NONE"}}}]} x`,
		`{"version":160001,"stmts":[{"stmt":{"SelectStmt":{"limitCount":{"A_Const":{"ival":{"ival":1.5}}}}}}]}`,
	} {
		d := new(decoder)
		d.reset(js, "")
		_, err := d.decode()
		var de *DecodeError
		if !errors.As(err, &de) {
			t.Errorf("%s: got %v, want a *DecodeError", js, err)
		}
	}
}

func TestStrings(t *testing.T) {
	for js, want := range map[string]string{
		`"plain"`:                   "plain",
		`"a\u003cb\u003e"`:          "a<b>",
		`"\u003c\u003e"`:            "<>",
		`"\"\\\/\b\f\n\r\t"`:        "\"\\/\b\f\n\r\t",
		`"\u00e9\u20AC"`:            "é€",
		`"\ud83d\ude00"`:            "😀",
		`"lone \ud83d x"`:           "lone \ufffd x",
		`"é raw"`:                   "é raw",
		`null`:                      "",
		`"\u0001\u001f"`:            "\x01\x1f",
		`"x\ude00"`:                 "x\ufffd",
		`"a\u003cb\u003e` + `cdef"`: "a<b>cdef",
	} {
		d := new(decoder)
		d.reset(js, "")
		if got := d.str(); got != want || d.i != len(js) {
			t.Errorf("str(%s) = %q (read %d of %d), want %q", js, got, d.i, len(js), want)
		}
	}
}

func TestIntConstAt(t *testing.T) {
	for _, tc := range []struct {
		sql  string
		want int32
		ok   bool
	}{
		{"0", 0, true},
		{"00", 0, true},
		{"0x0", 0, true},
		{"0_0 ", 0, true},
		{"0b0)", 0, true},
		{"-1", -1, true},
		{"- /* c */ 12", -12, true},
		{"-\n-- c\n 0x1F", -31, true},
		{"-2147483647", -2147483647, true},
		{"-2147483648", 0, false},
		{"-(1)", 0, false},
		{"--1", 0, false},
		{"1", 0, false},
		{"0.5", 0, false},
		{"0e1", 0, false},
		{"0abc", 0, false},
		{"false", 0, false},
		{"- 1_000", -1000, true},
	} {
		got, ok := intConstAt(tc.sql, 0)
		if got != tc.want || ok != tc.ok {
			t.Errorf("intConstAt(%q) = %d, %v; want %d, %v", tc.sql, got, ok, tc.want, tc.ok)
		}
	}
}

// TestGenerated checks that the generated files are what the generator
// writes.
func TestGenerated(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the generator with go run")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	for _, kind := range []string{"decode", "walk", "types", "methods", "proto"} {
		file := kind + "_gen.go"
		args := []string{"run", "./internal/gen", "-kind", kind, "-o", "-"}
		cmd := exec.Command(goTool, args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
		}
		have, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, have) {
			t.Errorf("%s is out of date: run go generate ./internal/pgtree", file)
		}
	}
}

// TestReparse checks the statements whose omitted integers cannot be
// recovered from the SQL text: they are queued for reparse, and reparsing
// them alone (with their offsets kept) gives pg_query.Parse's tree.
func TestReparse(t *testing.T) {
	filler := strings.Repeat("SELECT 1;\n", 50)
	for _, sql := range []string{
		"ALTER TABLE t ALTER c SET STATISTICS -1",
		filler + "ALTER TABLE t ALTER c SET STATISTICS -1;" + filler,
		filler + "CREATE SEQUENCE s START 0 INCREMENT -1;\n" + filler + "BEGIN READ WRITE;" + filler,
		filler + "/* comment */ CREATE TABLE t (a int[0], b int[]) -- x\n",
		filler + "SELECT -(1), - -0, -(0)",
		filler + "SELECT 'x' AS \"é\", -(1); SELECT '[0]'::int[]",
	} {
		js, err := parser.ParseToJSON(sql)
		if err != nil {
			t.Fatal(err)
		}
		d := new(decoder)
		d.reset(js, sql)
		got, err := d.decode()
		if err != nil {
			t.Fatal(err)
		}
		if len(d.redo) == 0 {
			t.Errorf("%.60q...: nothing to reparse", sql)
			continue
		}
		if !reparse(sql, d.redo) {
			t.Errorf("%.60q...: reparse refused or failed", sql)
			continue
		}
		want, err := pg_query.Parse(sql)
		if err != nil {
			t.Fatal(err)
		}
		if pg := toPG(t, got); !proto.Equal(pg, want) {
			t.Errorf("%.60q...: trees differ\n%s", sql, diff(pg, want))
		}
	}
}

// TestConcurrent parses from several goroutines at once (the decoders and
// their memory are pooled) and checks every tree.
func TestConcurrent(t *testing.T) {
	var inputs []string
	var want []*ParseResult
	for _, sql := range tricky {
		if r, err := Parse(sql); err == nil {
			inputs = append(inputs, sql)
			want = append(want, r)
		}
	}
	errs := make(chan string, 4)
	for g := range 4 {
		go func() {
			for i := range inputs {
				k := (i + g*len(inputs)/4) % len(inputs)
				got, err := Parse(inputs[k])
				if err != nil || !Equal(got, want[k]) {
					errs <- inputs[k]
					return
				}
			}
			errs <- ""
		}()
	}
	for range 4 {
		if sql := <-errs; sql != "" {
			t.Errorf("%q: different tree when parsing concurrently", sql)
		}
	}
}
