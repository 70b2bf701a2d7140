package compat

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// junitSuite is a <testsuite> (or the <testsuites> around them): pytest,
// Jest's jest-junit, RSpec's rspec_junit_formatter and Maven surefire all
// write this shape; some nest suites in suites.
type junitSuite struct {
	XMLName xml.Name
	Suites  []junitSuite `xml:"testsuite"`
	Cases   []junitCase  `xml:"testcase"`
}

type junitCase struct {
	Classname string    `xml:"classname,attr"`
	Name      string    `xml:"name,attr"`
	Failure   *struct{} `xml:"failure"`
	Error     *struct{} `xml:"error"`
	Skipped   *struct{} `xml:"skipped"`
}

// readJUnit reads the JUnit XML files matching pattern under dir that were
// written at or after since (a file left by an earlier run, or committed,
// is not this run's).
func readJUnit(dir, pattern string, since time.Time) (outcomes, error) {
	paths, err := filepath.Glob(filepath.Join(dir, filepath.FromSlash(pattern)))
	if err != nil {
		return nil, fmt.Errorf("tests.results junit:%s: %w", pattern, err)
	}
	sort.Strings(paths)
	out := outcomes{}
	read := 0
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil || st.IsDir() || st.ModTime().Before(since) {
			continue
		}
		f, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("tests.results: %w", err)
		}
		err = parseJUnit(f, out)
		f.Close()
		if err != nil {
			rel, _ := filepath.Rel(dir, p)
			return nil, fmt.Errorf("tests.results: %s: %w", filepath.ToSlash(rel), err)
		}
		read++
	}
	if read == 0 {
		return nil, fmt.Errorf("the test command wrote no JUnit XML file matching %s (relative to the checkout): check tests.results and the runner's option that writes it (pytest --junitxml, jest-junit's JEST_JUNIT_OUTPUT_FILE, Maven's surefire-reports)", pattern)
	}
	return out, nil
}

// parseJUnit adds the test cases of one JUnit XML document to out. A test
// is named classname.name, or name alone when it already starts with its
// classname (jest-junit) or has none; a <failure> or an <error> fails it.
func parseJUnit(r io.Reader, out outcomes) error {
	var root junitSuite
	dec := xml.NewDecoder(r)
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("empty file: not JUnit XML")
		}
		return fmt.Errorf("not JUnit XML: %w", err)
	}
	if n := root.XMLName.Local; n != "testsuites" && n != "testsuite" {
		return fmt.Errorf("not JUnit XML: the root element is <%s>, not <testsuites> or <testsuite>", n)
	}
	var walk func(s junitSuite)
	walk = func(s junitSuite) {
		for _, c := range s.Cases {
			name := c.Name
			if c.Classname != "" && !strings.HasPrefix(c.Name, c.Classname) {
				name = c.Classname + "." + c.Name
			}
			switch {
			case c.Failure != nil || c.Error != nil:
				out.add(name, testFail)
			case c.Skipped != nil:
				out.add(name, testSkip)
			default:
				out.add(name, testPass)
			}
		}
		for _, sub := range s.Suites {
			walk(sub)
		}
	}
	walk(root)
	return nil
}
