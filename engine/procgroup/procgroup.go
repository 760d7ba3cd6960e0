package procgroup

import (
	"bufio"
	"errors"
	"io"
	"os"
	"time"
)

// Sentinel errors callers branch on.
var (
	// ErrTimeout: the command ran longer than Cmd.Timeout and its group was
	// killed.
	ErrTimeout = errors.New("timed out")
	// ErrUnsupported: process groups are not available on this platform.
	ErrUnsupported = errors.New("process groups are not supported on this platform")
)

// MaxLine is the longest line handed to Cmd.Output; longer lines are split.
const MaxLine = 64 << 10

// DefaultGrace is how long a group has between SIGTERM and SIGKILL when
// Cmd.Grace is zero.
const DefaultGrace = 2 * time.Second

// Cmd is a command to run.
type Cmd struct {
	// Argv is the program and its arguments; the program is looked up in
	// PATH when it has no slash. Never a shell string.
	Argv []string
	// Dir is the working folder; "" is the current one.
	Dir string
	// Env is the whole environment of the command; nil inherits this
	// process's environment.
	Env []string
	// Stdin is the command's standard input; nil is empty input.
	Stdin io.Reader
	// Timeout ends the command after this long; 0 means no limit beyond ctx.
	Timeout time.Duration
	// Grace is how long the group has to exit after SIGTERM before SIGKILL;
	// 0 means DefaultGrace, a negative value SIGKILL at once.
	Grace time.Duration
	// Output receives each line of standard output and standard error; nil
	// discards them. It is not used when Stdout is set.
	Output func(line string)
	// Stdout, when not nil, is the file standard output and standard error
	// go to, as they are written, instead of Output. It is handed to the
	// command itself: the output does not pass through this process and
	// keeps flowing if this process dies.
	Stdout *os.File
	// Started, when not nil, is called with the process group's id once the
	// group exists, before Run waits for the command (and before Timeout
	// starts to run), so that the caller can record the id: a later
	// process can then end a group this one left behind (see KillGroup).
	// When Started returns an error the group is ended as on timeout and
	// Run returns -1 and that error, as it is.
	Started func(pgid int) error
}

// Validate reports a Cmd that cannot be run.
func (c Cmd) Validate() error {
	if len(c.Argv) == 0 || c.Argv[0] == "" {
		return errors.New("procgroup: empty command")
	}
	if c.Timeout < 0 {
		return errors.New("procgroup: negative timeout")
	}
	return nil
}

func (c Cmd) grace() time.Duration {
	switch {
	case c.Grace == 0:
		return DefaultGrace
	case c.Grace < 0:
		return 0
	}
	return c.Grace
}

// readLines hands r's lines to out until r ends.
func readLines(r io.Reader, out func(string)) {
	br := bufio.NewReaderSize(r, MaxLine)
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			s := string(line)
			if s[len(s)-1] == '\n' {
				s = s[:len(s)-1]
			}
			if out != nil {
				out(s)
			}
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return
		}
	}
}
