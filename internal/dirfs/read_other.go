//go:build !unix

package dirfs

import "io/fs"

// readFile is os.DirFS's ReadFile where the system calls differ.
func readFile(_ string, dir fs.FS, name string) ([]byte, error) {
	return fs.ReadFile(dir, name)
}
