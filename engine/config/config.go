package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/switchyard/switchyard/model"
)

// FileName is the config file looked for at the source repo's root.
const FileName = "switchyard.toml"

// ErrInvalid wraps every problem found in a config file.
var ErrInvalid = errors.New("invalid config")

// Error is a problem at one place of a config file.
type Error struct {
	File string // path as given
	Line int    // 1-based; 0 when unknown
	Key  string // dotted key, with [i] for array tables
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

func (e *Error) Unwrap() error { return ErrInvalid }

// Duration is a time.Duration written as a string: "90s", "10m", "7d", "2w".
// A bare number is refused: it would be ambiguous.
type Duration struct{ D time.Duration }

// Dur makes a Duration.
func Dur(d time.Duration) Duration { return Duration{d} }

// UnmarshalText accepts Go durations plus d (days) and w (weeks).
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return &valueError{value: string(b), err: err}
	}
	d.D = v
	return nil
}

// MarshalText writes the duration back in Go's notation.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.D.String()), nil }

// Std returns the duration as a time.Duration.
func (d Duration) Std() time.Duration { return d.D }

// ParseDuration parses "1h30m", "7d", "2w".
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			f, err := strconv.ParseFloat(n, 64)
			if err != nil || f < 0 {
				return 0, fmt.Errorf("bad duration %q (examples: 90s, 10m, 7d)", s)
			}
			return time.Duration(f * float64(unit)), nil
		}
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("bad duration %q (examples: 90s, 10m, 7d)", s)
	}
	return v, nil
}

// Config is the whole of switchyard.toml.
type Config struct {
	// Path is the file the config was read from; empty for defaults.
	Path string `toml:"-"`
	// Root is the folder relative paths are resolved against (the source
	// repo's root).
	Root string `toml:"-"`

	Cycle  Duration `toml:"cycle"`  // release cycle; default 7d
	Tracks []Track  `toml:"track"`  // upstream first
	Kinds  Kinds    `toml:"kinds"`  // commit kind patterns
	Pick   Pick     `toml:"pick"`   // how carried commits are written
	Bin    *Bin     `toml:"bin"`    // the bin repo; nil when absent
	Build  *Build   `toml:"build"`  // how a track is built
	Deploy Deploy   `toml:"deploy"` // environments, rollouts, gates
	Notify Notify   `toml:"notify"` // where people are called
}

// Track is one [[track]] table.
type Track struct {
	Name   string `toml:"name"`
	Branch string `toml:"branch"` // default: name
	Remote string `toml:"remote"` // follow refs/remotes/<remote>/<branch>
}

// Kinds holds the message patterns (Go regular expressions).
type Kinds struct {
	Hotfix string `toml:"hotfix"`
	Bugfix string `toml:"bugfix"`
}

// Pick says how carried commits are written.
type Pick struct {
	// Trailer adds "(cherry picked from commit <id>)"; default true.
	Trailer *bool `toml:"trailer"`
	// ConflictStyle is merge, diff3 or zdiff3; default: git config
	// merge.conflictStyle, else merge.
	ConflictStyle string `toml:"conflict_style"`
	// Rerere offers recorded resolutions again; default true.
	Rerere *bool `toml:"rerere"`
}

// Bin is the binary repository builds are committed to.
type Bin struct {
	Path   string `toml:"path"`   // folder of the bin repo, relative to Root
	Remote string `toml:"remote"` // push builds there when set
	Name   string `toml:"name"`   // artefact name: folders <name>-<n>/, symlink <name>
}

// Build is how a track is built.
type Build struct {
	Command []string `toml:"command"` // argv, run in a checkout of the commit
	Output  string   `toml:"output"`  // folder (relative to the checkout) holding the result
	Timeout Duration `toml:"timeout"` // default 30m
	Env     []string `toml:"env"`     // extra KEY=VALUE pairs
}

// Notify says where a person is called when one is needed.
type Notify struct {
	Webhook string   `toml:"webhook"` // JSON POST
	Timeout Duration `toml:"timeout"` // default 10s
}

// TrailerOn reports whether picks get the cherry-picked-from line.
func (p Pick) TrailerOn() bool { return p.Trailer == nil || *p.Trailer }

// RerereOn reports whether recorded resolutions are offered.
func (p Pick) RerereOn() bool { return p.Rerere == nil || *p.Rerere }

// Default is the config used when there is no file: dev → prod, 7-day cycle.
func Default() *Config {
	c := &Config{}
	c.applyDefaults()
	return c
}

// Flow returns the tracks as the model's ordered flow.
func (c *Config) Flow() model.Flow {
	f := make(model.Flow, len(c.Tracks))
	for i, t := range c.Tracks {
		f[i] = model.Track{Name: t.Name, Branch: t.Branch, Remote: t.Remote}
	}
	return f
}

// Classifier returns the commit kind classifier (patterns were checked on load).
func (c *Config) Classifier() model.Classifier {
	cl, err := model.NewClassifier(c.Kinds.Hotfix, c.Kinds.Bugfix)
	if err != nil {
		return model.DefaultClassifier()
	}
	return cl
}

// BinPath is the bin repo's folder, resolved against Root; "" when absent.
func (c *Config) BinPath() string {
	if c.Bin == nil || c.Bin.Path == "" {
		return ""
	}
	if filepath.IsAbs(c.Bin.Path) {
		return c.Bin.Path
	}
	return filepath.Join(c.Root, c.Bin.Path)
}

// Load reads path. It returns *Error (wrapping ErrInvalid) for any problem in
// the file and an *fs.PathError when it cannot be read.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	c.Root = filepath.Dir(path)
	return c, nil
}

// Find loads root/switchyard.toml when it exists, else the defaults.
func Find(root string) (*Config, error) {
	path := filepath.Join(root, FileName)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		c := Default()
		c.Root = root
		return c, nil
	}
	return Load(path)
}

// Parse decodes and validates a config document; name is used in errors.
func Parse(name string, data []byte) (*Config, error) {
	c := &Config{Path: name}
	dec := toml.NewDecoder(bytes.NewReader(data)).DisallowUnknownFields()
	if err := dec.Decode(c); err != nil {
		return nil, decodeError(name, data, err)
	}
	c.applyDefaults()
	if p := c.validate(); p != nil {
		p.File = name
		p.Line = lineOf(data, p.Key)
		return nil, p
	}
	return c, nil
}

func decodeError(name string, data []byte, err error) error {
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) && len(strict.Errors) > 0 {
		e := strict.Errors[0]
		line, _ := e.Position()
		return &Error{File: name, Line: line, Key: strings.Join(e.Key(), "."), Msg: "unknown key"}
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, _ := de.Position()
		key := strings.Join(de.Key(), ".")
		msg := de.Error()
		if i := strings.LastIndex(msg, ": "); i >= 0 && strings.HasPrefix(msg, "toml:") {
			msg = strings.TrimPrefix(msg, "toml: ")
		}
		return &Error{File: name, Line: line, Key: key, Msg: strings.TrimPrefix(msg, "toml: ")}
	}
	var ve *valueError
	if errors.As(err, &ve) {
		key, line := findValue(data, ve.value)
		return &Error{File: name, Line: line, Key: key, Msg: ve.err.Error()}
	}
	return &Error{File: name, Msg: strings.TrimPrefix(err.Error(), "toml: ")}
}

// valueError is a bad scalar found by a field's own decoder, which does not
// know its key; the key is found again by the value.
type valueError struct {
	value string
	err   error
}

func (e *valueError) Error() string { return e.err.Error() }

func (c *Config) applyDefaults() {
	if c.Cycle.D == 0 {
		c.Cycle = Dur(7 * 24 * time.Hour)
	}
	if len(c.Tracks) == 0 {
		c.Tracks = []Track{{Name: "dev"}, {Name: "prod"}}
	}
	for i := range c.Tracks {
		if c.Tracks[i].Branch == "" {
			c.Tracks[i].Branch = c.Tracks[i].Name
		}
	}
	if c.Bin != nil && c.Bin.Name == "" {
		c.Bin.Name = "app"
	}
	if c.Build != nil && c.Build.Timeout.D == 0 {
		c.Build.Timeout = Dur(30 * time.Minute)
	}
	if c.Notify.Timeout.D == 0 {
		c.Notify.Timeout = Dur(10 * time.Second)
	}
	c.Deploy.applyDefaults()
}

func bad(key, format string, args ...any) *Error {
	return &Error{Key: key, Msg: fmt.Sprintf(format, args...)}
}

func (c *Config) validate() *Error {
	if len(c.Tracks) < 2 {
		return bad("track", "a flow needs at least two tracks, got %d", len(c.Tracks))
	}
	names := map[string]bool{}
	for i, t := range c.Tracks {
		key := fmt.Sprintf("track[%d]", i)
		if t.Name == "" {
			return bad(key, "a track needs a name")
		}
		if names[t.Name] {
			return bad(key+".name", "track %q is given twice", t.Name)
		}
		names[t.Name] = true
		if strings.ContainsAny(t.Branch, " ~^:?*[\\") || strings.HasPrefix(t.Branch, "-") {
			return bad(key+".branch", "%q is not a valid branch name", t.Branch)
		}
	}
	if err := c.Flow().Validate(); err != nil {
		return bad("track", "%v", err)
	}
	if _, err := model.NewClassifier(c.Kinds.Hotfix, ""); err != nil {
		return bad("kinds.hotfix", "%v", err)
	}
	if _, err := model.NewClassifier("", c.Kinds.Bugfix); err != nil {
		return bad("kinds.bugfix", "%v", err)
	}
	switch c.Pick.ConflictStyle {
	case "", "merge", "diff3", "zdiff3":
	default:
		return bad("pick.conflict_style", "%q is not one of merge, diff3, zdiff3", c.Pick.ConflictStyle)
	}
	if c.Bin != nil {
		if c.Bin.Path == "" {
			return bad("bin.path", "the bin repo needs a path")
		}
		if c.Bin.Name == "" || strings.ContainsAny(c.Bin.Name, "/\\") || c.Bin.Name == "." || c.Bin.Name == ".." {
			return bad("bin.name", "%q is not a usable artefact name", c.Bin.Name)
		}
	}
	if c.Build != nil && len(c.Build.Command) == 0 {
		return bad("build.command", "the build needs a command (an argument list)")
	}
	if c.Build != nil {
		for i, kv := range c.Build.Env {
			if !strings.Contains(kv, "=") {
				return bad(fmt.Sprintf("build.env[%d]", i), "%q is not KEY=VALUE", kv)
			}
		}
	}
	if c.Notify.Webhook != "" && !strings.HasPrefix(c.Notify.Webhook, "http://") && !strings.HasPrefix(c.Notify.Webhook, "https://") {
		return bad("notify.webhook", "%q is not an http(s) URL", c.Notify.Webhook)
	}
	return c.Deploy.validate(names)
}
