package history

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestScanRecords(t *testing.T) {
	rec := func(payload string) []byte { return appendRecord(nil, "TST1", []byte(payload)) }
	cat := func(parts ...[]byte) []byte { return slices.Concat(parts...) }
	torn := rec("torn")
	torn = torn[:len(torn)-2]
	flipped := rec("flip")
	flipped[9] ^= 1
	tests := []struct {
		name string
		data []byte
		want []string
	}{
		{"empty", nil, nil},
		{"one", rec("a"), []string{"a"}},
		{"empty payload", rec(""), []string{""}},
		{"parts joined", appendRecord(nil, "TST1", []byte("ab"), nil, []byte("c")), []string{"abc"}},
		{"in order", cat(rec("a"), rec("bb"), rec("ccc")), []string{"a", "bb", "ccc"}},
		{"garbage before", cat([]byte("xxxxxxxxxxxxxxx"), rec("a")), []string{"a"}},
		{"torn at the end", cat(rec("a"), torn), []string{"a"}},
		{"torn in the middle", cat(rec("a"), torn, rec("b")), []string{"a", "b"}},
		{"checksum fails", cat(flipped, rec("b")), []string{"b"}},
		{"other magic", cat(appendRecord(nil, "TST0", []byte("old")), rec("b")), []string{"b"}},
		{"rejected", cat(rec("no"), rec("b")), []string{"b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			scanRecords(tt.data, "TST1", func(p []byte) bool {
				if string(p) == "no" {
					return false
				}
				got = append(got, string(p))
				return true
			})
			if !slices.Equal(got, tt.want) {
				t.Errorf("scanRecords(%q) = %q; want %q", tt.data, got, tt.want)
			}
		})
	}
}

func TestAppendFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "cache")
	for _, s := range []string{"one", "two"} {
		if err := appendFile(path, []byte(s)); err != nil {
			t.Fatalf("appendFile(%q) = %v", s, err)
		}
	}
	if got, err := os.ReadFile(path); err != nil || string(got) != "onetwo" {
		t.Errorf("file after two appends = %q, %v; want %q", got, err, "onetwo")
	}
}

func TestReadOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache")
	if err := os.WriteFile(path, []byte("data"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		path   string
		loaded bool
		want   string
	}{
		{"first read", path, false, "data"},
		{"already loaded", path, true, ""},
		{"no path", "", false, ""},
		{"missing", path + ".missing", false, ""},
	}
	for _, tt := range tests {
		loaded := tt.loaded
		if got := readOnce(tt.path, &loaded); string(got) != tt.want || !loaded {
			t.Errorf("readOnce(%s) = %q, loaded %v; want %q, loaded true", tt.name, got, loaded, tt.want)
		}
	}
}
