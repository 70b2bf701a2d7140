package source

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"
	"testing/fstest"
)

// ReadEach yields every file in the order asked, an error in place of a
// missing one, and stops when its caller does.
func TestReadEach(t *testing.T) {
	fsys := fstest.MapFS{}
	var names []string
	for i := range 100 {
		name := fmt.Sprintf("m/%03d.sql", i)
		if i%13 != 5 {
			fsys[name] = &fstest.MapFile{Data: []byte(name)}
		}
		names = append(names, name)
	}
	for _, n := range []int{0, 1, 3, 100} {
		i := 0
		for data, err := range ReadEach(fsys, names[:n]) {
			if i%13 == 5 {
				if !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("%d files, %s: err = %v, want not exist", n, names[i], err)
				}
			} else if err != nil || string(data) != names[i] {
				t.Errorf("%d files, %s: %q, %v", n, names[i], data, err)
			}
			i++
		}
		if i != n {
			t.Errorf("%d files: yielded %d", n, i)
		}
	}
	seen := 0
	for range ReadEach(fsys, names) {
		if seen++; seen == 20 {
			break
		}
	}
	if seen != 20 {
		t.Errorf("stopped at 20, saw %d", seen)
	}
}
