package merge

import (
	"io"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"
)

func TestWriteBlob(t *testing.T) {
	tests := []struct {
		data string
		want string // git hash-object
	}{
		{"", "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"},
		{"hello\n", "ce013625030ba8dba906f756967f9e9ca394464a"},
	}
	for _, tt := range tests {
		s := memory.NewStorage()
		h, err := WriteBlob(s, []byte(tt.data))
		if err != nil || h != plumbing.NewHash(tt.want) {
			t.Errorf("WriteBlob(%q) = %s, %v; want %s", tt.data, h, err, tt.want)
			continue
		}
		b, err := object.GetBlob(s, h)
		if err != nil {
			t.Fatalf("GetBlob(%s): %v", h, err)
		}
		r, _ := b.Reader()
		got, _ := io.ReadAll(r)
		r.Close()
		if string(got) != tt.data {
			t.Errorf("WriteBlob(%q) stored %q", tt.data, got)
		}
	}
}
