package history

import (
	"bytes"
	"crypto/sha1"
	"fmt"
	"hash"
	"io"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/switchyard/switchyard/engine/merge"
)

// PatchID is git's patch-id of a commit (the unstable flavour git cherry
// and git rebase use): the sum, with carry, of one SHA-1 per changed file of
// the diff against the first parent, each over the file names, mode changes
// and the diff's lines with whitespace removed. An empty commit has the zero
// id, so empty commits are all equivalent, as in git.
type PatchID [20]byte

// A file of more than this many bytes is treated as binary, as git does by
// default (core.bigFileThreshold).
const bigFileThreshold = 512 << 20

// firstFewBytes is how much of a file git looks at for a NUL byte to call
// it binary.
const firstFewBytes = 8000

type filePair struct {
	path       string
	oldMode    filemode.FileMode // 0: added
	newMode    filemode.FileMode // 0: deleted
	oldH, newH plumbing.Hash
}

// diffTrees lists the changed files between two trees recursively, without
// rename detection (as git cherry), in git's tree order.
func diffTrees(s storer.EncodedObjectStorer, a, b plumbing.Hash, base string, out []filePair) ([]filePair, error) {
	if a == b {
		return out, nil
	}
	var ea, eb []object.TreeEntry
	var err error
	if !a.IsZero() {
		if ea, err = readTree(s, a); err != nil {
			return nil, err
		}
	}
	if !b.IsZero() {
		if eb, err = readTree(s, b); err != nil {
			return nil, err
		}
	}
	i, j := 0, 0
	for i < len(ea) || j < len(eb) {
		var c int
		switch {
		case i == len(ea):
			c = 1
		case j == len(eb):
			c = -1
		default:
			c = compareEntries(ea[i], eb[j])
		}
		switch {
		case c < 0:
			out, err = removeOrAdd(s, base, ea[i], true, out)
			i++
		case c > 0:
			out, err = removeOrAdd(s, base, eb[j], false, out)
			j++
		default:
			x, y := ea[i], eb[j]
			i++
			j++
			if x.Hash == y.Hash && x.Mode == y.Mode {
				continue
			}
			if x.Mode == filemode.Dir {
				out, err = diffTrees(s, x.Hash, y.Hash, base+x.Name+"/", out)
			} else {
				out = append(out, filePair{path: base + x.Name, oldMode: x.Mode, newMode: y.Mode, oldH: x.Hash, newH: y.Hash})
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// readTree parses a tree object's entries. go-git's own decoder would also
// hash the whole object again, which on large trees costs more than the
// parse.
func readTree(s storer.EncodedObjectStorer, id plumbing.Hash) ([]object.TreeEntry, error) {
	data, err := readObject(s, plumbing.TreeObject, id)
	if err != nil {
		return nil, fmt.Errorf("read tree %s: %w", id, err)
	}
	var out []object.TreeEntry
	for len(data) > 0 {
		sp := bytes.IndexByte(data, ' ')
		if sp < 0 {
			return nil, fmt.Errorf("tree %s: %w: bad entry", id, ErrCorrupt)
		}
		mode, err := filemode.New(string(data[:sp]))
		if err != nil {
			return nil, fmt.Errorf("tree %s: %w: %v", id, ErrCorrupt, err)
		}
		data = data[sp+1:]
		nul := bytes.IndexByte(data, 0)
		if nul < 0 || len(data) < nul+1+20 {
			return nil, fmt.Errorf("tree %s: %w: bad entry", id, ErrCorrupt)
		}
		e := object.TreeEntry{Name: string(data[:nul]), Mode: mode}
		copy(e.Hash[:], data[nul+1:nul+21])
		out = append(out, e)
		data = data[nul+21:]
	}
	return out, nil
}

// readObject reads an object's content without hashing it again.
func readObject(s storer.EncodedObjectStorer, t plumbing.ObjectType, id plumbing.Hash) ([]byte, error) {
	o, err := s.EncodedObject(t, id)
	if err != nil {
		return nil, err
	}
	r, err := o.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

func removeOrAdd(s storer.EncodedObjectStorer, base string, e object.TreeEntry, removed bool, out []filePair) ([]filePair, error) {
	if e.Mode == filemode.Dir {
		if removed {
			return diffTrees(s, e.Hash, plumbing.ZeroHash, base+e.Name+"/", out)
		}
		return diffTrees(s, plumbing.ZeroHash, e.Hash, base+e.Name+"/", out)
	}
	p := filePair{path: base + e.Name}
	if removed {
		p.oldMode, p.oldH = e.Mode, e.Hash
	} else {
		p.newMode, p.newH = e.Mode, e.Hash
	}
	return append(out, p), nil
}

// compareEntries orders tree entries as git does: a directory sorts as if
// its name ended in "/"; a file and a directory of the same name are
// different entries.
func compareEntries(a, b object.TreeEntry) int {
	an, bn := a.Name, b.Name
	if a.Mode == filemode.Dir {
		an += "/"
	}
	if b.Mode == filemode.Dir {
		bn += "/"
	}
	return strings.Compare(an, bn)
}

// removeSpace drops the bytes git's isspace matches: space, \t, \n, \r
// (git's own ctype, not the C library's).
func removeSpace(dst, b []byte) []byte {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			dst = append(dst, c)
		}
	}
	return dst
}

func addSum(sum *PatchID, h hash.Hash) {
	var one [20]byte
	h.Sum(one[:0])
	carry := uint16(0)
	for i := range sum {
		carry += uint16(sum[i]) + uint16(one[i])
		sum[i] = byte(carry)
		carry >>= 8
	}
	h.Reset()
}

func headerPart(h hash.Hash, p filePair, buf []byte) []byte {
	oldPath := removeSpace(buf[:0], []byte(p.path))
	h.Write([]byte("diff--gita/"))
	h.Write(oldPath)
	h.Write([]byte("b/"))
	h.Write(oldPath)
	switch {
	case p.oldMode == 0:
		fmt.Fprintf(h, "newfilemode%06o", uint32(p.newMode))
	case p.newMode == 0:
		fmt.Fprintf(h, "deletedfilemode%06o", uint32(p.oldMode))
	case p.oldMode != p.newMode:
		fmt.Fprintf(h, "oldmode%06onewmode%06o", uint32(p.oldMode), uint32(p.newMode))
	}
	return oldPath
}

// HeaderID is git's "header only" patch-id: file names and modes, no
// content. Two commits with different header ids never have the same
// patch-id, so the full id is needed only when header ids collide.
func HeaderID(files []filePair) PatchID {
	var sum PatchID
	h := sha1.New()
	var buf []byte
	for _, p := range files {
		buf = headerPart(h, p, buf)
		addSum(&sum, h)
	}
	return sum
}

// blobData reads a blob's content; a submodule reads as git shows it.
func blobData(s storer.EncodedObjectStorer, mode filemode.FileMode, id plumbing.Hash) (data []byte, big bool, err error) {
	if mode == 0 {
		return nil, false, nil
	}
	if mode == filemode.Submodule {
		return []byte("Subproject commit " + id.String() + "\n"), false, nil
	}
	o, err := s.EncodedObject(plumbing.BlobObject, id)
	if err != nil {
		return nil, false, fmt.Errorf("read blob %s: %w", id, err)
	}
	if o.Size() > bigFileThreshold {
		return nil, true, nil
	}
	r, err := o.Reader()
	if err != nil {
		return nil, false, fmt.Errorf("read blob %s: %w", id, err)
	}
	defer r.Close()
	data, err = io.ReadAll(r)
	if err != nil {
		return nil, false, fmt.Errorf("read blob %s: %w", id, err)
	}
	return data, false, nil
}

func isBinary(data []byte) bool {
	if len(data) > firstFewBytes {
		data = data[:firstFewBytes]
	}
	return bytes.IndexByte(data, 0) >= 0
}

// FullID computes git's patch-id from a commit's changed files.
func FullID(s storer.EncodedObjectStorer, files []filePair) (PatchID, error) {
	var sum PatchID
	h := sha1.New()
	var buf, line []byte
	for _, p := range files {
		path := headerPart(h, p, buf)
		buf = path
		a, bigA, err := blobData(s, p.oldMode, p.oldH)
		if err != nil {
			return sum, err
		}
		b, bigB, err := blobData(s, p.newMode, p.newH)
		if err != nil {
			return sum, err
		}
		if bigA || bigB || isBinary(a) || isBinary(b) {
			h.Write([]byte(p.oldH.String()))
			h.Write([]byte(p.newH.String()))
			addSum(&sum, h)
			continue
		}
		switch {
		case p.oldMode == 0:
			h.Write([]byte("---/dev/null+++b/"))
			h.Write(path)
		case p.newMode == 0:
			h.Write([]byte("---a/"))
			h.Write(path)
			h.Write([]byte("+++/dev/null"))
		default:
			h.Write([]byte("---a/"))
			h.Write(path)
			h.Write([]byte("+++b/"))
			h.Write(path)
		}
		unifiedBody(splitLines(a), splitLines(b), 3, func(prefix byte, rec []byte) {
			// The context prefix is a space, which git's whitespace
			// removal drops with the rest.
			line = line[:0]
			if prefix != ' ' {
				line = append(line, prefix)
			}
			line = removeSpace(line, rec)
			h.Write(line)
		})
		addSum(&sum, h)
	}
	return sum, nil
}

// splitLines cuts data into lines that keep their trailing newline; the
// last one may lack it.
func splitLines(data []byte) [][]byte {
	lines := make([][]byte, 0, bytes.Count(data, []byte{'\n'})+1)
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			lines = append(lines, data)
			break
		}
		lines = append(lines, data[:i+1:i+1])
		data = data[i+1:]
	}
	return lines
}

// unifiedBody calls line for each line of the unified diff of a and b
// without hunk headers, as patch-ids hash it: prefix is ' ' for context,
// '-' for a line of a removed, '+' for a line of b added. The edits are
// the classic diff's. Each hunk shows up to ctx unchanged lines before and
// after its changes; changes separated by at most 2×ctx unchanged lines
// share a hunk, which shows all of them. Unchanged lines are taken from b.
func unifiedBody(a, b [][]byte, ctx int, line func(prefix byte, rec []byte)) {
	edits := merge.DiffClassic(a, b)
	for first := 0; first < len(edits); {
		last := first
		for last+1 < len(edits) && edits[last+1].A0-edits[last].A1 <= 2*ctx {
			last++
		}
		for _, l := range b[max(edits[first].B0-ctx, 0):edits[first].B0] {
			line(' ', l)
		}
		for k := first; k <= last; k++ {
			e := edits[k]
			if k > first {
				for _, l := range b[edits[k-1].B1:e.B0] {
					line(' ', l)
				}
			}
			for _, l := range a[e.A0:e.A1] {
				line('-', l)
			}
			for _, l := range b[e.B0:e.B1] {
				line('+', l)
			}
		}
		end := edits[last].B1
		for _, l := range b[end:min(end+ctx, len(b))] {
			line(' ', l)
		}
		first = last + 1
	}
}
