package schema

import (
	"strconv"
	"unicode/utf8"

	pg "github.com/phasegate/phasegate/internal/pgtree"
)

// makeObjectName is PostgreSQL's makeObjectName (commands/indexcmds.c):
// name1_name2_label, where, when the whole would not fit in NAMEDATALEN-1
// bytes, the longer of name1 and name2 is shortened first, one byte at a
// time (name2 when both are as long), and each part is then clipped back
// to a whole character (pg_mbcliplen, UTF-8). The label is never cut.
// name2 may be empty for names without a second part.
func makeObjectName(name1, name2, label string) string {
	overhead := 0
	if name2 != "" {
		overhead++
	}
	if label != "" {
		overhead += len(label) + 1
	}
	avail := maxIdentifier - overhead
	n1, n2 := len(name1), len(name2)
	for n1+n2 > avail {
		if n1 > n2 {
			n1--
		} else {
			n2--
		}
	}
	out := name1[:mbClipLen(name1, n1)]
	if name2 != "" {
		out += "_" + name2[:mbClipLen(name2, n2)]
	}
	if label != "" {
		out += "_" + label
	}
	return out
}

// mbClipLen is pg_mbcliplen for UTF-8: the length of the longest prefix of
// s of at most n bytes that does not split a character.
func mbClipLen(s string, n int) int {
	if n >= len(s) {
		return len(s)
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
}

// chooseRelationName is PostgreSQL's ChooseRelationName: the name
// makeObjectName builds, with the label numbered (seq1, seq2...) until no
// relation of the schema has it.
func (c *Catalog) chooseRelationName(name1, name2, label, schema string) QName {
	mod := label
	for pass := 1; ; pass++ {
		q := QName{Schema: schema, Name: makeObjectName(name1, name2, mod)}
		if !c.hasRelation(q) {
			return q
		}
		mod = label + strconv.Itoa(pass)
	}
}

// addOwnedSequence registers the sequence PostgreSQL creates for a serial
// or identity column of t: named by the identity's SEQUENCE NAME option,
// or <table>_<column>_seq in the table's schema, owned by the column.
func (c *Catalog) addOwnedSequence(t *Table, col *Column, options []*pg.Node, origin Origin) {
	var q QName
	for _, o := range options {
		if de := o.GetDefElem(); de != nil && de.Defname == "sequence_name" {
			if names := ObjectNames(de.Arg); len(names) == 1 {
				q = QName{Schema: t.Name.Schema, Name: names[0]}
			} else if len(names) > 1 {
				q = QName{Schema: names[len(names)-2], Name: names[len(names)-1]}
			}
		}
	}
	if q.Name == "" {
		q = c.chooseRelationName(t.Name.Name, col.Name, "seq", t.Name.Schema)
	}
	if c.Sequences[q] != nil {
		return // PostgreSQL fails: the existing sequence stays
	}
	if t.Temp {
		origin.New = true
	}
	c.Sequences[q] = &Object{Name: q, Origin: origin, Owner: t.Name, OwnerColumn: col.Name}
}

// dropOwnedSequences drops the sequences owned by a column of table (any
// column when column is "").
func (c *Catalog) dropOwnedSequences(table QName, column string) {
	for _, q := range c.ownedSequences(table, column) {
		delete(c.Sequences, q)
	}
}

// ownedSequences names the sequences that column of table owns (every
// column of it for "").
func (c *Catalog) ownedSequences(table QName, column string) []QName {
	var out []QName
	for q, o := range c.Sequences {
		if o.Owner == table && (column == "" || o.OwnerColumn == column) {
			out = append(out, q)
		}
	}
	return out
}

// sequenceOwnedBy applies the OWNED BY option of CREATE or ALTER SEQUENCE.
func (c *Catalog) sequenceOwnedBy(seq *Object, options []*pg.Node) {
	for _, o := range options {
		de := o.GetDefElem()
		if de == nil || de.Defname != "owned_by" {
			continue
		}
		names := ObjectNames(de.Arg)
		switch {
		case len(names) == 1 && names[0] == "none":
			seq.Owner, seq.OwnerColumn = QName{}, ""
		case len(names) >= 2:
			seq.Owner = c.resolveNames(names[:len(names)-1], c.hasRelation)
			seq.OwnerColumn = names[len(names)-1]
		}
	}
}
