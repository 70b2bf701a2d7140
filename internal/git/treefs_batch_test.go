package git

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ReadFiles yields what ReadFile reads, in the order asked, with an error
// in place of a name that is not a file; a caller that stops early stops
// the git process, and the tree still reads afterwards.
func TestReadFiles(t *testing.T) {
	files := map[string]string{}
	var names []string
	for i := range 300 {
		// Sizes past a pipe's buffer, so that requests and answers overlap.
		name := fmt.Sprintf("db/%03d.sql", i)
		files[name] = strings.Repeat(fmt.Sprintf("SELECT %d;\n", i), i*7)
		if i == 0 {
			files[name] = "-- empty is fine too\n"
		}
		names = append(names, name)
	}
	r, shas := newRepo(t, files)
	tfs, err := r.FS(context.Background(), shas[0])
	if err != nil {
		t.Fatal(err)
	}
	defer tfs.Close()
	asked := append([]string{"db/missing.sql", "db"}, names...)
	asked = append(asked, names[5]) // twice
	i := 0
	for data, err := range tfs.ReadFiles(asked) {
		name := asked[i]
		switch {
		case name == "db/missing.sql":
			if !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s: err = %v, want not exist", name, err)
			}
		case name == "db":
			if err == nil || !strings.Contains(err.Error(), "is a directory") {
				t.Errorf("%s: err = %v, want is a directory", name, err)
			}
		case err != nil || string(data) != files[name]:
			t.Errorf("%s: %d bytes, %v; want %d bytes", name, len(data), err, len(files[name]))
		}
		i++
	}
	if i != len(asked) {
		t.Fatalf("yielded %d files, want %d", i, len(asked))
	}
	for range 3 { // stopped early, again and again
		n := 0
		for _, err := range tfs.ReadFiles(names) {
			if err != nil {
				t.Fatal(err)
			}
			if n++; n == 10 {
				break
			}
		}
	}
	if n := children(t); n != 0 {
		t.Errorf("%d git processes left running after ReadFiles stopped", n)
	}
	if b, err := tfs.ReadFile(names[42]); err != nil || string(b) != files[names[42]] {
		t.Errorf("ReadFile after ReadFiles: %d bytes, %v", len(b), err)
	}
}

// children counts this process's child processes (Linux: /proc).
func children(t *testing.T) int {
	tasks, err := filepath.Glob("/proc/self/task/*/children")
	if err != nil || len(tasks) == 0 {
		t.Skip("no /proc: cannot count child processes")
	}
	n := 0
	for _, f := range tasks {
		b, _ := os.ReadFile(f)
		n += len(strings.Fields(string(b)))
	}
	return n
}
