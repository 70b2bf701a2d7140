package lint

import (
	"fmt"
	"strconv"

	"github.com/phasegate/phasegate/internal/schema"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// templateNotes gathers what phasegate says about rendering template
// files (pop): a value it stood in for is said once, where it is first
// read, with the number of other files that read it.
type templateNotes struct {
	at   map[string]int // message: index in Result.Gaps
	more map[string]int // message: other files
}

// add notes the rendering remarks of file f (at path).
func (t *templateNotes) add(res *Result, path string, f *sqltext.File) {
	for _, n := range f.Notes {
		if n.Kind != sqltext.NoteTemplate {
			continue
		}
		if t.at == nil {
			t.at, t.more = map[string]int{}, map[string]int{}
		}
		if _, seen := t.at[n.Message]; seen {
			t.more[n.Message]++
			continue
		}
		t.at[n.Message] = len(res.Gaps)
		res.Gaps = append(res.Gaps, schema.Gap{Where: path + ":" + strconv.Itoa(n.Pos.Line), Reason: n.Message})
	}
}

// finish says how many more files each remark concerns.
func (t *templateNotes) finish(res *Result) {
	for msg, i := range t.at {
		if n := t.more[msg]; n > 0 {
			res.Gaps[i].Reason += fmt.Sprintf(" (%d more %s read it too)", n, map[bool]string{true: "file", false: "files"}[n == 1])
		}
	}
}
