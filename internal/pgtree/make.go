package pgtree

// Constructors of the Nodes that split and the fixes build.

// MakeStrNode returns a String node.
func MakeStrNode(s string) *Node {
	return &Node{Node: &Node_String_{String_: &String{Sval: s}}}
}

// MakeAConstIntNode returns an integer constant at location.
func MakeAConstIntNode(v int64, location int32) *Node {
	return &Node{Node: &Node_AConst{AConst: &A_Const{
		Val:      &A_Const_Ival{Ival: &Integer{Ival: int32(v)}},
		Location: location,
	}}}
}

// MakeColumnRefNode returns a column reference of fields.
func MakeColumnRefNode(fields []*Node, location int32) *Node {
	return &Node{Node: &Node_ColumnRef{ColumnRef: &ColumnRef{Fields: fields, Location: location}}}
}

// MakeAExprNode returns an operator expression.
func MakeAExprNode(kind A_Expr_Kind, name []*Node, lexpr, rexpr *Node, location int32) *Node {
	return &Node{Node: &Node_AExpr{AExpr: &A_Expr{Kind: kind, Name: name, Lexpr: lexpr, Rexpr: rexpr, Location: location}}}
}

// MakeResTargetNodeWithVal returns a target-list entry with value val.
func MakeResTargetNodeWithVal(val *Node, location int32) *Node {
	return &Node{Node: &Node_ResTarget{ResTarget: &ResTarget{Val: val, Location: location}}}
}
