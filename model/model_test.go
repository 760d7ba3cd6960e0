package model

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestInert(t *testing.T) {
	tests := []struct {
		in   string
		keep bool
		want string
	}{
		{"plain subject", false, "plain subject"},
		{"\x1b[31mred\x1b[0m", false, "^[[31mred^[[0m"},
		{"title\x1b]0;pwned\x07", false, "title^[]0;pwned^G"},
		{"a\nb", false, "a^Jb"},
		{"a\nb", true, "a\nb"},
		{"tab\there", false, "tab    here"},
		{"c1 \u009b31m", false, "c1 \\u009B31m"},
		{"bidi \u202eevil", false, "bidi \\u202Eevil"},
		{"bad \xff utf8", false, "bad \ufffd utf8"},
		{"del\x7f", false, "del^?"},
		{"naïve café", false, "naïve café"},
	}
	for _, tt := range tests {
		if got := Inert(tt.in, tt.keep); got != tt.want {
			t.Errorf("Inert(%q, %v) = %q; want %q", tt.in, tt.keep, got, tt.want)
		}
	}
}

func FuzzInert(f *testing.F) {
	f.Add("\x1b[2J\x1b[H", true)
	f.Add("ok", false)
	f.Fuzz(func(t *testing.T, s string, keep bool) {
		out := Inert(s, keep)
		for _, r := range out {
			if r < 0x20 && !(keep && r == '\n') || r == 0x7f || (r >= 0x80 && r < 0xa0) {
				t.Fatalf("Inert(%q) = %q keeps control %U", s, out, r)
			}
		}
	})
}

func TestFlowValidate(t *testing.T) {
	tests := []struct {
		name string
		flow Flow
		want string // substring of the error; "" for none
	}{
		{"two", Flow{{Name: "dev", Branch: "dev"}, {Name: "prod", Branch: "prod"}}, ""},
		{"three", Flow{{Name: "master", Branch: "master"}, {Name: "dev", Branch: "dev"}, {Name: "prod", Branch: "prod"}}, ""},
		{"one", Flow{{Name: "dev", Branch: "dev"}}, "at least two"},
		{"twice", Flow{{Name: "dev", Branch: "dev"}, {Name: "dev", Branch: "x"}}, `"dev" is given twice`},
		{"same branch", Flow{{Name: "a", Branch: "dev"}, {Name: "b", Branch: "dev"}}, "used by two tracks"},
		{"empty name", Flow{{Name: "", Branch: "dev"}, {Name: "b", Branch: "x"}}, "empty name"},
	}
	for _, tt := range tests {
		err := tt.flow.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: Validate() = %v; want nil", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: Validate() = %v; want %q", tt.name, err, tt.want)
		}
	}
}

func TestFlowNavigation(t *testing.T) {
	f := Flow{{Name: "master", Branch: "master"}, {Name: "dev", Branch: "dev", Remote: "origin"}, {Name: "prod", Branch: "prod"}}
	if d, ok := f.Downstream("dev"); !ok || d.Name != "prod" {
		t.Errorf("Downstream(dev) = %v, %v", d, ok)
	}
	if _, ok := f.Downstream("prod"); ok {
		t.Error("Downstream(prod) exists")
	}
	if u, ok := f.Upstream("dev"); !ok || u.Name != "master" {
		t.Errorf("Upstream(dev) = %v, %v", u, ok)
	}
	if got := f[1].Ref(); got != "refs/remotes/origin/dev" {
		t.Errorf("Ref() = %q", got)
	}
	if got := f[1].LocalRef(); got != "refs/heads/dev" {
		t.Errorf("LocalRef() = %q", got)
	}
	if _, err := f.Track("qa"); !errors.Is(err, ErrUnknownTrack) {
		t.Errorf("Track(qa) = %v; want ErrUnknownTrack", err)
	}
	if ps := f.Pairs(); len(ps) != 2 || ps[1].From.Name != "dev" || ps[1].To.Name != "prod" {
		t.Errorf("Pairs() = %v", ps)
	}
	if got := f.Names(); got != "master → dev → prod" {
		t.Errorf("Names() = %q", got)
	}
}

func TestClassifier(t *testing.T) {
	c := DefaultClassifier()
	tests := map[string]Kind{
		"hotfix: cap request bodies":       Hotfix,
		"HOTFIX escape names":              Hotfix,
		"Bugfix: trim keys":                Bugfix,
		"bugfix and hotfix at once":        Hotfix,
		"Add hotfixes page":                Regular, // a word, not a prefix
		"regular work\n\nmentions bugfix":  Bugfix,
		"Document the rate limit settings": Regular,
	}
	for msg, want := range tests {
		if got := c.Kind(msg); got != want {
			t.Errorf("Kind(%q) = %v; want %v", msg, got, want)
		}
	}
	custom, err := NewClassifier(`^HF-\d+`, `^BF-\d+`)
	if err != nil {
		t.Fatal(err)
	}
	if got := custom.Kind("HF-12 fix login"); got != Hotfix {
		t.Errorf("custom Kind = %v; want hotfix", got)
	}
	if _, err := NewClassifier("(", ""); err == nil {
		t.Error("NewClassifier accepted a bad pattern")
	}
}

func TestKindText(t *testing.T) {
	for _, k := range []Kind{Regular, Bugfix, Hotfix} {
		b, _ := k.MarshalText()
		var back Kind
		if err := back.UnmarshalText(b); err != nil || back != k {
			t.Errorf("round trip of %v = %v, %v", k, back, err)
		}
	}
	var k Kind
	if err := k.UnmarshalText([]byte("urgent")); err == nil {
		t.Error("UnmarshalText accepted urgent")
	}
}

func TestCheckForward(t *testing.T) {
	tests := []struct {
		live, cand int
		ok         bool
	}{
		{0, 1, true}, {3, 4, true}, {4, 4, false}, {5, 3, false},
	}
	for _, tt := range tests {
		err := CheckForward(tt.live, tt.cand)
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrBackwards)) {
			t.Errorf("CheckForward(%d, %d) = %v; want ok=%v", tt.live, tt.cand, err, tt.ok)
		}
	}
}

func TestSubjectAndLeadTime(t *testing.T) {
	if got := Subject("\n  fix it  \n\nbody"); got != "fix it" {
		t.Errorf("Subject = %q", got)
	}
	if got := BuildFolder("spark", 42); got != "spark-42" {
		t.Errorf("BuildFolder = %q", got)
	}
	day := 24 * time.Hour
	c := Commit{Date: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := LeadTime{Commit: c, Arrivals: []Arrival{{Track: "prod", At: c.Date.Add(3 * day)}}}
	if d, ok := l.To("prod"); !ok || d != 3*day {
		t.Errorf("To(prod) = %v, %v", d, ok)
	}
	if _, ok := l.To("dev"); ok {
		t.Error("To(dev) reached")
	}
	if RolloutAborted.Terminal() != true || RolloutWave.Terminal() {
		t.Error("Terminal() wrong")
	}
}

func BenchmarkClassifierKind(b *testing.B) {
	c := DefaultClassifier()
	msg := "Teach the rate limiter to refill per client\n\nThe bucket was shared between clients, so one noisy client\nstarved the others. Keep one bucket per address.\n\nSigned-off-by: Ada Lovelace <ada@example.com>\n"
	for i := 0; i < b.N; i++ {
		c.Kind(msg)
	}
}
