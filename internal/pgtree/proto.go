package pgtree

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/pganalyze/pg_query_go/v5/parser"
)

// libpg_query speaks protobuf: its parser and scanner can write a tree as
// protobuf (the JSON the fast path reads loses some values), and its
// deparser reads one. The generated marshal and unmarshal methods
// (proto_gen.go) encode each message; the wire format's pieces are here.

// Deparse returns the SQL text of tree, written by PostgreSQL's deparser in
// libpg_query. A tree with a string that is not UTF-8 is refused, as
// pg_query_go refuses to encode it: PostgreSQL would reject the SQL.
func Deparse(tree *ParseResult) (string, error) {
	bad := false
	Strings(tree, func(s string) { bad = bad || !utf8.ValidString(s) })
	if bad {
		return "", errInvalidUTF8
	}
	return parser.DeparseFromProtobuf(tree.marshal(nil))
}

// DeparseStmt returns the SQL text of one statement, without its
// semicolon: Deparse of a tree that holds only it.
func DeparseStmt(stmt *Node) (string, error) {
	return Deparse(&ParseResult{Stmts: []*RawStmt{{Stmt: stmt}}})
}

// Scan returns the tokens of sql as PostgreSQL's scanner sees them.
func Scan(sql string) (*ScanResult, error) {
	b, err := parser.ScanToProtobuf(sql)
	if err != nil {
		return nil, err
	}
	res := new(ScanResult)
	if err := unmarshal(b, res.unmarshal); err != nil {
		return nil, err
	}
	return res, nil
}

// parseProtobuf parses sql the slow way: libpg_query writes the tree as
// protobuf, which holds every value. Parse uses it where the JSON is not
// enough.
func parseProtobuf(sql string) (*ParseResult, error) {
	b, err := parser.ParseToProtobuf(sql)
	if err != nil {
		return nil, err
	}
	res := new(ParseResult)
	if err := unmarshal(b, res.unmarshal); err != nil {
		return nil, err
	}
	return res, nil
}

// errInvalidUTF8 is the error for a tree with a string that is not UTF-8,
// worded as pg_query_go's protobuf decoding words it.
var errInvalidUTF8 = errors.New("string field contains invalid UTF-8")

// WireError reports protobuf from libpg_query that is not what the
// generated code expects: pg_query's format drifted from the descriptors
// proto_gen.go was generated from. It is never the user's SQL.
type WireError struct {
	Offset int    // byte offset in the protobuf
	Msg    string // what was wrong
}

func (e *WireError) Error() string {
	return fmt.Sprintf("pgtree: reading pg_query protobuf at offset %d: %s", e.Offset, e.Msg)
}

// unmarshal runs a generated unmarshal method over b, turning the panics
// with which reader reports errors into an error.
func unmarshal(b []byte, fn func(*reader)) (err error) {
	defer func() {
		if v := recover(); v != nil {
			e, ok := v.(error)
			if !ok || !(errors.Is(e, errInvalidUTF8) || errors.As(e, new(*WireError))) {
				panic(v)
			}
			err = e
		}
	}()
	fn(&reader{b: b})
	return nil
}

// reader reads the fields of one message: b, which starts at byte base of
// the whole protobuf. Errors panic, recovered by unmarshal.
type reader struct {
	b    []byte
	i    int // read position in b
	base int
}

func (r *reader) fail(msg string) {
	panic(&WireError{Offset: r.base + r.i, Msg: msg})
}

func (r *reader) more() bool {
	return r.i < len(r.b)
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b[r.i:])
	if n <= 0 {
		r.fail("bad varint")
	}
	r.i += n
	return v
}

// key reads a field's key: its number and wire type.
func (r *reader) key() (int, int) {
	k := r.uvarint()
	num := k >> 3
	if num == 0 || num > math.MaxInt32 {
		r.fail("bad field number")
	}
	return int(num), int(k & 7)
}

// Wire types.
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

func (r *reader) want(wt, want int) {
	if wt != want {
		r.fail(fmt.Sprintf("wire type %d, want %d", wt, want))
	}
}

func (r *reader) varint(wt int) uint64 {
	r.want(wt, wireVarint)
	return r.uvarint()
}

func (r *reader) double(wt int) float64 {
	r.want(wt, wireFixed64)
	if len(r.b)-r.i < 8 {
		r.fail("truncated fixed64")
	}
	v := binary.LittleEndian.Uint64(r.b[r.i:])
	r.i += 8
	return math.Float64frombits(v)
}

// bytes reads a length-delimited value and returns its offset in r.b.
func (r *reader) bytes(wt int) ([]byte, int) {
	r.want(wt, wireBytes)
	n := r.uvarint()
	if n > uint64(len(r.b)-r.i) {
		r.fail("truncated length-delimited value")
	}
	at := r.i
	r.i += int(n)
	return r.b[at:r.i], at
}

// str reads a string field, which must be UTF-8.
func (r *reader) str(wt int) string {
	b, _ := r.bytes(wt)
	if !utf8.Valid(b) {
		panic(errInvalidUTF8)
	}
	return string(b)
}

// sub returns a reader of an embedded message.
func (r *reader) sub(wt int) *reader {
	b, at := r.bytes(wt)
	return &reader{b: b, base: r.base + at}
}

// uint64s reads a repeated uint64, packed or not, appending it to list.
func (r *reader) uint64s(wt int, list []uint64) []uint64 {
	if wt == wireVarint {
		return append(list, r.uvarint())
	}
	p := r.sub(wt)
	for p.more() {
		list = append(list, p.uvarint())
	}
	return list
}

// skip skips a field the generated code does not know.
func (r *reader) skip(wt int) {
	switch wt {
	case wireVarint:
		r.uvarint()
	case wireBytes:
		r.bytes(wt)
	case wireFixed64, wireFixed32:
		n := 8
		if wt == wireFixed32 {
			n = 4
		}
		if len(r.b)-r.i < n {
			r.fail("truncated fixed-size value")
		}
		r.i += n
	default:
		r.fail(fmt.Sprintf("unsupported wire type %d", wt))
	}
}

// b2u is a bool as a varint.
func b2u(v bool) uint64 {
	if v {
		return 1
	}
	return 0
}

// appendVarint appends a varint field, unless v is 0: proto3 leaves zero
// values out.
func appendVarint(b []byte, key, v uint64) []byte {
	if v == 0 {
		return b
	}
	return binary.AppendUvarint(binary.AppendUvarint(b, key), v)
}

func appendString(b []byte, key uint64, s string) []byte {
	if s == "" {
		return b
	}
	b = binary.AppendUvarint(b, key)
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendDouble(b []byte, key uint64, v float64) []byte {
	bits := math.Float64bits(v)
	if bits == 0 {
		return b
	}
	return binary.LittleEndian.AppendUint64(binary.AppendUvarint(b, key), bits)
}

func appendPacked(b []byte, key uint64, vs []uint64) []byte {
	if len(vs) == 0 {
		return b
	}
	n := 0
	for _, v := range vs {
		n += varintLen(v)
	}
	b = binary.AppendUvarint(b, key)
	b = binary.AppendUvarint(b, uint64(n))
	for _, v := range vs {
		b = binary.AppendUvarint(b, v)
	}
	return b
}

// appendMessage appends an embedded message, which marshal writes. Its
// length comes first but is known only afterwards: the message is written
// after the key, then moved up by the size of its length.
func appendMessage(b []byte, key uint64, marshal func([]byte) []byte) []byte {
	b = binary.AppendUvarint(b, key)
	start := len(b)
	b = marshal(b)
	n := len(b) - start
	size := varintLen(uint64(n))
	b = append(b, make([]byte, size)...)
	copy(b[start+size:], b[start:start+n])
	binary.PutUvarint(b[start:], uint64(n))
	return b
}

func varintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}
