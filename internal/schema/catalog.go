// Package schema is the database catalog as migrations leave it, replayed
// statically from parse trees: tables with their columns and types,
// constraints, indexes, views and what they read, types, sequences and
// functions. It is pure: no database, no I/O.
//
// Every object remembers whether it already existed before the change
// under review (production has it, with data) or was created by the change
// (nothing but the change's own migrations has touched it). Where a
// statement's effect on the catalog cannot be known statically (a DO block,
// a function call), the catalog records a Gap, and readers fall back to the
// conservative answer.
package schema

import (
	"sort"
	"strconv"
	"strings"

	pg "github.com/phasegate/phasegate/internal/pgtree"
)

// QName is a schema-qualified object name, case-folded as PostgreSQL does.
type QName struct{ Schema, Name string }

// String is the name as a user would write it: the schema is left out when
// it is public.
func (q QName) String() string {
	if q.Schema == "" || q.Schema == "public" {
		return q.Name
	}
	return q.Schema + "." + q.Name
}

// Origin says where an object comes from.
type Origin struct {
	// New is true for objects created by the change under review.
	New bool
	// Path and Line locate the statement that created it.
	Path string
	Line int
}

// Where is "path:line" of the statement.
func (o Origin) Where() string {
	if o.Line == 0 {
		return o.Path
	}
	return o.Path + ":" + strconv.Itoa(o.Line)
}

// Catalog is the replayed schema.
type Catalog struct {
	Tables    map[QName]*Table // tables, materialized views, foreign tables
	Views     map[QName]*View
	Indexes   map[QName]*Index
	Types     map[QName]*Type
	Sequences map[QName]*Object
	Functions map[QName]*Object // by name; overloads share one entry
	Schemas   map[string]*Object
	Triggers  map[string]*Object // "table.trigger"
	Other     map[string]*Object // other named objects, keyed "kind name"
	// Gaps are statements whose effect could not be replayed.
	Gaps []Gap

	// searchPath is the session's search_path as set by SET search_path or
	// set_config: nil means the default ("$user", public).
	searchPath []string
}

// Gap is a statement of the history the catalog could not replay exactly.
type Gap struct {
	Where  string // path:line
	Reason string
}

// Object is a named object with nothing but an origin to remember.
type Object struct {
	Name   QName
	Origin Origin
	// Owner and OwnerColumn name the column that owns a sequence (serial
	// and identity columns, ALTER SEQUENCE ... OWNED BY): dropping the
	// column or its table drops the sequence.
	Owner       QName
	OwnerColumn string
}

// Table is a table, materialized view or foreign table.
type Table struct {
	Name        QName
	Kind        TableKind
	Columns     []*Column
	Constraints map[string]*Constraint
	Origin      Origin
	Partitioned bool
	// Incomplete is set when the table's columns are not all known (it was
	// created by CREATE TABLE AS, LIKE, inheritance, or outside the
	// history).
	Incomplete bool
	// IndexesUnknown is set when the table may have indexes the catalog
	// cannot name: CREATE TABLE ... LIKE (INCLUDING INDEXES), a partition
	// (it gets its parent's indexes under generated names), a table the
	// history never created.
	IndexesUnknown bool
	// ViewColumns are a materialized view's columns, named as its query
	// names them; nil when unknown.
	ViewColumns []string
	// Temp tables live until the session (the migration file) ends; they
	// never exist in production.
	Temp bool
}

// TableKind distinguishes relations that have rows.
type TableKind int

const (
	OrdinaryTable TableKind = iota
	MaterializedView
	ForeignTable
)

// Column is a table column.
type Column struct {
	Name       string
	Type       Type
	NotNull    bool
	HasDefault bool
	Identity   bool
	Generated  bool
	Origin     Origin
	// TypeName, Default and Collate are the column's definition as last
	// written (ADD COLUMN, ALTER COLUMN TYPE, SET DEFAULT), for statements
	// that recreate it elsewhere (phasegate split). Nil when unknown.
	TypeName *pg.TypeName
	Default  *pg.Node
	Collate  *pg.CollateClause
}

// ConstraintKind is a constraint's type.
type ConstraintKind int

const (
	Check ConstraintKind = iota + 1
	Unique
	PrimaryKey
	ForeignKey
	Exclusion
)

func (k ConstraintKind) String() string {
	return [...]string{"", "CHECK", "UNIQUE", "PRIMARY KEY", "FOREIGN KEY", "EXCLUDE"}[k]
}

// Constraint is a table constraint.
type Constraint struct {
	Name      string
	Kind      ConstraintKind
	Columns   []string
	Validated bool
	// NotNullOf names the column for a CHECK (col IS NOT NULL).
	NotNullOf string
	Refs      QName // ForeignKey: the referenced table
	Origin    Origin
	// Def is the constraint as written, for statements that recreate it
	// (phasegate split); nil when unknown.
	Def *pg.Constraint
}

// Index is an index.
type Index struct {
	Name    QName
	Table   QName
	Unique  bool
	Primary bool
	Columns []string
	Origin  Origin
	// Stmt is the CREATE INDEX that made it, for statements that recreate
	// it (phasegate split); nil for the index of a constraint.
	Stmt *pg.IndexStmt
}

// View is a view.
type View struct {
	Name  QName
	Reads []QName // relations the view's query reads
	// Columns are the view's columns, named as its query names them; nil
	// when unknown (a * over a relation the catalog does not fully know).
	Columns []string
	Origin  Origin
}

// Type is a column type or a user-defined type. For column types, Name is
// the canonical type name (int4, varchar, text, timestamptz, or a
// user-defined type's name) and Mods its modifiers (varchar(255): [255]).
type Type struct {
	Name   string
	Mods   []int
	Array  bool
	Values []string // enum labels, for user-defined enums
	Kind   TypeKind
	Origin Origin
	// Attrs are a composite type's attributes (nil when unknown), Domain a
	// domain's definition (nil when unknown).
	Attrs  []Attr
	Domain *Domain
}

// TypeKind says what a user-defined type is.
type TypeKind int

const (
	BaseType TypeKind = iota
	EnumType
	DomainType
	CompositeType
	RangeType
)

// New returns an empty catalog with the default search_path ("$user", public).
func New() *Catalog {
	return &Catalog{
		Tables:    map[QName]*Table{},
		Views:     map[QName]*View{},
		Indexes:   map[QName]*Index{},
		Types:     map[QName]*Type{},
		Sequences: map[QName]*Object{},
		Functions: map[QName]*Object{},
		Schemas:   map[string]*Object{},
		Triggers:  map[string]*Object{},
		Other:     map[string]*Object{},
	}
}

// EndSession forgets the temporary tables of the session that ran a
// migration file (with the sequences they own), and the session's
// search_path: the next file runs in a new session with the default one.
func (c *Catalog) EndSession() {
	for q, t := range c.Tables {
		if t.Temp {
			c.dropTable(q, true)
		}
	}
	c.searchPath = nil
}

// Settle makes every object production's: the migrations replayed so far
// have shipped, so what they created has rows and readers from now on.
// Judging a migration history one migration at a time, each against the
// ones before it, settles the catalog after each.
func (c *Catalog) Settle() {
	for _, t := range c.Tables {
		t.Origin.New = false
		for _, col := range t.Columns {
			col.Origin.New = false
			col.Type.Origin.New = false
		}
		for _, con := range t.Constraints {
			con.Origin.New = false
		}
	}
	for _, v := range c.Views {
		v.Origin.New = false
	}
	for _, ix := range c.Indexes {
		ix.Origin.New = false
	}
	for _, t := range c.Types {
		t.Origin.New = false
	}
	for _, m := range []map[QName]*Object{c.Sequences, c.Functions} {
		for _, o := range m {
			o.Origin.New = false
		}
	}
	for _, m := range []map[string]*Object{c.Schemas, c.Triggers, c.Other} {
		for _, o := range m {
			o.Origin.New = false
		}
	}
}

// Table returns the table (or materialized view) named q, or nil.
func (c *Catalog) Table(q QName) *Table { return c.Tables[q] }

// Column returns the named column, or nil.
func (t *Table) Column(name string) *Column {
	for _, col := range t.Columns {
		if col.Name == name {
			return col
		}
	}
	return nil
}

// AllNotNull reports whether every named column is known and NOT NULL
// (false for a nil table).
func (t *Table) AllNotNull(names []string) bool {
	if t == nil {
		return false
	}
	for _, n := range names {
		if col := t.Column(n); col == nil || !col.NotNull {
			return false
		}
	}
	return true
}

// ViewsReading returns the views whose query reads relation q, sorted.
func (c *Catalog) ViewsReading(q QName) []QName {
	var out []QName
	for name, v := range c.Views {
		for _, r := range v.Reads {
			if r == q {
				out = append(out, name)
				break
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// IndexesOn returns the indexes of table q, sorted by name.
func (c *Catalog) IndexesOn(q QName) []*Index {
	var out []*Index
	for _, ix := range c.Indexes {
		if ix.Table == q {
			out = append(out, ix)
		}
	}
	if len(out) > 1 {
		keys := make([]string, len(out)) // each name spelt once, not once a comparison
		for i, ix := range out {
			keys[i] = ix.Name.String()
		}
		sort.Sort(byKey{keys, out})
	}
	return out
}

// byKey sorts indexes by their names' spellings, kept beside them.
type byKey struct {
	keys []string
	ixs  []*Index
}

func (b byKey) Len() int           { return len(b.keys) }
func (b byKey) Less(i, j int) bool { return b.keys[i] < b.keys[j] }
func (b byKey) Swap(i, j int) {
	b.keys[i], b.keys[j] = b.keys[j], b.keys[i]
	b.ixs[i], b.ixs[j] = b.ixs[j], b.ixs[i]
}

// IndexesKnown reports whether the catalog knows every index of schema
// name, so that an index it does not have is one production does not have
// either: the history was replayed without gaps, it defines tables in the
// schema that production has, and none of them may carry indexes the
// catalog cannot name (IndexesUnknown). With no history for the schema
// (classify of a lone file), nothing is known.
func (c *Catalog) IndexesKnown(name string) bool {
	if len(c.Gaps) > 0 {
		return false
	}
	known := false
	for q, t := range c.Tables {
		if q.Schema != name {
			continue
		}
		if t.IndexesUnknown {
			return false
		}
		known = known || !t.Origin.New
	}
	return known
}

// HasValidatedNotNullCheck reports whether table t has a validated
// CHECK (col IS NOT NULL), which lets SET NOT NULL skip its scan (PG 12+).
func (t *Table) HasValidatedNotNullCheck(col string) bool {
	for _, con := range t.Constraints {
		if con.Kind == Check && con.Validated && con.NotNullOf == col {
			return true
		}
	}
	return false
}

// String renders a column type as PostgreSQL would print it.
func (t Type) String() string {
	var b strings.Builder
	b.WriteString(displayName(t.Name))
	if len(t.Mods) > 0 {
		b.WriteByte('(')
		for i, m := range t.Mods {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(m))
		}
		b.WriteByte(')')
	}
	if t.Array {
		b.WriteString("[]")
	}
	return b.String()
}

// SQL writes the name as SQL, quoting each part that needs it (the form
// to put in suggested statements).
func (q QName) SQL() string {
	if q.Schema == "" || q.Schema == "public" {
		return QuoteIdent(q.Name)
	}
	return QuoteIdent(q.Schema) + "." + QuoteIdent(q.Name)
}

// QuoteIdent quotes an identifier the way PostgreSQL's quote_ident does:
// only when it has characters other than lower-case letters, digits and
// underscores, starts with a digit, or is a keyword the grammar reserves
// in some position.
func QuoteIdent(name string) string {
	safe := name != "" && (name[0] == '_' || name[0] >= 'a' && name[0] <= 'z')
	for i := 0; safe && i < len(name); i++ {
		c := name[i]
		safe = c == '_' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
	}
	if safe {
		if res, err := pg.Scan(name); err == nil && len(res.Tokens) == 1 {
			k := res.Tokens[0].KeywordKind
			safe = k == pg.KeywordKind_NO_KEYWORD || k == pg.KeywordKind_UNRESERVED_KEYWORD
		}
	}
	if safe {
		return name
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
