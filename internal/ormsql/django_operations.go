package ormsql

import (
	"errors"
	"fmt"
)

// DjangoOperations returns where each element of the operations list of a
// Django migration is written, from the migration read by ReadPython (it
// is parsed, not imported). It is an error when the list is not written
// out as a literal in a class body: split cannot rewrite it then.
func DjangoOperations(mod *PyModule) ([]Span, error) {
	var found *PyAssign
	for _, c := range mod.Classes {
		for i, a := range c.Assigns {
			if a.Name != "operations" {
				continue
			}
			if found != nil {
				return nil, fmt.Errorf("line %d: a second operations list (line %d has one)", a.Value.Line, found.Value.Line)
			}
			found = &c.Assigns[i]
		}
	}
	if found == nil {
		return nil, errors.New("no operations list in a class of the migration")
	}
	if found.Elements == nil {
		return nil, fmt.Errorf("line %d: operations is not written out as a list", found.Value.Line)
	}
	return found.Elements, nil
}
