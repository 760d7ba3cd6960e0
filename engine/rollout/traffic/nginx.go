package traffic

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/switchyard/switchyard/engine/atomicfile"
	"github.com/switchyard/switchyard/engine/rollout/provider"
)

// Nginx writes an upstream block with the two slots' servers weighted by the
// split, checks the configuration, and reloads nginx. nginx weights are
// integers from 1, so a slot at 0% is written "down" and a slot at p% gets
// weight p.
//
//	upstream app {
//	    server 127.0.0.1:8081 weight=90; # switchyard blue build=6
//	    server 127.0.0.1:8082 weight=10; # switchyard green build=7
//	}
type Nginx struct {
	File     string // the upstream file, included by nginx's configuration
	Upstream string // the upstream's name; default "app"
	Blue     string // host:port of the blue slot
	Green    string // host:port of the green slot
	// Test, when set, checks the configuration after the file is written
	// (e.g. nginx -t -c /etc/nginx/nginx.conf); on failure the previous
	// file is put back and nothing is reloaded.
	Test []string
	// Reload makes nginx read the file (e.g. nginx -s reload).
	Reload  []string
	Timeout time.Duration // of Test and Reload each; default 30s
}

// Render returns the upstream block for s.
func (n *Nginx) Render(s provider.Split) []byte {
	name := n.Upstream
	if name == "" {
		name = "app"
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# written by switchyard; edits are overwritten on the next traffic move\n")
	fmt.Fprintf(&b, "upstream %s {\n", name)
	line := func(addr string, w, build int, color string) {
		if w <= 0 {
			fmt.Fprintf(&b, "    server %s down; # switchyard %s build=%d weight=0\n", addr, color, build)
			return
		}
		fmt.Fprintf(&b, "    server %s weight=%d; # switchyard %s build=%d weight=%d\n", addr, w, color, build, w)
	}
	line(n.Blue, s.Blue, s.BlueBuild, "blue")
	line(n.Green, s.Green, s.GreenBuild, "green")
	b.WriteString("}\n")
	return b.Bytes()
}

// Set implements provider.Traffic.
func (n *Nginx) Set(ctx context.Context, s provider.Split) error {
	if err := s.Validate(); err != nil {
		return err
	}
	old, oldErr := os.ReadFile(n.File)
	if err := atomicfile.Write(n.File, n.Render(s), 0o644); err != nil {
		return fmt.Errorf("nginx upstream %s: %w", n.File, err)
	}
	if len(n.Test) > 0 {
		if out, err := n.run(ctx, n.Test); err != nil {
			if oldErr == nil {
				_ = atomicfile.Write(n.File, old, 0o644)
			} else {
				_ = os.Remove(n.File)
			}
			return fmt.Errorf("nginx config test failed, previous upstream kept: %w %s", err, out)
		}
	}
	if len(n.Reload) > 0 {
		if out, err := n.run(ctx, n.Reload); err != nil {
			return fmt.Errorf("nginx reload: %w %s", err, out)
		}
	}
	return nil
}

func (n *Nginx) run(ctx context.Context, argv []string) (string, error) {
	t := n.Timeout
	if t <= 0 {
		t = 30 * time.Second
	}
	var out bytes.Buffer
	code, err := provider.Run(ctx, provider.RunOptions{Argv: argv, Timeout: t, Stdout: &out})
	if err == nil && code != 0 {
		err = fmt.Errorf("%s: exit status %d", argv[0], code)
	}
	return strings.TrimSpace(out.String()), err
}

var serverLine = regexp.MustCompile(`^\s*server\s+(\S+?)(?:\s+weight=(\d+))?(\s+down)?\s*;\s*(?:#\s*switchyard\s+(\w+)\s+build=(\d+))?`)

// Actual implements provider.Traffic by parsing the file written.
func (n *Nginx) Actual(ctx context.Context) (provider.Split, error) {
	data, err := os.ReadFile(n.File)
	if err != nil {
		return provider.Split{}, fmt.Errorf("nginx upstream: %w: %v", provider.ErrUnknown, err)
	}
	var s provider.Split
	var seen [2]bool
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		m := serverLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		w := 1 // nginx's default weight
		if m[2] != "" {
			w, _ = strconv.Atoi(m[2])
		}
		if m[3] != "" {
			w = 0
		}
		b, _ := strconv.Atoi(m[5])
		switch m[1] {
		case n.Blue:
			s.Blue, s.BlueBuild, seen[0] = w, b, true
		case n.Green:
			s.Green, s.GreenBuild, seen[1] = w, b, true
		}
	}
	if !seen[0] && !seen[1] {
		return provider.Split{}, fmt.Errorf("nginx upstream %s: %w: neither %s nor %s is in it", n.File, provider.ErrUnknown, n.Blue, n.Green)
	}
	// Weights are relative in nginx; report them as percentages.
	if total := s.Blue + s.Green; total > 0 && total != 100 {
		g := (s.Green*100 + total/2) / total
		s.Green, s.Blue = g, 100-g
	}
	return s, nil
}
