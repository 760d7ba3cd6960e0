package release

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestHelperLock holds the lock of RELEASE_LOCK_PATH in a second process
// until its stdin closes.
func TestHelperLock(t *testing.T) {
	path := os.Getenv("RELEASE_LOCK_PATH")
	if path == "" {
		t.Skip("helper process only")
	}
	unlock, err := Lock(path)
	if err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("locked\n")
	buf := make([]byte, 1)
	os.Stdin.Read(buf)
	unlock()
}

func TestLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "locks", "prod.lock")
	unlock, err := Lock(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Lock(path); !errors.Is(err, ErrBusy) {
		t.Errorf("second Lock = %v; want ErrBusy", err)
	}
	unlock()
	unlock2, err := Lock(path)
	if err != nil {
		t.Fatalf("Lock after unlock = %v", err)
	}
	unlock2()

	// Another process holds it; when that process is killed the lock goes.
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperLock$", "-test.count=1")
	cmd.Env = append(os.Environ(), "RELEASE_LOCK_PATH="+path)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 7)
	if _, err := stdout.Read(buf); err != nil || string(buf) != "locked\n" {
		t.Fatalf("helper said %q, %v", buf, err)
	}
	if _, err := Lock(path); !errors.Is(err, ErrBusy) {
		t.Errorf("Lock held by another process = %v; want ErrBusy", err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	stdin.Close()
	unlock3, err := Lock(path)
	if err != nil {
		t.Fatalf("Lock after the holder died = %v", err)
	}
	unlock3()
}
