package history

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
)

// The commit and split caches are append-only files of variable-sized
// records:
//
//	magic (4) | payload length (4) | payload | crc32 of the payload (4)
//
// A reader skips a damaged record (torn by a crash, or of another format)
// by resuming at the next occurrence of the magic.

// appendRecord appends to dst one record whose payload is parts, joined.
func appendRecord(dst []byte, magic string, parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	dst = append(dst, magic...)
	dst = binary.BigEndian.AppendUint32(dst, uint32(n))
	start := len(dst)
	for _, p := range parts {
		dst = append(dst, p...)
	}
	return binary.BigEndian.AppendUint32(dst, crc32.ChecksumIEEE(dst[start:]))
}

// scanRecords calls each with the payload of every intact record of data,
// in order; the payload shares data's memory. A record whose checksum
// fails, that runs past the end, or whose payload each rejects by
// returning false, is skipped.
func scanRecords(data []byte, magic string, each func(payload []byte) bool) {
	for len(data) >= 12 {
		if string(data[:4]) == magic {
			n := int(binary.BigEndian.Uint32(data[4:8]))
			if n >= 0 && 8+n+4 <= len(data) {
				p := data[8 : 8+n]
				if crc32.ChecksumIEEE(p) == binary.BigEndian.Uint32(data[8+n:]) && each(p) {
					data = data[8+n+4:]
					continue
				}
			}
		}
		i := bytes.Index(data[1:], []byte(magic))
		if i < 0 {
			break
		}
		data = data[1+i:]
	}
}

// readOnce returns the content of the file at path the first time it is
// called with *loaded false, and sets *loaded. It returns nil after that,
// with no path, or when the file cannot be read: a missing or unreadable
// cache is only slower.
func readOnce(path string, loaded *bool) []byte {
	if *loaded {
		return nil
	}
	*loaded = true
	if path == "" {
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	return data
}

// flushRecords appends the records in *pending to the file at path and
// empties *pending; with no path they are dropped. On failure *pending is
// kept for the next try.
func flushRecords(path string, pending *[]byte) error {
	if path != "" && len(*pending) > 0 {
		if err := appendFile(path, *pending); err != nil {
			return err
		}
	}
	*pending = nil
	return nil
}

// appendFile appends data to the file at path, creating the file and its
// folder when missing, with a single O_APPEND write: processes appending
// whole records at the same time do not interleave them.
func appendFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
