package source

import (
	"io/fs"
	"strings"
)

// FileMatch says how surely a file alone, without the rest of its
// directory, is one of a format's.
type FileMatch int

const (
	NoMatch FileMatch = iota
	// ByPlace: the file sits where the format's files sit (sqitch's
	// deploy/ beside a sqitch.plan).
	ByPlace
	// ByName: the file's name has the format's shape (V1__a.sql,
	// 1_a.up.sql, migration.sql).
	ByName
	// ByContent: the file carries the format's own annotations
	// (-- +goose Up).
	ByContent
)

// FileMatcher is implemented by formats that can recognise one of their
// files alone, as phasegate lint FILE must.
type FileMatcher interface {
	MatchFile(fsys fs.FS, p string, src []byte) FileMatch
}

// FileFormat guesses the format of the file at p, whose content is src:
// the first format, in the order of Formats, that recognises it by its
// content, else by its name, else by its place; Plain when none does.
func FileFormat(fsys fs.FS, p string, src []byte) Format {
	var best Format = Plain{}
	bestMatch := NoMatch
	for _, f := range Formats {
		m, ok := f.(FileMatcher)
		if !ok {
			continue
		}
		if got := m.MatchFile(fsys, p, src); got > bestMatch {
			best, bestMatch = f, got
		}
	}
	return best
}

// upFileName reports golang-migrate's and pop's N_name.up.sql.
func upFileName(base string) bool {
	return strings.HasSuffix(base, ".up.sql") && base[0] >= '0' && base[0] <= '9'
}
