package main

import (
	"fmt"
	"go/format"

	pg_query "github.com/pganalyze/pg_query_go/v5"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// nodeName is the full name of pg_query's Node, the oneof that wraps every
// expression and statement.
const nodeName = "pg_query.Node"

// GenerateWalk returns the gofmt'ed source of walk_gen.go: a walk function
// for each message that can reach a Node, and one switch over Node's oneof.
// Messages that cannot reach a Node (A_Const, Integer, String...) get none,
// so the walk never descends into them.
func GenerateWalk() ([]byte, error) {
	fd := (&pg_query.ParseResult{}).ProtoReflect().Descriptor().ParentFile()
	msgs := fd.Messages()
	node := msgs.ByName("Node")
	if node == nil {
		return nil, fmt.Errorf("%s: no message Node", fd.Path())
	}
	reach := reachesNode(msgs)
	g := &generator{}
	g.header("-kind walk", fd)
	if err := g.walkNode(node, reach); err != nil {
		return nil, err
	}
	for i := 0; i < msgs.Len(); i++ {
		md := msgs.Get(i)
		if md.FullName() == nodeName || !reach[md.FullName()] {
			continue
		}
		if err := g.walkMessage(md, reach); err != nil {
			return nil, err
		}
	}
	src, err := format.Source(g.buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("gofmt: %v", err)
	}
	return src, nil
}

// reachesNode returns the messages from which a Node can be reached
// through message fields (Node itself included).
func reachesNode(msgs protoreflect.MessageDescriptors) map[protoreflect.FullName]bool {
	reach := map[protoreflect.FullName]bool{nodeName: true}
	for changed := true; changed; {
		changed = false
		for i := 0; i < msgs.Len(); i++ {
			md := msgs.Get(i)
			if reach[md.FullName()] {
				continue
			}
			fields := md.Fields()
			for j := 0; j < fields.Len(); j++ {
				f := fields.Get(j)
				if f.Kind() == protoreflect.MessageKind && reach[f.Message().FullName()] {
					reach[md.FullName()] = true
					changed = true
					break
				}
			}
		}
	}
	return reach
}

// walkNode writes walkNode, which walks the message a Node wraps.
func (g *generator) walkNode(node protoreflect.MessageDescriptor, reach map[protoreflect.FullName]bool) error {
	t, err := goType(node)
	if err != nil {
		return err
	}
	g.p("// walkNode walks the message n wraps, calling fn for the nodes in it.")
	g.p("func walkNode(n *Node, fn func(*Node) bool) {")
	g.p("switch x := n.Node.(type) {")
	fields := node.Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		if fd.Kind() != protoreflect.MessageKind || !reach[fd.Message().FullName()] {
			continue
		}
		gf, err := goField(t, fd)
		if err != nil {
			return err
		}
		wrapper, inner, err := oneofWrapper(node, fd, gf)
		if err != nil {
			return err
		}
		g.p("case *%s:", wrapper)
		g.p("walk%s(x.%s, fn)", goName(fd.Message()), inner)
	}
	g.p("}")
	g.p("}")
	g.p("")
	return nil
}

// walkMessage writes the walk function of md: each field that can reach a
// Node, in field order; a Node is handed to Inspect, any other message to
// its own walk function.
func (g *generator) walkMessage(md protoreflect.MessageDescriptor, reach map[protoreflect.FullName]bool) error {
	if md.Oneofs().Len() > 0 {
		return fmt.Errorf("%s: oneofs outside Node are not supported", md.FullName())
	}
	t, err := goType(md)
	if err != nil {
		return err
	}
	name := t.Name()
	g.p("func walk%s(m *%s, fn func(*Node) bool) {", name, name)
	g.p("if m == nil { return }")
	fields := md.Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		if fd.Kind() != protoreflect.MessageKind || !reach[fd.Message().FullName()] {
			continue
		}
		if fd.IsMap() {
			return fmt.Errorf("%s.%s: maps are not supported", name, fd.Name())
		}
		gf, err := goField(t, fd)
		if err != nil {
			return err
		}
		call := "walk" + goName(fd.Message())
		if fd.Message().FullName() == nodeName {
			call = "Inspect"
		}
		if fd.IsList() {
			g.p("for _, c := range m.%s { %s(c, fn) }", gf, call)
		} else {
			g.p("%s(m.%s, fn)", call, gf)
		}
	}
	g.p("}")
	g.p("")
	return nil
}
