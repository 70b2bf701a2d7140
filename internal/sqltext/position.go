package sqltext

import (
	"fmt"
	"sort"
	"unicode/utf8"
)

// Position is a place in a file. Line and Column are 1-based; Column counts
// characters (not bytes), as editors and GitHub annotations do. Offset is the
// 0-based byte offset.
type Position struct {
	Offset int `json:"-"`
	Line   int `json:"line"`
	Column int `json:"column"`
}

func (p Position) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Column) }

// lineIndex maps byte offsets to positions.
type lineIndex struct {
	src    []byte
	starts []int // byte offset of each line's first byte
	bom    int   // length of a leading byte order mark, not counted as a column
}

func newLineIndex(src []byte, bom int) *lineIndex {
	starts := make([]int, 1, 1+len(src)/40)
	for i, b := range src {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	return &lineIndex{src: src, starts: starts, bom: bom}
}

// pos returns the position of byte offset off (clamped to the file).
func (li *lineIndex) pos(off int) Position {
	if off < 0 {
		off = 0
	}
	if off > len(li.src) {
		off = len(li.src)
	}
	line := sort.Search(len(li.starts), func(i int) bool { return li.starts[i] > off }) - 1
	start := li.starts[line]
	if line == 0 && start < li.bom {
		start = li.bom
	}
	col := 1
	if off > start {
		col += utf8.RuneCount(li.src[start:off])
	}
	return Position{Offset: off, Line: line + 1, Column: col}
}

// PositionIn returns the position of byte offset off of src (a byte order
// mark at its start is not a column), for positions computed outside a
// parse.
func PositionIn(src []byte, off int) Position {
	bom := 0
	if len(src) >= 3 && src[0] == 0xEF && src[1] == 0xBB && src[2] == 0xBF {
		bom = 3
	}
	return newLineIndex(src, bom).pos(off)
}
