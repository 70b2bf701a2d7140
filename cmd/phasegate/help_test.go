package main

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// commandFlags returns the flag set cmd defines, as it hands it to the
// help when given --help.
func commandFlags(t *testing.T, cmd *command) *flag.FlagSet {
	t.Helper()
	_, err := cmd.run([]string{"--help"}, io.Discard, io.Discard)
	var help *helpRequest
	if !errors.As(err, &help) {
		t.Fatalf("%s --help: %v, want a help request", cmd.name, err)
	}
	return help.fs
}

// TestEveryFlagIsInTheHelp walks every command's flag set: each flag is in
// one of the command's help groups (none falls into "Other flags"), each
// group names only flags that exist, and the help printed shows each flag
// as --flag with its usage.
func TestEveryFlagIsInTheHelp(t *testing.T) {
	total := 0
	for _, cmd := range commands {
		fs := commandFlags(t, cmd)
		groups, stale := helpGroups(cmd, fs)
		for _, s := range stale {
			t.Errorf("%s: the help lists %s, which is not a flag of the command", cmd.name, s)
		}
		for _, g := range groups {
			if g.title == "Other flags" {
				for _, e := range g.entries {
					t.Errorf("%s: flag --%s is in no help group of commands.go", cmd.name, e.flag.Name)
				}
			}
		}
		var out bytes.Buffer
		if code := run([]string{"help", cmd.name}, &out, io.Discard); code != exitOK {
			t.Errorf("phasegate help %s: exit %d", cmd.name, code)
		}
		help := out.String()
		fs.VisitAll(func(f *flag.Flag) {
			total++
			if !strings.Contains(help, "  --"+f.Name) || !strings.Contains(help, f.Usage[:min(len(f.Usage), 30)]) {
				t.Errorf("phasegate help %s does not show --%s and its usage:\n%s", cmd.name, f.Name, help)
			}
		})
		if !strings.Contains(help, "Examples:\n") || strings.Count(help, "\n  $ phasegate") == 0 && !strings.Contains(help, "\n  $ GITHUB_TOKEN") {
			t.Errorf("phasegate help %s has no examples:\n%s", cmd.name, help)
		}
	}
	if total < 30 {
		t.Errorf("only %d flags walked: the test is not seeing the commands' flags", total)
	}
}

// TestCLIDocs keeps docs/cli.md, every command's help, in step with the
// commands; go test ./cmd/phasegate -update regenerates it.
func TestCLIDocs(t *testing.T) {
	var doc bytes.Buffer
	doc.WriteString("# phasegate command line\n\n")
	doc.WriteString("<!-- Generated from the commands' help (phasegate help COMMAND) by `go test ./cmd/phasegate -update`; a test fails when this file drifts. -->\n\n")
	doc.WriteString("Every command and flag, as `phasegate help COMMAND` prints them. The configuration file is described in\n[configuration.md](configuration.md).\n\n")
	doc.WriteString("Flags may come before or after a command's arguments. A flag's value follows it (`--base main`) or is\njoined to it (`--base=main`); a flag given where a value is expected (`--base --static-only`) is an\nerror, so a value that starts with `-` must be joined (`--schema=-prod.sql`).\n\n")
	doc.WriteString("## phasegate\n\n```\n")
	printMainHelp(&doc)
	doc.WriteString("```\n")
	for _, cmd := range commands {
		doc.WriteString("\n## phasegate " + cmd.name + "\n\n```\n")
		if code := run([]string{cmd.name, "--help"}, &doc, io.Discard); code != exitOK {
			t.Fatalf("%s --help: exit %d", cmd.name, code)
		}
		doc.WriteString("```\n")
	}
	const path = "../../docs/cli.md"
	if *update {
		if err := os.WriteFile(path, doc.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, doc.Bytes()) {
		t.Errorf("docs/cli.md is out of date with the commands' help: run go test ./cmd/phasegate -run TestCLIDocs -update (%v)", err)
	}
}

func TestVersionText(t *testing.T) {
	vcs := []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"}, {Key: "vcs.time", Value: "2026-05-01T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}}
	for _, c := range []struct {
		stamped string
		bi      *debug.BuildInfo
		want    []string
	}{
		{"v1.2.3", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs}, []string{"phasegate v1.2.3\n", "commit 0123456789abcdef0123456789abcdef01234567 (2026-05-01T10:00:00Z), with uncommitted changes\n"}},
		{"", &debug.BuildInfo{Main: debug.Module{Version: "v0.4.0"}}, []string{"phasegate v0.4.0\n"}},
		{"", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs}, []string{"phasegate development build\ncommit 0123456789abcdef0123456789abcdef01234567 (2026-05-01T10:00:00Z)"}},
		{"", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, []string{"no version recorded", "-X main.version="}},
		{"", nil, []string{"no version recorded"}},
	} {
		version = c.stamped
		got := versionText(c.bi)
		for _, w := range c.want {
			if !strings.Contains(got, w) || !strings.HasSuffix(got, runtime.GOOS+"/"+runtime.GOARCH+"\n") {
				t.Errorf("stamped %q, %+v:\n%s\nwant %q", c.stamped, c.bi, got, w)
			}
		}
	}
	version = ""
}
