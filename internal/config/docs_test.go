package config

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestEveryKeyIsDocumented keeps docs/configuration.md in step with the
// config file's keys: every key the parser accepts has a row in one of
// its tables, and every row names a key the parser accepts.
func TestEveryKeyIsDocumented(t *testing.T) {
	const path = "../../docs/configuration.md"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cell := strings.SplitN(line, "|", 3)[1]
		for _, key := range strings.Split(cell, ",") {
			documented[strings.Trim(strings.TrimSpace(key), "`")] = true
		}
	}
	keys := yamlKeys(reflect.TypeOf(Config{}), "")
	if len(keys) < 30 {
		t.Fatalf("only %d keys found in Config: the test is not seeing the struct's yaml tags", len(keys))
	}
	accepted := map[string]bool{}
	for _, k := range keys {
		accepted[k] = true
		if !documented[k] {
			t.Errorf("config key %s has no row in %s: add one (key, default, meaning)", k, path)
		}
	}
	for k := range documented {
		if !accepted[k] {
			t.Errorf("%s documents %s, which the config file does not accept", path, k)
		}
	}

	// "The whole file" shows every key too, and is a config phasegate reads.
	_, rest, _ := strings.Cut(string(b), "## The whole file")
	_, rest, _ = strings.Cut(rest, "```yaml\n")
	block, _, _ := strings.Cut(rest, "```")
	if _, err := Parse("whole-file.yml", []byte(block)); err != nil {
		t.Errorf("the whole file of %s does not parse: %v", path, err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(block), &root); err != nil || len(root.Content) != 1 {
		t.Fatalf("the whole file: %v", err)
	}
	shown := map[string]bool{}
	nodeKeys(root.Content[0], "", shown)
	for _, k := range keys {
		if !shown[k] {
			t.Errorf("config key %s is missing from the whole file in %s", k, path)
		}
	}
}

// nodeKeys collects the keys of a YAML document as yamlKeys names them.
func nodeKeys(n *yaml.Node, prefix string, out map[string]bool) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := prefix + n.Content[i].Value
			if prefix == "rules." {
				out["rules.<id>"] = true
				continue
			}
			v := n.Content[i+1]
			switch {
			case v.Kind == yaml.SequenceNode && len(v.Content) > 0 && v.Content[0].Kind == yaml.MappingNode:
				for _, item := range v.Content {
					nodeKeys(item, key+"[].", out)
				}
			case v.Kind == yaml.MappingNode && key != "tests.env" && key != "tests.env_names" && key != "tests.scenarios" && key != "migrations.template_options":
				nodeKeys(v, key+".", out)
			default:
				out[key] = true
			}
		}
	}
}

// yamlKeys lists the keys of a config struct as the documentation names
// them: dotted paths, "[]" for the entries of a list, and "<id>" for the
// rule ids of rules (a map whose keys are not fixed names).
func yamlKeys(t reflect.Type, prefix string) []string {
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		key := prefix + name
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case ft.Kind() == reflect.Struct:
			keys = append(keys, yamlKeys(ft, key+".")...)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			keys = append(keys, yamlKeys(ft.Elem(), key+"[].")...)
		case key == "rules":
			keys = append(keys, "rules.<id>")
		default:
			keys = append(keys, key)
		}
	}
	return keys
}
