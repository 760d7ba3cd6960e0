package sim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/switchyard/switchyard/engine/atomicfile"
	"github.com/switchyard/switchyard/engine/rollout/provider"
	"github.com/switchyard/switchyard/model"
)

// Options configure a fleet.
type Options struct {
	Nodes int // default 1000
	// Live is the slot serving at start and LiveBuild its build (0: none).
	Live      model.Color
	LiveBuild int
	// StatePath keeps the split across restarts; "" keeps it in memory.
	StatePath string
	// PullWindow is the longest delay between a weight change and a node
	// adopting it; 0 adopts at once.
	PullWindow time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// state is what the state file holds.
type state struct {
	Split   provider.Split `json:"split"`
	Failing []int          `json:"failing,omitempty"`
}

// Fleet is the simulated fleet with its two services. It is safe for
// concurrent use.
type Fleet struct {
	mu     sync.Mutex
	opts   Options
	st     state
	setAt  time.Time
	pos    []uint16 // 0..9999: the node moves to green when green weight*100 > pos
	lag    []uint32 // pull delay in milliseconds
	build  []int32  // what each node runs
	counts []provider.BuildCount
	svc    [2]*service // blue, green
	// seen identifies the state file as last read or written, so changes
	// made by another process (the CLI beside a cockpit) are picked up.
	seen os.FileInfo
}

// NewFleet builds a fleet. When StatePath holds a saved split, the fleet
// starts from it (every node already on it: the restart came later than any
// pull delay) and Live/LiveBuild are ignored.
func NewFleet(opts Options) (*Fleet, error) {
	if opts.Nodes <= 0 {
		opts.Nodes = 1000
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Live == "" {
		opts.Live = model.Blue
	}
	f := &Fleet{opts: opts}
	f.st.Split = provider.SplitFor(opts.Live, 100, 0, 0)
	if opts.Live == model.Green {
		f.st.Split.GreenBuild = opts.LiveBuild
	} else {
		f.st.Split.BlueBuild = opts.LiveBuild
	}
	if opts.StatePath != "" {
		data, err := os.ReadFile(opts.StatePath)
		switch {
		case err == nil:
			if err := json.Unmarshal(data, &f.st); err != nil {
				return nil, fmt.Errorf("sim fleet state %s: %w", opts.StatePath, err)
			}
			f.markSeen()
		case errors.Is(err, os.ErrNotExist):
		default:
			return nil, fmt.Errorf("sim fleet state: %w", err)
		}
	}
	n := opts.Nodes
	f.pos = make([]uint16, n)
	f.lag = make([]uint32, n)
	f.build = make([]int32, n)
	win := uint64(opts.PullWindow / time.Millisecond)
	// Positions are a permutation of evenly spaced values, so the share of
	// nodes on green matches the weight exactly, spread over the fleet.
	step := coprime(n)
	for i := range n {
		h := mix(uint64(i))
		f.pos[i] = uint16(uint64((i*step)%n) * 10000 / uint64(n))
		if win > 0 {
			f.lag[i] = uint32((h >> 20) % (win + 1))
		}
	}
	for i := range n {
		f.build[i] = int32(f.want(i))
	}
	f.counts = make([]provider.BuildCount, 0, 4)
	for _, c := range []model.Color{model.Blue, model.Green} {
		if b := f.st.Split.Build(c); b > 0 {
			if err := f.startService(c, b); err != nil {
				f.Close()
				return nil, err
			}
		}
	}
	return f, nil
}

// coprime returns a multiplier that permutes 0..n-1.
func coprime(n int) int {
	for p := 7919 % n; ; p++ {
		if p > 1 && gcd(p, n) == 1 {
			return p
		}
		if p >= n {
			return 1
		}
	}
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// mix is splitmix64: a stable, well spread position per node.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// want is the build node i should run under the current split.
func (f *Fleet) want(i int) int {
	s := f.st.Split
	if int(f.pos[i]) < s.Green*100 {
		return s.GreenBuild
	}
	return s.BlueBuild
}

// Nodes is the fleet size.
func (f *Fleet) Nodes() int { return f.opts.Nodes }

// Set implements provider.Traffic: the split is recorded (and saved) at
// once; nodes follow within the pull window.
func (f *Fleet) Set(ctx context.Context, s provider.Split) error {
	if err := s.Validate(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sync()
	f.adopt(f.opts.Now()) // nodes already due move under the old split
	// Builds are the fleet's own business: the driver keeps the ones deployed.
	if s.BlueBuild == 0 {
		s.BlueBuild = f.st.Split.BlueBuild
	}
	if s.GreenBuild == 0 {
		s.GreenBuild = f.st.Split.GreenBuild
	}
	f.st.Split = s
	f.setAt = f.opts.Now()
	return f.save()
}

// Actual implements provider.Traffic: the split in the state file when
// there is one, else the one in memory.
func (f *Fleet) Actual(ctx context.Context) (provider.Split, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.opts.StatePath != "" {
		data, err := os.ReadFile(f.opts.StatePath)
		if errors.Is(err, os.ErrNotExist) {
			return f.st.Split, nil
		}
		if err != nil {
			return provider.Split{}, fmt.Errorf("sim fleet: %w: %v", provider.ErrUnknown, err)
		}
		var st state
		if err := json.Unmarshal(data, &st); err != nil {
			return provider.Split{}, fmt.Errorf("sim fleet: %w: %v", provider.ErrUnknown, err)
		}
		return st.Split, nil
	}
	return f.st.Split, nil
}

// Deploy implements provider.Slots: the slot's service starts answering
// with build. The slot gets no traffic until Set gives it some.
func (f *Fleet) Deploy(ctx context.Context, c model.Color, build int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sync()
	f.stopService(c)
	if err := f.startService(c, build); err != nil {
		return err
	}
	if c == model.Green {
		f.st.Split.GreenBuild = build
	} else {
		f.st.Split.BlueBuild = build
	}
	return f.save()
}

// Stop implements provider.Slots.
func (f *Fleet) Stop(ctx context.Context, c model.Color) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sync()
	if f.st.Split.Weight(c) > 0 {
		return fmt.Errorf("sim fleet: %s still has %d%% of traffic", c, f.st.Split.Weight(c))
	}
	f.stopService(c)
	if c == model.Green {
		f.st.Split.GreenBuild = 0
	} else {
		f.st.Split.BlueBuild = 0
	}
	return f.save()
}

// Fail makes build b unhealthy (or healthy again): its service answers 503
// on /healthz and its nodes report unhealthy. Demos and tests use it.
func (f *Fleet) Fail(b int, failing bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sync()
	out := f.st.Failing[:0:0]
	for _, x := range f.st.Failing {
		if x != b {
			out = append(out, x)
		}
	}
	if failing {
		out = append(out, b)
	}
	f.st.Failing = out
	return f.save()
}

func (f *Fleet) failing(b int) bool {
	for _, x := range f.st.Failing {
		if x == b {
			return true
		}
	}
	return false
}

// URL is the base URL of slot c's service, "" when it is not running.
func (f *Fleet) URL(c model.Color) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sync()
	if s := f.svc[idx(c)]; s != nil {
		return s.url
	}
	return ""
}

// adopt moves the nodes whose pull delay has passed onto the current split.
func (f *Fleet) adopt(now time.Time) {
	since := now.Sub(f.setAt)
	ms := uint32(0)
	if since > 0 {
		ms = uint32(min(since/time.Millisecond, 1<<31))
	}
	for i := range f.build {
		if f.lag[i] <= ms {
			if w := int32(f.want(i)); f.build[i] != w {
				f.build[i] = w
			}
		}
	}
}

// Adoption implements provider.Adopter: nodes per build and healthy nodes
// per build, after letting due nodes adopt. The returned slice is fresh
// (a handful of entries); nothing is allocated per node.
func (f *Fleet) Adoption(ctx context.Context) (provider.Fleet, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sync()
	f.adopt(f.opts.Now())
	f.count()
	out := provider.Fleet{Nodes: len(f.build), Builds: make([]provider.BuildCount, len(f.counts))}
	copy(out.Builds, f.counts)
	return out, nil
}

// count fills f.counts from f.build.
func (f *Fleet) count() {
	f.counts = f.counts[:0]
	last, at := int32(-1), -1
	for _, b := range f.build {
		if b != last {
			at = -1
			for j := range f.counts {
				if f.counts[j].Build == int(b) {
					at = j
					break
				}
			}
			if at < 0 {
				f.counts = append(f.counts, provider.BuildCount{Build: int(b)})
				at = len(f.counts) - 1
			}
			last = b
		}
		f.counts[at].Nodes++
	}
	for j := range f.counts {
		if f.failing(f.counts[j].Build) {
			f.counts[j].Healthy = 0
		} else {
			f.counts[j].Healthy = f.counts[j].Nodes
		}
	}
}

// Close stops both services.
func (f *Fleet) Close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stopService(model.Blue)
	f.stopService(model.Green)
}

func (f *Fleet) save() error {
	if f.opts.StatePath == "" {
		return nil
	}
	data, err := json.MarshalIndent(f.st, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(f.opts.StatePath), 0o755); err != nil {
		return err
	}
	if err := atomicfile.Write(f.opts.StatePath, data, 0o600); err != nil {
		return err
	}
	f.markSeen()
	return nil
}

func (f *Fleet) markSeen() {
	if fi, err := os.Stat(f.opts.StatePath); err == nil {
		f.seen = fi
	}
}

// sync picks up a state file written by another process: the split (nodes
// then follow it within the pull window), the failing builds, and the
// services each slot should run.
func (f *Fleet) sync() {
	if f.opts.StatePath == "" {
		return
	}
	fi, err := os.Stat(f.opts.StatePath)
	// Every save renames a new file into place; inode numbers are reused,
	// so the time and size are compared too.
	if err != nil || f.seen != nil && os.SameFile(fi, f.seen) && fi.ModTime().Equal(f.seen.ModTime()) && fi.Size() == f.seen.Size() {
		return
	}
	data, err := os.ReadFile(f.opts.StatePath)
	if err != nil {
		return
	}
	var st state
	if json.Unmarshal(data, &st) != nil {
		return
	}
	f.seen = fi
	if st.Split != f.st.Split {
		now := f.opts.Now()
		f.adopt(now)
		f.setAt = now
	}
	f.st = st
	for _, c := range []model.Color{model.Blue, model.Green} {
		b, svc := st.Split.Build(c), f.svc[idx(c)]
		if svc != nil && svc.build == b {
			continue
		}
		f.stopService(c)
		if b > 0 {
			_ = f.startService(c, b)
		}
	}
}

func idx(c model.Color) int {
	if c == model.Green {
		return 1
	}
	return 0
}

// service is one slot's HTTP service on loopback.
type service struct {
	url   string
	srv   *http.Server
	build int
}

func (f *Fleet) startService(c model.Color, build int) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("sim %s service: %w", c, err)
	}
	s := &service{url: "http://" + ln.Addr().String(), build: build}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		bad := f.failing(build)
		f.mu.Unlock()
		if bad {
			http.Error(w, "unhealthy build "+strconv.Itoa(build), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintf(w, "ok build %d\n", build)
	})
	mux.HandleFunc("/build", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%d\n", build)
	})
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	f.svc[idx(c)] = s
	return nil
}

func (f *Fleet) stopService(c model.Color) {
	if s := f.svc[idx(c)]; s != nil {
		_ = s.srv.Close()
		f.svc[idx(c)] = nil
	}
}
