package config

import (
	"os"
	"reflect"
	"strings"
	"testing"
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
