package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/template"
	"time"

	"github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/switchyard/switchyard/assets"
	"github.com/switchyard/switchyard/engine/binrepo"
	"github.com/switchyard/switchyard/engine/config"
	"github.com/switchyard/switchyard/model"
)

// The flows a sandbox can have.
const (
	FlowTwo   = "two"   // dev → prod
	FlowThree = "three" // master → dev → prod
)

// Sentinel errors callers branch on.
var (
	// ErrDirNotEmpty: Options.Dir exists and holds files; the demo never
	// writes into (or deletes) a folder that has something in it.
	ErrDirNotEmpty = errors.New("folder is not empty")
	// ErrBadOptions: a flow or environment name the demo does not know.
	ErrBadOptions = errors.New("bad demo options")
)

// optionError is a bad option told in one line; it wraps a sentinel.
type optionError struct {
	msg string
	err error
}

func (e *optionError) Error() string { return e.msg }
func (e *optionError) Unwrap() error { return e.err }

// Options says where and how to build the sandbox.
type Options struct {
	// Dir is the sandbox folder: new, or existing and empty. Default: a
	// new folder switchyard-demo-* under the OS temp dir.
	Dir string
	// Flow is FlowTwo (default) or FlowThree.
	Flow string
	// FailGate names an environment where the acceptance gate fails.
	FailGate string
	// Anchor is "now" for the scenario: commit dates are counted back from
	// it. Default: today at 00:00 UTC, so that sandboxes built the same day
	// have the same commit ids.
	Anchor time.Time
}

// Validate checks the flow; the environment named by FailGate is checked
// against the sandbox's config by Build.
func (o *Options) Validate() error {
	switch o.Flow {
	case "", FlowTwo, FlowThree:
	default:
		return &optionError{fmt.Sprintf("flow %q is not %q or %q", o.Flow, FlowTwo, FlowThree), ErrBadOptions}
	}
	return nil
}

// Sandbox is a built sandbox.
type Sandbox struct {
	Dir string // the sandbox folder
	Src string // the source repo's work tree (Dir/src)
	Bin string // the bare bin repo (Dir/bin)
	// Config is the switchyard.toml written at Src's root.
	Config string
	// Flow is FlowTwo or FlowThree.
	Flow string
	// Anchor is the "now" the dates were counted back from.
	Anchor time.Time
	// Commits maps the scenario's commit ids (e.g. "hotfix-body") to
	// commit ids in Src.
	Commits map[string]string
	// Builds are the builds committed to Bin, per track in build order.
	Builds []model.Build
}

// Names of what Build makes inside the sandbox folder; on failure exactly
// these are removed.
const (
	srcName    = "src"
	binName    = "bin"
	gatesName  = "gates"
	readmeName = "README.txt"
	failName   = "fail-env"
	gateName   = "acceptance.sh"
)

// Build makes the sandbox. On error nothing of it is left behind.
func Build(ctx context.Context, opts Options) (*Sandbox, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	flow := opts.Flow
	if flow == "" {
		flow = FlowTwo
	}
	anchor := opts.Anchor.UTC()
	if opts.Anchor.IsZero() {
		anchor = time.Now().UTC().Truncate(24 * time.Hour)
	}
	data, err := assets.Demo.ReadFile("demo/scenario.toml")
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	sc, err := parseScenario(data)
	if err != nil {
		return nil, err
	}
	return buildScenario(ctx, sc, opts, flow, anchor)
}

// buildScenario builds a sandbox from a parsed scenario.
func buildScenario(ctx context.Context, sc *scenario, opts Options, flow string, anchor time.Time) (*Sandbox, error) {
	// Check the config (and the failing environment) before touching disk.
	probe := opts.Dir
	if probe == "" {
		probe = filepath.Join(os.TempDir(), "switchyard-demo")
	}
	probe, err := filepath.Abs(probe)
	if err != nil {
		return nil, fmt.Errorf("folder %s: %w", opts.Dir, err)
	}
	if _, err := renderConfig(probe, flow, opts.FailGate); err != nil {
		return nil, err
	}

	dir, made, err := prepareDir(opts.Dir)
	if err != nil {
		return nil, err
	}
	sb := &Sandbox{
		Dir:     dir,
		Src:     filepath.Join(dir, srcName),
		Bin:     filepath.Join(dir, binName),
		Config:  filepath.Join(dir, srcName, config.FileName),
		Flow:    flow,
		Anchor:  anchor,
		Commits: map[string]string{},
	}
	if err := build(ctx, sc, sb, opts.FailGate); err != nil {
		cleanup(dir, made)
		return nil, err
	}
	return sb, nil
}

func build(ctx context.Context, sc *scenario, sb *Sandbox, failGate string) error {
	cfgText, err := renderConfig(sb.Dir, sb.Flow, failGate)
	if err != nil {
		return err
	}
	src, err := buildSource(ctx, sc, sb)
	if err != nil {
		return fmt.Errorf("source repo: %w", err)
	}
	if err := os.WriteFile(sb.Config, cfgText, 0o644); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if err := buildBin(ctx, sc, sb, src); err != nil {
		return fmt.Errorf("bin repo: %w", err)
	}
	if err := writeGates(sb.Dir, failGate); err != nil {
		return fmt.Errorf("gates: %w", err)
	}
	readme, err := assets.Demo.ReadFile("demo/README.txt")
	if err != nil {
		return fmt.Errorf("readme: %w", err)
	}
	if err := os.WriteFile(filepath.Join(sb.Dir, readmeName), readme, 0o644); err != nil {
		return fmt.Errorf("readme: %w", err)
	}
	return nil
}

// prepareDir makes the sandbox folder, or checks that an existing one is
// empty. made is the outermost folder it created ("" when the folder
// existed), which a failed build removes.
func prepareDir(dir string) (abs, made string, err error) {
	if dir == "" {
		d, err := os.MkdirTemp("", "switchyard-demo-*")
		if err != nil {
			return "", "", fmt.Errorf("folder: %w", err)
		}
		return d, d, nil
	}
	abs, err = filepath.Abs(dir)
	if err != nil {
		return "", "", fmt.Errorf("folder %s: %w", dir, err)
	}
	info, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		made = abs
		for p := filepath.Dir(abs); p != filepath.Dir(p); p = filepath.Dir(p) {
			if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
				break
			}
			made = p
		}
		if err := os.MkdirAll(abs, 0o755); err != nil {
			return "", "", fmt.Errorf("folder: %w", err)
		}
		return abs, made, nil
	case err != nil:
		return "", "", fmt.Errorf("folder: %w", err)
	case !info.IsDir():
		return "", "", fmt.Errorf("%s is a file: the demo needs a new or empty folder", dir)
	}
	entries, err := os.ReadDir(abs)
	if err != nil {
		return "", "", fmt.Errorf("folder: %w", err)
	}
	if len(entries) > 0 {
		return "", "", &optionError{dir + " is not empty: the demo needs a new or empty folder", ErrDirNotEmpty}
	}
	return abs, "", nil
}

// cleanup removes what a failed Build made: the folders it created, else
// only the entries Build writes (the folder was empty).
func cleanup(dir, made string) {
	if made != "" {
		os.RemoveAll(made)
		return
	}
	for _, name := range []string{srcName, binName, gatesName, readmeName} {
		os.RemoveAll(filepath.Join(dir, name))
	}
}

// configData fills assets/demo/switchyard.toml.tmpl.
type configData struct {
	Three      bool
	GateScript string
	FailFile   string
}

// renderConfig writes the sandbox's switchyard.toml for a sandbox in dir
// and checks it with the config loader; failGate must name one of its
// environments.
func renderConfig(dir, flow, failGate string) ([]byte, error) {
	text, err := assets.Demo.ReadFile("demo/switchyard.toml.tmpl")
	if err != nil {
		return nil, fmt.Errorf("config template: %w", err)
	}
	tmpl, err := template.New("switchyard.toml").Funcs(template.FuncMap{"toml": tomlString}).Parse(string(text))
	if err != nil {
		return nil, fmt.Errorf("config template: %w", err)
	}
	var b bytes.Buffer
	err = tmpl.Execute(&b, configData{
		Three:      flow == FlowThree,
		GateScript: filepath.Join(dir, gatesName, gateName),
		FailFile:   filepath.Join(dir, gatesName, failName),
	})
	if err != nil {
		return nil, fmt.Errorf("config template: %w", err)
	}
	cfg, err := config.Parse(config.FileName, b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if failGate != "" {
		var names []string
		for _, e := range cfg.Deploy.Environments {
			names = append(names, e.Name)
		}
		if !slices.Contains(names, failGate) {
			return nil, &optionError{fmt.Sprintf("fail-gate: %q is not an environment of the demo (%s)", failGate, strings.Join(names, ", ")), ErrBadOptions}
		}
	}
	return b.Bytes(), nil
}

// tomlString quotes s as a TOML basic string.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// replayed is a commit of the scenario once made.
type replayed struct {
	hash    plumbing.Hash
	parent  string // scenario id of the parent; "" for the root
	files   files
	edits   []edit
	message string
	author  object.Signature
	when    time.Time // committer date
}

// source is what buildSource made, for buildBin.
type source struct {
	commits map[string]*replayed
	heads   map[string]string // branch → scenario id of its head
}

func (sc *scenario) signature(key string, daysAgo int, at string, anchor time.Time) object.Signature {
	a := sc.Authors[key]
	zone, _ := parseZone(a.Zone) // checked by parseScenario
	clock, _ := parseClock(at)   // checked by parseScenario
	when := anchor.Add(-time.Duration(daysAgo)*24*time.Hour + clock).In(zone)
	return object.Signature{Name: a.Name, Email: a.Email, When: when}
}

// buildSource replays the scenario's commits into a new repository at
// sb.Src and checks dev out.
func buildSource(ctx context.Context, sc *scenario, sb *Sandbox) (*source, error) {
	repo, err := git.PlainInit(sb.Src, false)
	if err != nil {
		return nil, err
	}
	st := repo.Storer
	objs := newDedup(st)
	out := &source{commits: map[string]*replayed{}, heads: map[string]string{}}
	starts := map[string]string{}
	for _, b := range sc.Branches {
		if in(b.Flows, sb.Flow) {
			starts[b.Name] = b.From
		}
	}
	for _, c := range sc.Commits {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if !in(c.Flows, sb.Flow) {
			continue
		}
		parent, ok := out.heads[c.Branch]
		if !ok {
			from, declared := starts[c.Branch]
			switch {
			case declared:
				if _, made := out.commits[from]; !made {
					return nil, fmt.Errorf("branch %s starts at %s, which is not made before commit %s", c.Branch, from, c.ID)
				}
				parent = from
			case len(out.heads) > 0:
				return nil, fmt.Errorf("branch %s has no [[branch]] entry saying where it starts", c.Branch)
			}
		}
		r := &replayed{parent: parent, edits: c.Edits, message: c.Message}
		committer := sc.signature(c.Author, c.DaysAgo, c.At, sb.Anchor)
		r.author, r.when = committer, committer.When
		// Trains walk first parents back to the first commit a cycle old:
		// dates must not go backwards along a branch.
		if parent != "" && r.when.Before(out.commits[parent].when) {
			return nil, fmt.Errorf("commit %s is dated before its parent %s", c.ID, parent)
		}
		if c.Pick != "" {
			orig, ok := out.commits[c.Pick]
			if !ok {
				return nil, fmt.Errorf("commit %s picks %s, which is not in the %s flow", c.ID, c.Pick, sb.Flow)
			}
			r.edits, r.message, r.author = orig.edits, orig.message, orig.author
			if c.Trailer {
				r.message = strings.TrimRight(r.message, "\n") + "\n\n(cherry picked from commit " + orig.hash.String() + ")\n"
			}
		}
		r.message = strings.TrimRight(r.message, "\n") + "\n"
		if parent != "" {
			r.files = out.commits[parent].files.clone()
		} else {
			r.files = files{}
		}
		for _, e := range r.edits {
			if err := r.files.apply(e); err != nil {
				return nil, fmt.Errorf("commit %s: %w", c.ID, err)
			}
		}
		tree, err := writeTree(objs, r.files)
		if err != nil {
			return nil, fmt.Errorf("commit %s: %w", c.ID, err)
		}
		commit := &object.Commit{Author: r.author, Committer: committer, Message: r.message, TreeHash: tree}
		if parent != "" {
			commit.ParentHashes = []plumbing.Hash{out.commits[parent].hash}
		}
		if r.hash, err = store(objs, commit); err != nil {
			return nil, fmt.Errorf("commit %s: %w", c.ID, err)
		}
		out.commits[c.ID] = r
		out.heads[c.Branch] = c.ID
		sb.Commits[c.ID] = r.hash.String()
	}
	for name, from := range starts {
		if _, ok := out.heads[name]; !ok {
			out.heads[name] = from
		}
	}
	for _, want := range tracks(sb.Flow) {
		if _, ok := out.heads[want]; !ok {
			return nil, fmt.Errorf("the scenario has no branch %s", want)
		}
	}
	for name, id := range out.heads {
		ref := plumbing.NewHashReference(plumbing.NewBranchReferenceName(name), out.commits[id].hash)
		if err := st.SetReference(ref); err != nil {
			return nil, err
		}
	}
	if err := st.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, plumbing.NewBranchReferenceName("dev"))); err != nil {
		return nil, err
	}
	// The config is written next to the sources but is not theirs.
	info := filepath.Join(sb.Src, ".git", "info")
	if err := os.MkdirAll(info, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(info, "exclude"), []byte("# switchyard demo: the sandbox's config is not part of the sources\n/"+config.FileName+"\n"), 0o644); err != nil {
		return nil, err
	}
	op := sc.Authors[sc.Operator]
	if err := identityIfMissing(repo, op.Name, op.Email); err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		return nil, err
	}
	if err := wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName("dev"), Force: true}); err != nil {
		return nil, fmt.Errorf("check out dev: %w", err)
	}
	return out, nil
}

// identityIfMissing gives the repository a local user.name and user.email
// when git has no identity for it (neither GIT_COMMITTER_NAME/EMAIL nor
// user.* in the system, global or local config), so that a newcomer on a
// fresh machine can pick and release in the sandbox. A configured identity
// is left alone: people act as themselves.
func identityIfMissing(repo *git.Repository, name, email string) error {
	if os.Getenv("GIT_COMMITTER_NAME") != "" && os.Getenv("GIT_COMMITTER_EMAIL") != "" {
		return nil
	}
	if cfg, err := repo.ConfigScoped(gitconfig.SystemScope); err == nil && cfg.User.Name != "" && cfg.User.Email != "" {
		return nil
	}
	local, err := repo.Config()
	if err != nil {
		return err
	}
	local.User.Name, local.User.Email = name, email
	return repo.SetConfig(local)
}

// tracks lists the flow's tracks, upstream first.
func tracks(flow string) []string {
	if flow == FlowThree {
		return []string{"master", "dev", "prod"}
	}
	return []string{"dev", "prod"}
}

// buildBin makes the bare bin repo: a first commit with a README, then on
// each track's branch one commit per build adding <name>-<n>/ (the build's
// files and manifest.json) and pointing the symlink <name> at it.
func buildBin(ctx context.Context, sc *scenario, sb *Sandbox, src *source) error {
	repo, err := git.PlainInit(sb.Bin, true)
	if err != nil {
		return err
	}
	st := repo.Storer
	objs := newDedup(st)
	bot := sc.Bin.Author
	var builds []buildDecl
	for _, b := range sc.Builds {
		if in(b.Flows, sb.Flow) {
			builds = append(builds, b)
		}
	}
	if len(builds) == 0 {
		return errors.New("the scenario has no builds")
	}
	for _, b := range builds {
		if !slices.Contains(tracks(sb.Flow), b.Track) {
			return fmt.Errorf("build %d names track %q, which is not in the %s flow", b.Number, b.Track, sb.Flow)
		}
	}
	first := builds[0]
	for _, b := range builds {
		if b.DaysAgo > first.DaysAgo {
			first = b
		}
	}
	readme := files{"README.md": {data: binReadme(sc.Bin.Name), mode: filemode.Regular}}
	tree, err := writeTree(objs, readme)
	if err != nil {
		return err
	}
	sig := sc.signature(bot, first.DaysAgo+1, "08:00", sb.Anchor)
	root, err := store(objs, &object.Commit{Author: sig, Committer: sig, Message: "Start the bin repo of " + sc.Bin.Name + "\n", TreeHash: tree})
	if err != nil {
		return err
	}
	for _, track := range tracks(sb.Flow) {
		var mine []buildDecl
		for _, b := range builds {
			if b.Track == track {
				mine = append(mine, b)
			}
		}
		sort.SliceStable(mine, func(i, j int) bool { return mine[i].Number < mine[j].Number })
		reach := src.reachable(src.heads[track])
		head, snap := root, readme.clone()
		for i, b := range mine {
			if err := ctx.Err(); err != nil {
				return err
			}
			if b.Number != i+1 {
				return fmt.Errorf("%s builds must be numbered 1, 2, 3…; found %d after %d", track, b.Number, i)
			}
			if !reach[b.Source] {
				return fmt.Errorf("%s build %d: commit %s is not on %s", track, b.Number, b.Source, track)
			}
			sig := sc.signature(bot, b.DaysAgo, b.At, sb.Anchor)
			from := src.commits[b.Source]
			// The manifest and the message are written as a release writes
			// them (binrepo), so demo builds read like real ones.
			man := binrepo.Manifest{Name: sc.Bin.Name, Number: b.Number, Track: track, Source: from.hash.String(),
				Time: sig.When.UTC(), Builder: sig.Name + " <" + sig.Email + ">"}
			mb := man.Build()
			folder := mb.Folder()
			for p, f := range from.files {
				for _, inc := range sc.Bin.Include {
					if p == inc || strings.HasPrefix(p, inc+"/") {
						snap[folder+"/"+p] = f
					}
				}
			}
			manifest, err := json.MarshalIndent(man, "", "  ")
			if err != nil {
				return err
			}
			snap[folder+"/"+binrepo.ManifestFile] = file{data: string(manifest) + "\n", mode: filemode.Regular}
			snap[sc.Bin.Name] = file{data: folder, mode: filemode.Symlink}
			tree, err := writeTree(objs, snap)
			if err != nil {
				return err
			}
			msg := fmt.Sprintf("%s: build of %s at %s\n", folder, track, from.hash.String()[:12])
			head, err = store(objs, &object.Commit{Author: sig, Committer: sig, Message: msg, TreeHash: tree, ParentHashes: []plumbing.Hash{head}})
			if err != nil {
				return err
			}
			mb.BinCommit = head.String()
			sb.Builds = append(sb.Builds, mb)
		}
		if err := st.SetReference(plumbing.NewHashReference(plumbing.NewBranchReferenceName(track), head)); err != nil {
			return err
		}
	}
	last := tracks(sb.Flow)
	return st.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, plumbing.NewBranchReferenceName(last[len(last)-1])))
}

// reachable is the set of scenario commits in the history of id.
func (s *source) reachable(id string) map[string]bool {
	seen := map[string]bool{}
	for id != "" && !seen[id] {
		seen[id] = true
		id = s.commits[id].parent
	}
	return seen
}

func binReadme(name string) string {
	return "# Bin repo of " + name + "\n\n" +
		"One branch per track. Each build is a folder " + name + "-<n>/ holding the\n" +
		"build and its manifest.json; the symlink " + name + " points at the live one.\n" +
		"Nodes pull their branch, so moving the symlink switches versions.\n"
}

// writeGates writes the acceptance gate and, when failGate is set, the file
// that makes it fail there.
func writeGates(dir, failGate string) error {
	gates := filepath.Join(dir, gatesName)
	if err := os.MkdirAll(gates, 0o755); err != nil {
		return err
	}
	script, err := assets.Demo.ReadFile("demo/" + gateName)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(gates, gateName), script, 0o755); err != nil {
		return err
	}
	if failGate == "" {
		return nil
	}
	return os.WriteFile(filepath.Join(gates, failName), []byte(failGate+"\n"), 0o644)
}
