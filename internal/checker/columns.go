package checker

import (
	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
)

// columnType is a column the statement defines or retypes, for the style
// rules.
type columnType struct {
	table    schema.QName
	name     string
	typ      schema.Type
	def      *pg.ColumnDef
	location int32
}

// definedColumns returns the columns a CREATE TABLE defines, an ALTER TABLE
// adds, or an ALTER COLUMN ... TYPE retypes.
func (c *Context) definedColumns() []columnType {
	if !c.columnsSet {
		c.columns, c.columnsSet = c.findColumns(), true
	}
	return c.columns
}

func (c *Context) findColumns() []columnType {
	var out []columnType
	add := func(q schema.QName, name string, def *pg.ColumnDef) {
		if def == nil || def.TypeName == nil {
			return
		}
		out = append(out, columnType{table: q, name: name, typ: schema.TypeOf(def.TypeName), def: def, location: def.TypeName.Location})
	}
	switch n := c.Node.GetNode().(type) {
	case *pg.Node_CreateStmt:
		q := c.Catalog.Resolve(n.CreateStmt.Relation)
		for _, e := range n.CreateStmt.TableElts {
			if def := e.GetColumnDef(); def != nil {
				add(q, def.Colname, def)
			}
		}
	case *pg.Node_AlterTableStmt:
		q := c.Catalog.Resolve(n.AlterTableStmt.Relation)
		for _, cn := range n.AlterTableStmt.Cmds {
			cmd := cn.GetAlterTableCmd()
			if cmd == nil {
				continue
			}
			def := cmd.Def.GetColumnDef()
			switch cmd.Subtype {
			case pg.AlterTableType_AT_AddColumn:
				if def != nil {
					add(q, def.Colname, def)
				}
			case pg.AlterTableType_AT_AlterColumnType:
				add(q, cmd.Name, def)
			}
		}
	}
	return out
}
