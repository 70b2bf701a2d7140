package pgtree

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// DecodeError reports JSON from libpg_query that the decoder does not
// understand: malformed JSON, an unknown object key or enum name, or a
// value of the wrong type. It means pg_query's output format drifted from
// the descriptors decode_gen.go was generated from.
type DecodeError struct {
	Offset int    // byte offset in the JSON
	Msg    string // what was wrong
	Near   string // JSON text around Offset
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("pgtree: decoding pg_query JSON at offset %d: %s (near %q)", e.Offset, e.Msg, e.Near)
}

// decoder reads the JSON written by libpg_query's pg_query_nodes_to_json.
// That JSON is machine-written: no whitespace (though whitespace is
// accepted), object keys without escapes, strings escaped only for control
// characters, '"', '\\', '<' and '>'. Errors panic with a *DecodeError,
// recovered by decode.
type decoder struct {
	s string // the JSON
	i int    // read position in s

	// sql is the parsed SQL up to its first NUL byte (libpg_query sees a C
	// string), used to recover the Integer values the JSON omits.
	sql string

	// zeroInts counts the Integer messages of the current statement that
	// had no "ival" (value 0 or negative) and are not yet resolved;
	// boundGuess is set when an omitted array bound was taken to be -1.
	zeroInts   int
	boundGuess bool
	// redo lists the statements whose tree must be taken from
	// Parse because an omitted value could not be resolved.
	redo []*RawStmt

	// badUTF8 is set when a decoded string is not valid UTF-8, where
	// Parse fails in proto.Unmarshal.
	badUTF8 bool

	// nodes is a stack of list elements being decoded (see nodeList).
	nodes []*Node

	// a, lists, listsNext and strs hold the memory the tree is allocated
	// from (see slab, nodeSlice and keep).
	a         *arena
	lists     []*Node
	listsNext int
	strs      []byte

	scratch []byte // for decoding escaped strings
}

// The decoder allocates the messages of each type in chunks, which is much
// cheaper than allocating each message on its own. The chunks belong to
// one tree: a decoder starts afresh for each parse, with chunks of
// slabFirst values, doubling up to slabBytes, so that the memory the last
// chunks leave unused stays small.
const (
	slabFirst = 2
	slabBytes = 2048
)

// slab allocates values of type T from chunks.
type slab[T any] struct {
	free []T
	next int // length of the next chunk
}

func (s *slab[T]) alloc() *T {
	if len(s.free) == 0 {
		s.grow()
	}
	p := &s.free[0]
	s.free = s.free[1:]
	return p
}

func (s *slab[T]) grow() {
	var zero T
	size := max(int(unsafe.Sizeof(zero)), 1) // messages without fields take no room
	n := max(s.next, slabFirst)
	n = min(n, max(slabBytes/size, 1))
	s.free = make([]T, n)
	s.next = 2 * n
}

// reset prepares d for decoding js, keeping no memory of earlier trees.
func (d *decoder) reset(js, sql string) {
	a, nodes, redo := d.a, d.nodes, d.redo
	if a == nil {
		a = new(arena)
	} else {
		*a = arena{}
	}
	clear(nodes)
	clear(redo)
	*d = decoder{s: js, sql: sql, a: a, nodes: nodes[:0], redo: redo[:0], scratch: d.scratch[:0]}
}

// nodeSlice returns a slice of n node pointers, with capacity n so that
// appending to it never writes into memory used elsewhere.
func (d *decoder) nodeSlice(n int) []*Node {
	if n > slabBytes/8/4 {
		return make([]*Node, n)
	}
	if len(d.lists) < n {
		m := max(d.listsNext, 16)
		m = max(min(m, slabBytes/8), n)
		d.lists = make([]*Node, m)
		d.listsNext = 2 * m
	}
	s := d.lists[:n:n]
	d.lists = d.lists[n:]
	return s
}

// decode decodes the whole JSON document.
func (d *decoder) decode() (res *ParseResult, err error) {
	defer func() {
		if r := recover(); r != nil {
			de, ok := r.(*DecodeError)
			if !ok {
				panic(r)
			}
			res, err = nil, de
		}
	}()
	res = d.decodeParseResult()
	if res == nil {
		d.fail("top-level null")
	}
	if d.peek() != 0 {
		d.fail("trailing data")
	}
	return res, nil
}

func (d *decoder) fail(format string, args ...any) {
	lo, hi := max(d.i-40, 0), min(d.i+40, len(d.s))
	panic(&DecodeError{Offset: d.i, Msg: fmt.Sprintf(format, args...), Near: d.s[lo:hi]})
}

func (d *decoder) unknownKey(msg, key string) {
	d.fail("unknown key %q in %s", key, msg)
}

func (d *decoder) unknownEnum(enum, name string) {
	d.fail("unknown %s value %q", enum, name)
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t'
}

// peek returns the next non-whitespace byte, or 0 at the end of the input.
func (d *decoder) peek() byte {
	if d.i < len(d.s) {
		if c := d.s[d.i]; c > ' ' {
			return c
		}
	}
	return d.peekSlow()
}

func (d *decoder) peekSlow() byte {
	for d.i < len(d.s) {
		c := d.s[d.i]
		if !isSpace(c) {
			return c
		}
		d.i++
	}
	return 0
}

func (d *decoder) expect(c byte) {
	if d.peek() != c {
		d.fail("expected %q", c)
	}
	d.i++
}

// literal consumes the keyword lit (true, false or null).
func (d *decoder) literal(lit string) {
	if len(d.s)-d.i < len(lit) || d.s[d.i:d.i+len(lit)] != lit {
		d.fail("expected %s", lit)
	}
	d.i += len(lit)
}

// null consumes a JSON null if one comes next.
func (d *decoder) null() bool {
	if d.peek() == 'n' {
		d.literal("null")
		return true
	}
	return false
}

// objectStart consumes '{' and reports whether a key follows (false: the
// object was empty and its '}' is consumed too).
func (d *decoder) objectStart() bool {
	d.expect('{')
	if d.peek() == '}' {
		d.i++
		return false
	}
	return true
}

// objectNext consumes ',' (true: another key follows) or '}' (false).
func (d *decoder) objectNext() bool {
	switch d.peek() {
	case ',':
		d.i++
		return true
	case '}':
		d.i++
		return false
	}
	d.fail("expected ',' or '}' in object")
	return false
}

// emptyObject consumes {} (a message without fields).
func (d *decoder) emptyObject(msg string) {
	if d.objectStart() {
		d.unknownKey(msg, d.key())
	}
}

// key reads an object key and the ':' after it.
func (d *decoder) key() string {
	// Fast path for what libpg_query writes: "key": without escapes or
	// whitespace.
	if i := d.i; i < len(d.s) && d.s[i] == '"' {
		for j := i + 1; j < len(d.s); j++ {
			c := d.s[j]
			if c == '"' {
				if j+1 < len(d.s) && d.s[j+1] == ':' {
					d.i = j + 2
					return d.s[i+1 : j]
				}
				break
			}
			if c == '\\' {
				break
			}
		}
	}
	return d.keySlow()
}

func (d *decoder) keySlow() string {
	if d.peek() != '"' {
		d.fail("expected object key")
	}
	start := d.i + 1
	for j := start; j < len(d.s); j++ {
		switch d.s[j] {
		case '"':
			k := d.s[start:j]
			d.i = j + 1
			d.expect(':')
			return k
		case '\\':
			k := d.name()
			d.expect(':')
			return k
		}
	}
	d.fail("unterminated key")
	return ""
}

// str reads a string (null reads as "") for the tree: its bytes are copied
// to memory of the tree's own (see keep), so that the tree does not keep
// the JSON alive.
func (d *decoder) str() string {
	s, escaped := d.rawStr()
	if escaped {
		return s
	}
	return d.keep(s)
}

// name reads a string that is used only while decoding (an enum name).
func (d *decoder) name() string {
	s, _ := d.rawStr()
	return s
}

// rawStr reads a string. One without escapes is returned as a substring of
// the JSON (escaped false); one with escapes is decoded into the tree's
// memory (escaped true).
func (d *decoder) rawStr() (s string, escaped bool) {
	c := d.peek()
	if c != '"' {
		if c == 'n' {
			d.literal("null")
			return "", false
		}
		d.fail("expected string")
	}
	start := d.i + 1
	var high byte
	for j := start; j < len(d.s); j++ {
		c := d.s[j]
		switch {
		case c == '"':
			d.i = j + 1
			s := d.s[start:j]
			if high >= utf8.RuneSelf && !utf8.ValidString(s) {
				d.badUTF8 = true
			}
			return s, false
		case c == '\\':
			return d.strEscaped(start), true
		case c < ' ':
			d.i = j
			d.fail("control character in string")
		}
		high |= c
	}
	d.i = len(d.s)
	d.fail("unterminated string")
	return "", false
}

// keep returns a copy of s in memory allocated for the tree in chunks
// (strings are copied one after the other into a chunk; a chunk is never
// written to where a string was copied).
func (d *decoder) keep(s string) string {
	n := len(s)
	if n == 0 {
		return ""
	}
	if n > strChunk/4 {
		return strings.Clone(s)
	}
	if cap(d.strs)-len(d.strs) < n {
		m := min(max(2*cap(d.strs), strChunk/16), strChunk)
		d.strs = make([]byte, 0, m)
	}
	i := len(d.strs)
	d.strs = append(d.strs, s...)
	return unsafe.String(&d.strs[i], n)
}

// strChunk is the largest chunk keep copies strings into.
const strChunk = 4096

// strEscaped reads the string starting at s[start] (after its opening
// quote) that contains escapes.
func (d *decoder) strEscaped(start int) string {
	b := d.scratch[:0]
	defer func() { d.scratch = b[:0] }()
	j := start
	for {
		if j >= len(d.s) {
			d.i = len(d.s)
			d.fail("unterminated string")
		}
		c := d.s[j]
		switch {
		case c == '"':
			d.i = j + 1
			if !utf8.Valid(b) {
				d.badUTF8 = true
			}
			if op, ok := operator(b); ok {
				return op
			}
			return d.keep(unsafe.String(unsafe.SliceData(b), len(b)))
		case c < ' ':
			d.i = j
			d.fail("control character in string")
		case c != '\\':
			b = append(b, c)
			j++
			continue
		}
		// An escape.
		if j+1 >= len(d.s) {
			d.i = len(d.s)
			d.fail("unterminated string")
		}
		e := d.s[j+1]
		j += 2
		switch e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := hex4(d.s, j)
			if !ok {
				d.i = j
				d.fail("bad \\u escape")
			}
			j += 4
			if utf16IsSurrogate(r) {
				r2, ok := rune(0), false
				if r < 0xdc00 && j+6 <= len(d.s) && d.s[j] == '\\' && d.s[j+1] == 'u' {
					r2, ok = hex4(d.s, j+2)
					ok = ok && r2 >= 0xdc00 && r2 < 0xe000
				}
				if ok {
					r = (r-0xd800)<<10 + (r2 - 0xdc00) + 0x10000
					j += 6
				} else {
					r = utf8.RuneError
				}
			}
			b = utf8.AppendRune(b, r)
		default:
			d.i = j - 1
			d.fail("bad escape \\%c", e)
		}
	}
}

func utf16IsSurrogate(r rune) bool { return r >= 0xd800 && r < 0xe000 }

func hex4(s string, j int) (rune, bool) {
	if j+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[j : j+4]) {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// operator returns string(b), without allocating, for the operator names
// that need escapes in pg_query's JSON ('<' and '>' are written as \u003c
// and \u003e) and so occur in most trees.
func operator(b []byte) (string, bool) {
	switch string(b) {
	case "<":
		return "<", true
	case ">":
		return ">", true
	case "<=":
		return "<=", true
	case ">=":
		return ">=", true
	case "<>":
		return "<>", true
	case "->":
		return "->", true
	case "->>":
		return "->>", true
	case "#>":
		return "#>", true
	case "#>>":
		return "#>>", true
	case "@>":
		return "@>", true
	case "<@":
		return "<@", true
	case "<<":
		return "<<", true
	case ">>":
		return ">>", true
	}
	return "", false
}

func (d *decoder) boolean() bool {
	switch d.peek() {
	case 't':
		d.literal("true")
		return true
	case 'f':
		d.literal("false")
		return false
	}
	d.fail("expected true or false")
	return false
}

// integer reads a JSON integer as sign and magnitude.
func (d *decoder) integer() (neg bool, mag uint64) {
	c := d.peek()
	j := d.i
	if c == '-' {
		neg = true
		j++
	}
	start := j
	for ; j < len(d.s); j++ {
		c := d.s[j]
		if c < '0' || c > '9' {
			break
		}
		if mag > (math.MaxUint64-9)/10 {
			d.fail("integer overflow")
		}
		mag = mag*10 + uint64(c-'0')
	}
	if j == start {
		d.fail("expected integer")
	}
	if j < len(d.s) {
		if c := d.s[j]; c == '.' || c == 'e' || c == 'E' {
			d.fail("expected integer, found a fraction or exponent")
		}
	}
	d.i = j
	return neg, mag
}

func (d *decoder) int32() int32 {
	neg, mag := d.integer()
	if neg {
		if mag > -math.MinInt32 {
			d.fail("int32 overflow")
		}
		return int32(-int64(mag))
	}
	if mag > math.MaxInt32 {
		d.fail("int32 overflow")
	}
	return int32(mag)
}

func (d *decoder) int64() int64 {
	neg, mag := d.integer()
	if neg {
		if mag > 1<<63 {
			d.fail("int64 overflow")
		}
		return int64(-mag)
	}
	if mag > math.MaxInt64 {
		d.fail("int64 overflow")
	}
	return int64(mag)
}

func (d *decoder) uint32() uint32 {
	neg, mag := d.integer()
	if neg && mag != 0 || mag > math.MaxUint32 {
		d.fail("uint32 out of range")
	}
	return uint32(mag)
}

func (d *decoder) uint64() uint64 {
	neg, mag := d.integer()
	if neg && mag != 0 {
		d.fail("uint64 out of range")
	}
	return mag
}

func (d *decoder) float64() float64 {
	d.peek()
	j := d.i
	for ; j < len(d.s); j++ {
		c := d.s[j]
		if !(c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
			break
		}
	}
	f, err := strconv.ParseFloat(d.s[d.i:j], 64)
	if err != nil {
		d.fail("bad number: %v", err)
	}
	d.i = j
	return f
}

func (d *decoder) uint64List() []uint64 {
	if d.null() {
		return nil
	}
	d.expect('[')
	if d.peek() == ']' {
		d.i++
		return nil
	}
	var out []uint64
	for {
		out = append(out, d.uint64())
		if !d.arrayNext() {
			return out
		}
	}
}

// arrayNext consumes ',' (true: another element follows) or ']' (false).
func (d *decoder) arrayNext() bool {
	switch d.peek() {
	case ',':
		d.i++
		return true
	case ']':
		d.i++
		return false
	}
	d.fail("expected ',' or ']' in array")
	return false
}

// nodeList reads an array of Node objects. The elements are collected on
// d.nodes (shared by nested lists) and copied to a slice of exact length.
func (d *decoder) nodeList() []*Node {
	if d.null() {
		return nil
	}
	d.expect('[')
	if d.peek() == ']' {
		d.i++
		return nil
	}
	base := len(d.nodes)
	for {
		d.nodes = append(d.nodes, d.decodeNode())
		if !d.arrayNext() {
			break
		}
	}
	out := d.nodeSlice(len(d.nodes) - base)
	copy(out, d.nodes[base:])
	clear(d.nodes[base:])
	d.nodes = d.nodes[:base]
	return out
}

// decodeList reads an array of messages of one type.
func decodeList[T any](d *decoder, elem func(*decoder) *T) []*T {
	if d.null() {
		return nil
	}
	d.expect('[')
	if d.peek() == ']' {
		d.i++
		return nil
	}
	var out []*T
	for {
		out = append(out, elem(d))
		if !d.arrayNext() {
			return out
		}
	}
}

// Hooks called by the generated code after decoding some messages; see
// postHooks in internal/gen. They deal with pg_query's JSON writing an
// Integer (alone or as A_Const's ival) only when its value is positive:
// {"Integer":{}} and {"A_Const":{"ival":{},...}} may be 0 or negative.

// postInteger counts an Integer whose value was omitted.
func (d *decoder) postInteger(m *Integer) {
	if m.Ival == 0 {
		d.zeroInts++
	}
}

// postA_Const recovers an omitted integer constant from the SQL text at the
// constant's location.
func (d *decoder) postA_Const(m *A_Const) {
	v, ok := m.Val.(*A_Const_Ival)
	if !ok || v.Ival == nil || v.Ival.Ival != 0 {
		return
	}
	if n, ok := intConstAt(d.sql, m.Location); ok {
		v.Ival.Ival = n
		d.zeroInts--
	}
}

// postTypeName takes omitted array bounds to be -1 (the grammar's "no
// bound", as in int[]); the alternative, an explicit [0], is checked for
// in the statement's text by postRawStmt.
func (d *decoder) postTypeName(m *TypeName) {
	for _, n := range m.ArrayBounds {
		if x, ok := n.GetNode().(*Node_Integer); ok && x.Integer != nil && x.Integer.Ival == 0 {
			x.Integer.Ival = -1
			d.zeroInts--
			d.boundGuess = true
		}
	}
}

// postRawStmt queues the statement for Parse if it holds an
// omitted integer that could not be resolved.
func (d *decoder) postRawStmt(m *RawStmt) {
	if d.zeroInts != 0 || d.boundGuess && mayHaveZeroBound(stmtText(d.sql, m)) {
		d.redo = append(d.redo, m)
	}
	d.zeroInts = 0
	d.boundGuess = false
}
