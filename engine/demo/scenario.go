package demo

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
)

// scenario is assets/demo/scenario.toml.
type scenario struct {
	Operator string            `toml:"operator"` // author key
	Authors  map[string]author `toml:"author"`
	Branches []branchDecl      `toml:"branch"`
	Commits  []commitDecl      `toml:"commit"`
	Bin      binDecl           `toml:"bin"`
	Builds   []buildDecl       `toml:"build"`
}

type author struct {
	Name  string `toml:"name"`
	Email string `toml:"email"`
	Zone  string `toml:"zone"` // "+01:00"
}

type branchDecl struct {
	Name  string   `toml:"name"`
	From  string   `toml:"from"` // commit id
	Flows []string `toml:"flows"`
}

type commitDecl struct {
	ID      string   `toml:"id"`
	Branch  string   `toml:"branch"`
	Flows   []string `toml:"flows"`
	DaysAgo int      `toml:"days_ago"`
	At      string   `toml:"at"` // HH:MM, UTC
	Author  string   `toml:"author"`
	Message string   `toml:"message"`
	Pick    string   `toml:"pick"`
	Trailer bool     `toml:"trailer"`
	Edits   []edit   `toml:"edit"`
}

type edit struct {
	Path    string  `toml:"path"`
	Write   *string `toml:"write"`
	Replace string  `toml:"replace"`
	With    string  `toml:"with"`
	Delete  bool    `toml:"delete"`
	Exec    bool    `toml:"exec"`
}

type binDecl struct {
	Name    string   `toml:"name"`
	Author  string   `toml:"author"`
	Include []string `toml:"include"`
}

type buildDecl struct {
	Track   string   `toml:"track"`
	Flows   []string `toml:"flows"`
	Number  int      `toml:"number"`
	Source  string   `toml:"source"`
	DaysAgo int      `toml:"days_ago"`
	At      string   `toml:"at"`
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*$`)

// parseScenario decodes and checks a scenario; every problem names the
// commit or build it is in.
func parseScenario(data []byte) (*scenario, error) {
	var s scenario
	dec := toml.NewDecoder(bytes.NewReader(data)).DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	for key, a := range s.Authors {
		if a.Name == "" || a.Email == "" {
			return nil, fmt.Errorf("scenario: author %q needs a name and an email", key)
		}
		if _, err := parseZone(a.Zone); err != nil {
			return nil, fmt.Errorf("scenario: author %q: %w", key, err)
		}
	}
	if _, ok := s.Authors[s.Operator]; !ok {
		return nil, fmt.Errorf("scenario: operator %q is not an author", s.Operator)
	}
	ids := map[string]bool{}
	for i, c := range s.Commits {
		where := fmt.Sprintf("scenario: commit %d (%s)", i+1, c.ID)
		if !idPattern.MatchString(c.ID) {
			return nil, fmt.Errorf("%s: id must be lowercase letters, digits, dots and dashes", where)
		}
		if ids[c.ID] {
			return nil, fmt.Errorf("%s: id is used twice", where)
		}
		if c.Branch == "" {
			return nil, fmt.Errorf("%s: no branch", where)
		}
		if _, ok := s.Authors[c.Author]; !ok {
			return nil, fmt.Errorf("%s: unknown author %q", where, c.Author)
		}
		if c.DaysAgo < 1 {
			return nil, fmt.Errorf("%s: days_ago must be at least 1 (commits are in the past)", where)
		}
		if _, err := parseClock(c.At); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		if err := checkFlows(c.Flows); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		switch {
		case c.Pick != "":
			if !ids[c.Pick] {
				return nil, fmt.Errorf("%s: picks %q, which is not an earlier commit", where, c.Pick)
			}
			if c.Message != "" || len(c.Edits) > 0 {
				return nil, fmt.Errorf("%s: a pick takes the message and edits of the picked commit", where)
			}
		case c.Message == "":
			return nil, fmt.Errorf("%s: no message", where)
		case len(c.Edits) == 0:
			return nil, fmt.Errorf("%s: no edits", where)
		}
		for j, e := range c.Edits {
			if err := e.check(); err != nil {
				return nil, fmt.Errorf("%s: edit %d: %w", where, j+1, err)
			}
		}
		ids[c.ID] = true
	}
	for _, b := range s.Branches {
		if b.Name == "" || !ids[b.From] {
			return nil, fmt.Errorf("scenario: branch %q must start from a commit id, got %q", b.Name, b.From)
		}
		if err := checkFlows(b.Flows); err != nil {
			return nil, fmt.Errorf("scenario: branch %q: %w", b.Name, err)
		}
	}
	if s.Bin.Name == "" || len(s.Bin.Include) == 0 {
		return nil, fmt.Errorf("scenario: [bin] needs a name and the paths a build includes")
	}
	if _, ok := s.Authors[s.Bin.Author]; !ok {
		return nil, fmt.Errorf("scenario: [bin] unknown author %q", s.Bin.Author)
	}
	for i, b := range s.Builds {
		where := fmt.Sprintf("scenario: build %d (%s %d)", i+1, b.Track, b.Number)
		if b.Number < 1 || !ids[b.Source] {
			return nil, fmt.Errorf("%s: needs a number from 1 and a source commit id", where)
		}
		if _, err := parseClock(b.At); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		if err := checkFlows(b.Flows); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
	}
	return &s, nil
}

func (e edit) check() error {
	if e.Path == "" || strings.HasPrefix(e.Path, "/") || slices.Contains(strings.Split(e.Path, "/"), "..") {
		return fmt.Errorf("path %q is not a relative path inside the repository", e.Path)
	}
	n := 0
	if e.Write != nil {
		n++
	}
	if e.Replace != "" {
		n++
	}
	if e.Delete {
		n++
	}
	if n != 1 {
		return fmt.Errorf("%s: give exactly one of write, replace (with with) or delete", e.Path)
	}
	return nil
}

func checkFlows(flows []string) error {
	for _, f := range flows {
		if f != FlowTwo && f != FlowThree {
			return fmt.Errorf("flow %q is not %q or %q", f, FlowTwo, FlowThree)
		}
	}
	return nil
}

// in reports whether something limited to flows exists in flow.
func in(flows []string, flow string) bool {
	return len(flows) == 0 || slices.Contains(flows, flow)
}

// parseZone reads a UTC offset such as "+01:00" or "-05:00".
func parseZone(s string) (*time.Location, error) {
	t, err := time.Parse("-07:00", s)
	if err != nil {
		return nil, fmt.Errorf("zone %q is not a UTC offset such as +01:00", s)
	}
	_, off := t.Zone()
	return time.FixedZone("", off), nil
}

// parseClock reads HH:MM as a duration after midnight.
func parseClock(s string) (time.Duration, error) {
	h, m, ok := strings.Cut(s, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, fmt.Errorf("at %q is not a time of day such as 09:30", s)
	}
	return time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute, nil
}
