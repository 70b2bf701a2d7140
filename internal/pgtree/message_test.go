package pgtree

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	pg_query "github.com/pganalyze/pg_query_go/v5"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// messageInputs are the bench corpus and the tricky inputs that parse.
func messageInputs(t testing.TB) []string {
	var inputs []string
	for _, f := range benchCorpus(t) {
		inputs = append(inputs, string(f.Data))
	}
	for _, sql := range tricky {
		if _, err := pg_query.Parse(sql); err == nil {
			inputs = append(inputs, sql)
		}
	}
	return inputs
}

// TestCloneAndEqual checks Clone and Equal against protobuf's: a clone is
// Equal and proto.Equal to its original, shares no message with it, and a
// change to a string anywhere in it makes both Equal and proto.Equal
// false.
func TestCloneAndEqual(t *testing.T) {
	changed := 0
	for _, sql := range messageInputs(t) {
		res, err := Parse(sql)
		if err != nil {
			t.Fatal(err)
		}
		c := Clone(res)
		if !Equal(c, res) || !proto.Equal(toPG(t, c), toPG(t, res)) {
			t.Fatalf("%q: clone differs from its original", trunc(sql))
		}
		orig := map[Message]bool{}
		Visit(res, func(m Message) bool { orig[m] = true; return true })
		Visit(c, func(m Message) bool {
			// Messages without fields take no memory: Go may give them all
			// one address.
			if orig[m] && reflect.TypeOf(m).Elem().Size() > 0 {
				t.Fatalf("%q: clone shares a %T with its original", trunc(sql), m)
			}
			return true
		})
		// Change each statement's first string, and compare again.
		for i, raw := range c.Stmts {
			var s *String
			Visit(raw, func(m Message) bool {
				if x, ok := m.(*String); ok && s == nil {
					s = x
				}
				return s == nil
			})
			if s == nil {
				continue
			}
			s.Sval += "x"
			if Equal(c, res) || Equal(raw, res.Stmts[i]) || proto.Equal(toPG(t, c), toPG(t, res)) {
				t.Fatalf("%q: a changed clone is still equal", trunc(sql))
			}
			s.Sval = s.Sval[:len(s.Sval)-1]
			changed++
		}
	}
	if changed < 1000 {
		t.Errorf("changed %d statements; the corpus should give over 1,000", changed)
	}
	if !Equal((*Node)(nil), (*Node)(nil)) || Equal(&Node{}, (*Node)(nil)) || Equal(&Node{}, &RangeVar{}) {
		t.Error("Equal is wrong on nil or on different types")
	}
	if !Equal(&ColumnRef{Fields: nil}, &ColumnRef{Fields: []*Node{}}) {
		t.Error("Equal tells a nil list from an empty one")
	}
	if Clone(Message(nil)) != nil || Clone((*Node)(nil)) != nil {
		t.Error("Clone of nil is not nil")
	}
}

// TestVisitAndStrings checks Visit and Strings against protobuf
// reflection over pg_query.Parse's tree: the same messages (as many of
// each type) and the same strings.
func TestVisitAndStrings(t *testing.T) {
	msgs := 0
	for _, sql := range messageInputs(t) {
		res, err := Parse(sql)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := pg_query.Parse(sql)
		seen := map[string]int{}
		Visit(res, func(m Message) bool { seen[kind(m)]++; msgs++; return true })
		var wantStrs []string
		reflectVisit(want.ProtoReflect(), func(m protoreflect.Message) {
			seen[kind(m.Interface())]--
			m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
				if fd.Kind() == protoreflect.StringKind && !fd.IsList() {
					wantStrs = append(wantStrs, v.String())
				}
				return true
			})
		})
		for k, d := range seen {
			if d != 0 {
				t.Fatalf("%q: Visit saw %s %+d times more than reflection", trunc(sql), k, d)
			}
		}
		var got []string
		Strings(res, func(s string) { got = append(got, s) })
		sort.Strings(got)
		sort.Strings(wantStrs)
		if strings.Join(got, "\x00") != strings.Join(wantStrs, "\x00") {
			t.Fatalf("%q: Strings gave %d strings, reflection %d", trunc(sql), len(got), len(wantStrs))
		}
	}
	if msgs < 100000 {
		t.Errorf("visited %d messages; the corpus should give over 100,000", msgs)
	}
	// fn returning false skips what is below.
	res, _ := Parse("SELECT f(a) FROM t")
	n := 0
	Visit(res, func(m Message) bool { n++; _, isCall := m.(*FuncCall); return !isCall })
	all := 0
	Visit(res, func(Message) bool { all++; return true })
	if n >= all {
		t.Errorf("pruning at the call visited %d of %d messages", n, all)
	}
}

func reflectVisit(m protoreflect.Message, fn func(protoreflect.Message)) {
	fn(m)
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.Kind() != protoreflect.MessageKind:
		case fd.IsList():
			for i := 0; i < v.List().Len(); i++ {
				reflectVisit(v.List().Get(i).Message(), fn)
			}
		default:
			reflectVisit(v.Message(), fn)
		}
		return true
	})
}

// TestDeparse checks that Deparse writes what pg_query.Deparse writes, for
// every statement of the inputs, and the same errors.
func TestDeparse(t *testing.T) {
	n := 0
	for _, sql := range messageInputs(t) {
		res, err := Parse(sql)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := pg_query.Parse(sql)
		for i, raw := range res.Stmts {
			got, gotErr := Deparse(&ParseResult{Stmts: []*RawStmt{raw}})
			exp, expErr := pg_query.Deparse(&pg_query.ParseResult{Stmts: []*pg_query.RawStmt{want.Stmts[i]}})
			if got != exp || fmt.Sprint(gotErr) != fmt.Sprint(expErr) {
				t.Fatalf("statement %d of %q:\nDeparse %q, %v\npg_query.Deparse %q, %v", i, trunc(sql), got, gotErr, exp, expErr)
			}
			n++
		}
	}
	t.Logf("%d statements deparsed alike", n)
}

// Deparse refuses a tree with a string that is not UTF-8, as
// pg_query.Deparse does: PostgreSQL would refuse the SQL.
func TestDeparseInvalidUTF8(t *testing.T) {
	res, err := Parse("CREATE INDEX ix ON t (a)")
	if err != nil {
		t.Fatal(err)
	}
	res.Stmts[0].Stmt.GetIndexStmt().Idxname = "ix\xc3"
	got, err := Deparse(res)
	var pgRes pg_query.ParseResult
	if uerr := proto.Unmarshal(res.marshal(nil), &pgRes); uerr == nil {
		t.Fatal("proto.Unmarshal took the bad string: the test would not compare with pg_query")
	}
	if err == nil || err.Error() != "string field contains invalid UTF-8" {
		t.Errorf("Deparse = %q, %v; want the invalid UTF-8 error", got, err)
	}
}

// TestScan checks Scan against pg_query.Scan.
func TestScan(t *testing.T) {
	for _, sql := range append(messageInputs(t), "SELECT 'unterminated", "SELECT $$x") {
		got, gotErr := Scan(sql)
		want, wantErr := pg_query.Scan(sql)
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
			t.Fatalf("%q: Scan error %v, pg_query.Scan error %v", trunc(sql), gotErr, wantErr)
		}
		if gotErr != nil {
			continue
		}
		var conv pg_query.ScanResult
		if err := proto.Unmarshal(got.marshal(nil), &conv); err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(&conv, want) {
			t.Fatalf("%q: Scan differs from pg_query.Scan", trunc(sql))
		}
		if len(got.Tokens) > 0 && got.Tokens[0].Token.String() != want.Tokens[0].Token.String() {
			t.Fatalf("%q: token names differ: %s, %s", trunc(sql), got.Tokens[0].Token, want.Tokens[0].Token)
		}
	}
}

// TestEnumStrings checks every enum value's String against protobuf's.
func TestEnumStrings(t *testing.T) {
	fd := (&pg_query.ParseResult{}).ProtoReflect().Descriptor().ParentFile()
	got := map[string]func(int32) string{
		"AlterTableType": func(v int32) string { return AlterTableType(v).String() },
		"ConstrType":     func(v int32) string { return ConstrType(v).String() },
		"ObjectType":     func(v int32) string { return ObjectType(v).String() },
		"Token":          func(v int32) string { return Token(v).String() },
	}
	for name, str := range got {
		ed := fd.Enums().ByName(protoreflect.Name(name))
		for i := 0; i < ed.Values().Len(); i++ {
			v := ed.Values().Get(i)
			if s := str(int32(v.Number())); s != string(v.Name()) {
				t.Errorf("%s(%d).String() = %q, want %q", name, v.Number(), s, v.Name())
			}
		}
		if s := str(99999); s != "99999" {
			t.Errorf("%s(99999).String() = %q", name, s)
		}
	}
}
