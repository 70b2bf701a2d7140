package checker

import (
	"strings"

	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
)

func objectNames(n *pg.Node) []string { return schema.ObjectNames(n) }

// joinNames renders names as "a, b and c".
func joinNames(qs []schema.QName) string {
	s := make([]string, len(qs))
	for i, q := range qs {
		s[i] = q.String()
	}
	return joinWords(s)
}

func joinWords(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

func namesOf(nodes []*pg.Node) []string { return schema.Names(nodes) }
