package atomicfile

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	tests := []struct {
		name    string
		old     []byte // nil: no file before
		data    []byte
		perm    os.FileMode
		wantErr error
		noDir   bool
	}{
		{name: "new file", data: []byte("hello\n"), perm: 0o644},
		{name: "replace", old: []byte("a much longer old content\n"), data: []byte("new\n"), perm: 0o600},
		{name: "empty", old: []byte("x"), data: []byte{}, perm: 0o644},
		{name: "umask applies", data: []byte("x"), perm: 0o666},
		{name: "missing folder", data: []byte("x"), perm: 0o644, noDir: true, wantErr: fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "f.json")
			if tt.noDir {
				path = filepath.Join(dir, "missing", "f.json")
			}
			if tt.old != nil {
				if err := os.WriteFile(path, tt.old, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			err := Write(path, tt.data, tt.perm)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Write(%s) = %v; want %v", tt.name, err, tt.wantErr)
			}
			if tt.wantErr != nil {
				return
			}
			got, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(got, tt.data) {
				t.Errorf("Write(%s) wrote %q, %v; want %q", tt.name, got, err, tt.data)
			}
			if tt.old == nil {
				// The mode os.WriteFile gives under this umask.
				ref := filepath.Join(t.TempDir(), "ref")
				if err := os.WriteFile(ref, nil, tt.perm); err != nil {
					t.Fatal(err)
				}
				st, err := os.Stat(path)
				want, _ := os.Stat(ref)
				if err != nil || st.Mode().Perm() != want.Mode().Perm() {
					t.Errorf("Write(%s) mode = %v, %v; want %v", tt.name, st.Mode().Perm(), err, want.Mode().Perm())
				}
			}
			ents, _ := os.ReadDir(dir)
			for _, e := range ents {
				if strings.Contains(e.Name(), ".tmp") {
					t.Errorf("Write(%s) left %s behind", tt.name, e.Name())
				}
			}
		})
	}
}

func TestWriteFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub")
	if err := os.Mkdir(path, 0o755); err != nil { // a folder cannot be replaced by a file
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(path, "keep"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("x"), 0o644); err == nil {
		t.Fatalf("Write(over a folder) = nil; want an error")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("Write(over a folder) left %d entries; want 1", len(ents))
	}
}
