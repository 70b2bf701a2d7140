package pgtree

// Message is any message of pg_query.proto: a ParseResult, a Node, a
// statement, a RangeVar. Its methods are generated (methods_gen.go).
type Message interface {
	cloneMessage() Message
	equalMessage(Message) bool
	visit(fn func(Message) bool)
	eachString(fn func(string))
}

// Clone returns a deep copy of m (nil for nil).
func Clone[M Message](m M) M {
	if any(m) == nil { // M is an interface type, and m is nil
		return m
	}
	return m.cloneMessage().(M)
}

// Equal reports whether a and b are the same type of message with the same
// field values, by protobuf's rules: a nil list equals an empty one, a nil
// message (unset) does not equal an empty one (set). Two nil messages of
// one type are equal.
func Equal(a, b Message) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.equalMessage(b)
}

// Visit calls fn for m and, depth first in the order of the fields in
// pg_query.proto, every message below it that is not nil: Nodes, and the
// messages that are not Nodes (a RangeVar's Alias, an A_Const's String).
// When fn returns false, the messages below that one are skipped.
//
// Walk and Inspect visit only Nodes, and only where a Node can be below;
// Visit is for the callers that look at every message, such as one that
// collects every RangeVar or every string of a tree.
func Visit(m Message, fn func(Message) bool) {
	if m != nil {
		m.visit(fn)
	}
}

// Strings calls fn for every string field that is not empty, of m and of
// every message below it (pg_query.proto has no lists of strings).
func Strings(m Message, fn func(string)) {
	Visit(m, func(m Message) bool {
		m.eachString(fn)
		return true
	})
}
