// Package provider holds the small contracts between the rollout state
// machine and the things it drives or asks: traffic drivers (bin, nginx,
// command, sim), health providers (http, prometheus, command, sim) and fleet
// adoption reports. The implementations live in sibling packages; this one
// only states what each must do, so none of them imports the state machine.
package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/switchyard/switchyard/model"
)

// Sentinel errors callers branch on.
var (
	// ErrUnknown: the driver cannot tell what it has configured (a command
	// driver whose status action printed nothing, a file that is missing).
	ErrUnknown = errors.New("actual traffic unknown")
	// ErrUnsupported: the driver cannot do what was asked (the bin driver
	// cannot split traffic, it moves every node at once).
	ErrUnsupported = errors.New("not supported by this traffic driver")
)

// Split is a traffic split between the two slots: percentages that add up
// to 100, and the build each slot runs (0: none).
type Split struct {
	Blue       int `json:"blue"`
	Green      int `json:"green"`
	BlueBuild  int `json:"blue_build,omitempty"`
	GreenBuild int `json:"green_build,omitempty"`
}

// Weight returns the share of the given slot.
func (s Split) Weight(c model.Color) int {
	if c == model.Green {
		return s.Green
	}
	return s.Blue
}

// Build returns the build of the given slot.
func (s Split) Build(c model.Color) int {
	if c == model.Green {
		return s.GreenBuild
	}
	return s.BlueBuild
}

// Validate checks that the weights are percentages that add up to 100.
func (s Split) Validate() error {
	if s.Blue < 0 || s.Green < 0 || s.Blue+s.Green != 100 {
		return fmt.Errorf("traffic split blue %d%% + green %d%% must make 100%%", s.Blue, s.Green)
	}
	return nil
}

// SplitFor puts pct percent of traffic on slot c and the rest on the other.
func SplitFor(c model.Color, pct int, blueBuild, greenBuild int) Split {
	s := Split{BlueBuild: blueBuild, GreenBuild: greenBuild}
	if c == model.Green {
		s.Green, s.Blue = pct, 100-pct
	} else {
		s.Blue, s.Green = pct, 100-pct
	}
	return s
}

// Other returns the other slot.
func Other(c model.Color) model.Color {
	if c == model.Green {
		return model.Blue
	}
	return model.Green
}

// Traffic moves traffic between an environment's two slots.
type Traffic interface {
	// Set configures s and returns once the driver has applied it (the
	// file is written and the server reloaded, the commit is made, the
	// script succeeded). On error the previous split may still be in force;
	// Actual tells.
	Set(ctx context.Context, s Split) error
	// Actual reads back the split the driver has in force, from the
	// driver's own source of truth (the file it wrote, the bin branch, the
	// script's status output), never from memory. It returns an error
	// wrapping ErrUnknown when it cannot tell.
	Actual(ctx context.Context) (Split, error)
}

// Slots is implemented by drivers that also run the slots (the sim fleet,
// a command driver that deploys): Deploy starts build on slot c, Stop stops
// it. Drivers that do not run slots (nginx, bin) leave deployment to the
// nodes.
type Slots interface {
	Deploy(ctx context.Context, c model.Color, build int) error
	Stop(ctx context.Context, c model.Color) error
}

// Target is what a health check or gate is pointed at.
type Target struct {
	Env   string
	Slot  model.Color
	Build int
	URL   string // the slot's base URL where known
}

// Verdict is the judgement of one measurement, with the usual analysis
// semantics: failures count against the failure limit, inconclusive results
// against the inconclusive limit (and pause for a person).
type Verdict string

const (
	Pass         Verdict = "pass"
	Fail         Verdict = "fail"
	Inconclusive Verdict = "inconclusive"
)

// Result is one measurement.
type Result struct {
	Time     time.Time `json:"time"`
	Verdict  Verdict   `json:"verdict"`
	Value    float64   `json:"value,omitempty"`
	HasValue bool      `json:"has_value,omitempty"`
	Detail   string    `json:"detail,omitempty"`
}

// Health judges a slot. Check must return within the provider's own
// timeout even when the endpoint hangs; a probe that cannot be made is a
// Fail or Inconclusive result with the reason in Detail, not an error.
type Health interface {
	Check(ctx context.Context, t Target) Result
}

// BuildCount is how many nodes report running a build, and how many of
// those are healthy (Healthy is -1 when the source does not say).
type BuildCount struct {
	Build   int `json:"build"`
	Nodes   int `json:"nodes"`
	Healthy int `json:"healthy"`
}

// Fleet is an adoption report: nodes per build.
type Fleet struct {
	Nodes  int          `json:"nodes"`
	Builds []BuildCount `json:"builds"`
}

// On returns the number of nodes reporting build b.
func (f Fleet) On(b int) int {
	for _, c := range f.Builds {
		if c.Build == b {
			return c.Nodes
		}
	}
	return 0
}

// Adopter reports which build the nodes run (the sim fleet; Prometheus
// with an adoption query).
type Adopter interface {
	Adoption(ctx context.Context) (Fleet, error)
}
