package checker

import (
	"sort"

	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
)

// LockMode is a PostgreSQL table lock mode, ordered by strength.
type LockMode int

const (
	NoLock LockMode = iota
	AccessShare
	RowShare
	RowExclusive
	ShareUpdateExclusive
	Share
	ShareRowExclusive
	Exclusive
	AccessExclusive
)

var lockNames = [...]string{"", "AccessShareLock", "RowShareLock", "RowExclusiveLock", "ShareUpdateExclusiveLock",
	"ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock"}

// String is the mode's name as pg_locks shows it.
func (m LockMode) String() string { return lockNames[m] }

// ParseLockMode reads a pg_locks mode name.
func ParseLockMode(s string) LockMode {
	for i, n := range lockNames {
		if n == s && i > 0 {
			return LockMode(i)
		}
	}
	return NoLock
}

// BlocksReads reports whether the mode blocks SELECT.
func (m LockMode) BlocksReads() bool { return m == AccessExclusive }

// BlocksWrites reports whether the mode blocks INSERT, UPDATE and DELETE.
func (m LockMode) BlocksWrites() bool { return m >= Share }

// Lock is a lock a statement takes on a relation that existed before the
// change.
type Lock struct {
	Relation schema.QName
	Mode     LockMode
	// Rewrite: the statement rewrites the whole table under the lock.
	Rewrite bool
	// Scan: the statement reads the whole table under the lock (to validate
	// a constraint or build an index).
	Scan bool
}

// Locks predicts the locks the statement takes on pre-existing relations.
func (c *Context) Locks() []Lock {
	if !c.locksDone {
		c.locks, c.locksDone = c.predictLocks(), true
	}
	return c.locks
}

func (c *Context) predictLocks() []Lock {
	acc := map[schema.QName]*Lock{}
	take := func(q schema.QName, m LockMode) *Lock {
		if q.Name == "" || !c.Existing(q) {
			return &Lock{}
		}
		l := acc[q]
		if l == nil {
			l = &Lock{Relation: q}
			acc[q] = l
		}
		if m > l.Mode {
			l.Mode = m
		}
		return l
	}
	switch n := c.Node.GetNode().(type) {
	case *pg.Node_AlterTableStmt:
		at := n.AlterTableStmt
		q := c.Catalog.Resolve(at.Relation)
		if at.Objtype == pg.ObjectType_OBJECT_INDEX {
			q = c.indexTable(q)
		}
		for _, cn := range at.Cmds {
			cmd := cn.GetAlterTableCmd()
			if cmd == nil {
				continue
			}
			l := take(q, alterCmdLock(cmd))
			if c.cmdRewrites(q, cmd) {
				l.Rewrite = true
			}
			if c.cmdScans(q, cmd) {
				l.Scan = true
			}
			if con := cmd.Def.GetConstraint(); con != nil && con.Contype == pg.ConstrType_CONSTR_FOREIGN {
				take(c.Catalog.Resolve(con.Pktable), ShareRowExclusive)
			}
			if def := cmd.Def.GetColumnDef(); def != nil {
				for _, ref := range columnReferences(def) {
					take(c.Catalog.Resolve(ref), ShareRowExclusive)
				}
			}
			if pc := cmd.Def.GetPartitionCmd(); pc != nil {
				// The partition: ACCESS EXCLUSIVE to attach or detach it
				// (for ALTER INDEX ... ATTACH PARTITION, the partition's
				// index), SHARE UPDATE EXCLUSIVE for DETACH CONCURRENTLY
				// and its FINALIZE.
				mode := AccessExclusive
				if cmd.Subtype == pg.AlterTableType_AT_DetachPartition && pc.Concurrent || cmd.Subtype == pg.AlterTableType_AT_DetachPartitionFinalize {
					mode = ShareUpdateExclusive
				}
				take(c.Catalog.Resolve(pc.Name), mode)
			}
		}
	case *pg.Node_RenameStmt:
		s := n.RenameStmt
		switch s.RenameType {
		case pg.ObjectType_OBJECT_INDEX:
			take(c.indexTable(c.Catalog.Resolve(s.Relation)), ShareUpdateExclusive)
		case pg.ObjectType_OBJECT_TABLE, pg.ObjectType_OBJECT_COLUMN, pg.ObjectType_OBJECT_TABCONSTRAINT,
			pg.ObjectType_OBJECT_VIEW, pg.ObjectType_OBJECT_MATVIEW, pg.ObjectType_OBJECT_TRIGGER:
			take(c.Catalog.Resolve(s.Relation), AccessExclusive)
		}
	case *pg.Node_DropStmt:
		s := n.DropStmt
		for _, obj := range s.Objects {
			q := c.Catalog.ResolveNames(schema.ObjectNames(obj))
			switch s.RemoveType {
			case pg.ObjectType_OBJECT_TABLE, pg.ObjectType_OBJECT_MATVIEW, pg.ObjectType_OBJECT_VIEW, pg.ObjectType_OBJECT_FOREIGN_TABLE:
				take(q, AccessExclusive)
				if t := c.Catalog.Tables[q]; t != nil {
					for _, con := range t.Constraints {
						if con.Kind == schema.ForeignKey {
							take(con.Refs, AccessExclusive)
						}
					}
				}
			case pg.ObjectType_OBJECT_INDEX:
				if ix := c.Catalog.Indexes[q]; ix != nil && !ix.Origin.New {
					if s.Concurrent {
						take(ix.Table, ShareUpdateExclusive)
					} else {
						take(ix.Table, AccessExclusive)
					}
				}
			case pg.ObjectType_OBJECT_TRIGGER:
				names := schema.ObjectNames(obj)
				if len(names) >= 2 {
					take(c.Catalog.ResolveNames(names[:len(names)-1]), AccessExclusive)
				}
			}
		}
	case *pg.Node_IndexStmt:
		s := n.IndexStmt
		q := c.Catalog.Resolve(s.Relation)
		if s.Concurrent {
			take(q, ShareUpdateExclusive).Scan = c.Existing(q)
		} else {
			take(q, Share).Scan = c.Existing(q)
		}
	case *pg.Node_CreateStmt:
		s := n.CreateStmt
		for _, e := range s.TableElts {
			if def := e.GetColumnDef(); def != nil {
				for _, ref := range columnReferences(def) {
					take(c.Catalog.Resolve(ref), ShareRowExclusive)
				}
			}
			if con := e.GetConstraint(); con != nil && con.Contype == pg.ConstrType_CONSTR_FOREIGN {
				take(c.Catalog.Resolve(con.Pktable), ShareRowExclusive)
			}
		}
		if s.Partbound != nil {
			for _, p := range s.InhRelations {
				if rv := p.GetRangeVar(); rv != nil {
					take(c.Catalog.Resolve(rv), AccessExclusive)
				}
			}
		}
	case *pg.Node_TruncateStmt:
		for _, r := range n.TruncateStmt.Relations {
			if rv := r.GetRangeVar(); rv != nil {
				take(c.Catalog.Resolve(rv), AccessExclusive)
			}
		}
	case *pg.Node_ReindexStmt:
		s := n.ReindexStmt
		if s.Relation != nil {
			q := c.Catalog.Resolve(s.Relation)
			if s.Kind == pg.ReindexObjectType_REINDEX_OBJECT_INDEX {
				q = c.indexTable(q)
			}
			mode := Share
			if hasOption(s.Params, "concurrently") {
				mode = ShareUpdateExclusive
			}
			take(q, mode).Scan = true
		}
	case *pg.Node_ClusterStmt:
		if n.ClusterStmt.Relation != nil {
			l := take(c.Catalog.Resolve(n.ClusterStmt.Relation), AccessExclusive)
			l.Rewrite = true
		}
	case *pg.Node_VacuumStmt:
		full := hasOption(n.VacuumStmt.Options, "full")
		for _, r := range n.VacuumStmt.Rels {
			if vr := r.GetVacuumRelation(); vr != nil && vr.Relation != nil {
				if full {
					take(c.Catalog.Resolve(vr.Relation), AccessExclusive).Rewrite = true
				} else {
					take(c.Catalog.Resolve(vr.Relation), ShareUpdateExclusive)
				}
			}
		}
	case *pg.Node_RefreshMatViewStmt:
		mode := AccessExclusive
		if n.RefreshMatViewStmt.Concurrent {
			mode = Exclusive
		}
		take(c.Catalog.Resolve(n.RefreshMatViewStmt.Relation), mode).Rewrite = true
	case *pg.Node_LockStmt:
		mode := LockMode(n.LockStmt.Mode)
		if mode < AccessShare || mode > AccessExclusive {
			mode = AccessExclusive
		}
		for _, r := range n.LockStmt.Relations {
			if rv := r.GetRangeVar(); rv != nil {
				take(c.Catalog.Resolve(rv), mode)
			}
		}
	case *pg.Node_CreateTrigStmt:
		take(c.Catalog.Resolve(n.CreateTrigStmt.Relation), ShareRowExclusive)
	case *pg.Node_CreatePolicyStmt:
		take(c.Catalog.Resolve(n.CreatePolicyStmt.Table), AccessExclusive)
	case *pg.Node_ViewStmt:
		q := c.Catalog.Resolve(n.ViewStmt.View)
		if n.ViewStmt.Replace && c.Catalog.Views[q] != nil {
			take(q, AccessExclusive)
		}
	case *pg.Node_UpdateStmt:
		take(c.Catalog.Resolve(n.UpdateStmt.Relation), RowExclusive)
	case *pg.Node_DeleteStmt:
		take(c.Catalog.Resolve(n.DeleteStmt.Relation), RowExclusive)
	case *pg.Node_InsertStmt:
		take(c.Catalog.Resolve(n.InsertStmt.Relation), RowExclusive)
	}
	out := make([]Lock, 0, len(acc))
	for _, l := range acc {
		out = append(out, *l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Relation.String() < out[j].Relation.String() })
	return out
}

// indexTable returns the table an index belongs to, or the index name
// itself when the catalog does not know it.
func (c *Context) indexTable(ix schema.QName) schema.QName {
	if i := c.Catalog.Indexes[ix]; i != nil {
		return i.Table
	}
	return ix
}

// alterCmdLock is the lock level of one ALTER TABLE subcommand, after
// PostgreSQL's AlterTableGetLockLevel.
func alterCmdLock(cmd *pg.AlterTableCmd) LockMode {
	switch cmd.Subtype {
	case pg.AlterTableType_AT_SetStatistics, pg.AlterTableType_AT_ClusterOn, pg.AlterTableType_AT_DropCluster,
		pg.AlterTableType_AT_SetRelOptions, pg.AlterTableType_AT_ResetRelOptions, pg.AlterTableType_AT_ReplaceRelOptions,
		pg.AlterTableType_AT_ValidateConstraint, pg.AlterTableType_AT_AttachPartition,
		pg.AlterTableType_AT_DetachPartitionFinalize:
		return ShareUpdateExclusive
	case pg.AlterTableType_AT_DetachPartition:
		if pc := cmd.Def.GetPartitionCmd(); pc != nil && pc.Concurrent {
			return ShareUpdateExclusive
		}
		return AccessExclusive
	case pg.AlterTableType_AT_EnableTrig, pg.AlterTableType_AT_EnableAlwaysTrig, pg.AlterTableType_AT_EnableReplicaTrig,
		pg.AlterTableType_AT_DisableTrig, pg.AlterTableType_AT_EnableTrigAll, pg.AlterTableType_AT_DisableTrigAll,
		pg.AlterTableType_AT_EnableTrigUser, pg.AlterTableType_AT_DisableTrigUser:
		return ShareRowExclusive
	case pg.AlterTableType_AT_AddConstraint:
		if con := cmd.Def.GetConstraint(); con != nil && con.Contype == pg.ConstrType_CONSTR_FOREIGN {
			return ShareRowExclusive
		}
		return AccessExclusive
	}
	return AccessExclusive
}

// cmdScans reports whether a subcommand reads the whole table under its
// lock: validating a new constraint, building an index, or proving NOT NULL.
func (c *Context) cmdScans(q schema.QName, cmd *pg.AlterTableCmd) bool {
	switch cmd.Subtype {
	case pg.AlterTableType_AT_AddConstraint:
		con := cmd.Def.GetConstraint()
		if con == nil || con.SkipValidation {
			return false
		}
		switch con.Contype {
		case pg.ConstrType_CONSTR_CHECK, pg.ConstrType_CONSTR_FOREIGN, pg.ConstrType_CONSTR_EXCLUSION:
			return true
		case pg.ConstrType_CONSTR_UNIQUE, pg.ConstrType_CONSTR_PRIMARY:
			return con.Indexname == "" || con.Contype == pg.ConstrType_CONSTR_PRIMARY
		}
	case pg.AlterTableType_AT_ValidateConstraint:
		return true
	case pg.AlterTableType_AT_SetNotNull:
		t := c.Catalog.Tables[q]
		return c.Version < 12 || t == nil || !t.HasValidatedNotNullCheck(cmd.Name)
	}
	return false
}

// cmdRewrites reports whether a subcommand rewrites the table.
func (c *Context) cmdRewrites(q schema.QName, cmd *pg.AlterTableCmd) bool {
	switch cmd.Subtype {
	case pg.AlterTableType_AT_AddColumn:
		if def := cmd.Def.GetColumnDef(); def != nil {
			r, _ := c.addColumnRewrites(def)
			return r
		}
	case pg.AlterTableType_AT_AlterColumnType:
		if def := cmd.Def.GetColumnDef(); def != nil {
			return c.typeChange(q, cmd.Name, def).rewrite
		}
	case pg.AlterTableType_AT_SetLogged, pg.AlterTableType_AT_SetUnLogged, pg.AlterTableType_AT_SetTableSpace,
		pg.AlterTableType_AT_SetAccessMethod:
		return true
	}
	return false
}

// columnReferences returns the tables a column definition's REFERENCES
// constraints point at.
func columnReferences(def *pg.ColumnDef) []*pg.RangeVar {
	var out []*pg.RangeVar
	for _, n := range def.Constraints {
		if con := n.GetConstraint(); con != nil && con.Contype == pg.ConstrType_CONSTR_FOREIGN && con.Pktable != nil {
			out = append(out, con.Pktable)
		}
	}
	return out
}

// hasOption reports whether a DefElem list (VACUUM, REINDEX options) has
// the named option switched on.
func hasOption(opts []*pg.Node, name string) bool {
	for _, o := range opts {
		if d := o.GetDefElem(); d != nil && d.Defname == name {
			if d.Arg == nil {
				return true
			}
			if c := d.Arg.GetAConst(); c != nil && c.GetBoolval() != nil {
				return c.GetBoolval().Boolval
			}
			return true
		}
	}
	return false
}
