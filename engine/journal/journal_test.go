package journal

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

func TestAppendRead(t *testing.T) {
	ctx := context.Background()
	j, err := Open(filepath.Join(t.TempDir(), "sw", "journal.jsonl"), "Ada <ada@example.com>")
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	in := []Entry{
		{Time: t0, Kind: "build", Action: "started", Track: "prod", Build: 1},
		{Time: t0.Add(time.Hour), Kind: "build", Action: "failed", Track: "prod", Build: 1, Message: "exit 2\x1b[31m", Detail: map[string]any{"log": "/x.log"}},
		{Time: t0.Add(2 * time.Hour), Actor: "bob", Kind: "rollout", Action: "aborted", Env: "staging"},
		{Time: t0.Add(3 * time.Hour), Kind: "build", Action: "started", Track: "dev", Build: 7},
	}
	for _, e := range in {
		if _, err := j.Append(ctx, e); err != nil {
			t.Fatalf("Append(%v) = %v", e, err)
		}
	}
	tests := []struct {
		f    Filter
		want []int // indexes into in
	}{
		{Filter{}, []int{0, 1, 2, 3}},
		{Filter{Kind: "build"}, []int{0, 1, 3}},
		{Filter{Track: "prod"}, []int{0, 1}},
		{Filter{Env: "staging"}, []int{2}},
		{Filter{Since: t0.Add(90 * time.Minute)}, []int{2, 3}},
		{Filter{Kind: "build", Limit: 2}, []int{1, 3}},
		{Filter{Kind: "nothing"}, nil},
	}
	for _, tt := range tests {
		got, skipped, err := j.Read(ctx, tt.f)
		if err != nil || skipped != 0 {
			t.Fatalf("Read(%+v) = %v, %d skipped", tt.f, err, skipped)
		}
		if len(got) != len(tt.want) {
			t.Fatalf("Read(%+v) = %d entries; want %d", tt.f, len(got), len(tt.want))
		}
		for i, k := range tt.want {
			if got[i].Action != in[k].Action || !got[i].Time.Equal(in[k].Time) || got[i].Build != in[k].Build {
				t.Errorf("Read(%+v)[%d] = %+v; want %+v", tt.f, i, got[i], in[k])
			}
		}
	}
	all, _, _ := j.Read(ctx, Filter{})
	if all[0].Actor != "Ada <ada@example.com>" || all[2].Actor != "bob" {
		t.Errorf("actors = %q, %q; want the default and the given one", all[0].Actor, all[2].Actor)
	}
	if all[1].Message != "exit 2\x1b[31m" {
		t.Errorf("message = %q; want it kept byte for byte", all[1].Message)
	}
	if d, ok := all[1].Detail.(map[string]any); !ok || d["log"] != "/x.log" {
		t.Errorf("detail = %#v; want map with log", all[1].Detail)
	}
}

func TestAppendRefused(t *testing.T) {
	j, _ := Open(filepath.Join(t.TempDir(), "j.jsonl"), "a")
	for _, e := range []Entry{{}, {Kind: "build"}, {Action: "started"}} {
		if _, err := j.Append(context.Background(), e); !errors.Is(err, ErrInvalid) {
			t.Errorf("Append(%+v) = %v; want ErrInvalid", e, err)
		}
	}
	if _, err := os.Stat(j.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("refused entries created the journal file: %v", err)
	}
}

func TestReadSkipsTornLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.jsonl")
	j, _ := Open(path, "a")
	ctx := context.Background()
	if _, err := j.Append(ctx, Entry{Kind: "build", Action: "started"}); err != nil {
		t.Fatal(err)
	}
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("not json\n{\"time\":\"2024-01-01T00:00:00Z\",\"kind\":\"bu")
	f.Close()
	got, skipped, err := j.Read(ctx, Filter{})
	if err != nil || len(got) != 1 || skipped != 2 {
		t.Fatalf("Read = %d entries, %d skipped, %v; want 1, 2, nil", len(got), skipped, err)
	}
	got, skipped, err = j.Read(ctx, Filter{Limit: 5})
	if err != nil || len(got) != 1 || skipped != 2 {
		t.Fatalf("Read(limit) = %d entries, %d skipped, %v; want 1, 2, nil", len(got), skipped, err)
	}
	if _, _, err := (&Journal{path: filepath.Join(t.TempDir(), "none")}).Read(ctx, Filter{}); err != nil {
		t.Errorf("Read(missing file) = %v; want an empty journal", err)
	}
}

// TestHelperAppend is the second process of TestConcurrentAppend.
func TestHelperAppend(t *testing.T) {
	path := os.Getenv("JOURNAL_HELPER_PATH")
	if path == "" {
		t.Skip("helper process only")
	}
	n, _ := strconv.Atoi(os.Getenv("JOURNAL_HELPER_N"))
	j, _ := Open(path, "helper")
	for i := range n {
		if _, err := j.Append(context.Background(), Entry{Kind: "test", Action: "proc", Build: i, Message: bigText(i)}); err != nil {
			t.Fatal(err)
		}
	}
}

// bigText makes entries large enough that unsynchronised writers would
// interleave.
func bigText(i int) string {
	b := make([]byte, 8000+i%100)
	for k := range b {
		b[k] = 'a' + byte((k+i)%26)
	}
	return string(b)
}

func TestConcurrentAppend(t *testing.T) {
	const goroutines, each, procN = 8, 25, 200
	path := filepath.Join(t.TempDir(), "j.jsonl")
	j, _ := Open(path, "main")

	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperAppend$", "-test.count=1")
	cmd.Env = append(os.Environ(), "JOURNAL_HELPER_PATH="+path, fmt.Sprintf("JOURNAL_HELPER_N=%d", procN))
	out := make(chan error, 1)
	go func() {
		b, err := cmd.CombinedOutput()
		if err != nil {
			err = fmt.Errorf("%w: %s", err, b)
		}
		out <- err
	}()

	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if _, err := j.Append(context.Background(), Entry{Kind: "test", Action: "goroutine", Build: g*1000 + i, Message: bigText(i)}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if err := <-out; err != nil {
		t.Fatalf("helper process: %v", err)
	}

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	seen := map[string]bool{}
	lines := 0
	for sc.Scan() {
		lines++
		var e Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("line %d is not a JSON entry: %v", lines, err)
		}
		if e.Message != bigText(e.Build%1000) {
			t.Fatalf("line %d: message mangled", lines)
		}
		seen[e.Action+strconv.Itoa(e.Build)] = true
	}
	if want := goroutines*each + procN; lines != want || len(seen) != want {
		t.Errorf("journal has %d lines, %d distinct entries; want %d", lines, len(seen), want)
	}
}

// TestReadTail compares reading backwards with a Limit against reading
// everything, over entries long enough to straddle the block size.
func TestReadTail(t *testing.T) {
	ctx := context.Background()
	j, _ := Open(filepath.Join(t.TempDir(), "j.jsonl"), "a")
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 300 {
		kind := []string{"build", "bin", "rollout"}[i%3]
		if _, err := j.Append(ctx, Entry{Time: t0.Add(time.Duration(i) * time.Minute), Kind: kind, Action: "a", Build: i, Message: bigText(i * 37 % 1000)[:i*131%3000]}); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []Filter{{Limit: 1}, {Limit: 7}, {Limit: 299}, {Limit: 300}, {Limit: 1000}, {Kind: "bin", Limit: 40}, {Kind: "bin", Limit: 500}, {Since: t0.Add(250 * time.Minute), Limit: 100}} {
		all, _, err := j.Read(ctx, Filter{Kind: f.Kind, Since: f.Since})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) > f.Limit {
			all = all[len(all)-f.Limit:]
		}
		got, skipped, err := j.Read(ctx, f)
		if err != nil || skipped != 0 || len(got) != len(all) {
			t.Fatalf("Read(%+v) = %d entries, %d skipped, %v; want %d", f, len(got), skipped, err, len(all))
		}
		for i := range got {
			if got[i].Build != all[i].Build || got[i].Message != all[i].Message {
				t.Fatalf("Read(%+v)[%d] = build %d; want %d", f, i, got[i].Build, all[i].Build)
			}
		}
	}
}
