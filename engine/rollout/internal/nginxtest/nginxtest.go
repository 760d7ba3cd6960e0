// Package nginxtest starts a real nginx on loopback for tests: a master in
// the foreground of a subprocess, its pid file, logs and temporary files in
// the test's folder, proxying to an upstream file the test (or the nginx
// traffic driver) writes.
//
// The master and its workers run in a process group of their own. When the
// test ends the group is asked to quit gracefully (SIGQUIT), given a few
// seconds, then killed (SIGKILL): killing only the master would leave its
// workers running, adopted by init.
package nginxtest

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// Server is a running nginx.
type Server struct {
	Bin    string   // the nginx binary
	Conf   string   // its main configuration
	Prefix string   // its prefix folder
	URL    string   // http://127.0.0.1:port/
	Test   []string // argv checking the configuration
	Reload []string // argv reloading it
}

// Find returns the nginx binary, or skips the test with a message saying
// how to get it.
func Find(t testing.TB) string {
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/nginx"); err == nil {
		return "/usr/sbin/nginx"
	}
	if os.Getenv("CI") != "" {
		t.Fatal("nginx not installed: CI must run the real-server tests (.ci/deps.sh installs it)")
	}
	t.Skip("nginx not installed (.ci/deps.sh installs it): skipping the real nginx test")
	return ""
}

// Start starts nginx proxying / to the upstream "app" defined in the file
// upstream, which must already exist. nginx is stopped when the test ends.
func Start(t testing.TB, upstream string) *Server {
	t.Helper()
	bin := Find(t)
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s := &Server{Bin: bin, Conf: filepath.Join(dir, "nginx.conf"), Prefix: dir, URL: fmt.Sprintf("http://127.0.0.1:%d/", port)}
	conf := fmt.Sprintf(`daemon off;
master_process on;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
worker_processes 1;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    include %[2]s;
    server {
        listen 127.0.0.1:%[3]d;
        location / { proxy_pass http://app; proxy_next_upstream error timeout; }
    }
}
`, dir, upstream, port)
	if err := os.WriteFile(s.Conf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	s.Test = []string{bin, "-t", "-q", "-c", s.Conf, "-p", dir}
	s.Reload = []string{bin, "-s", "reload", "-c", s.Conf, "-p", dir}
	cmd := exec.Command(bin, "-c", s.Conf, "-p", dir)
	log, err := os.Create(filepath.Join(dir, "stderr.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop(t, cmd)
		log.Close()
	})
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := client.Get(s.URL)
		if err == nil {
			resp.Body.Close()
			return s
		}
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx did not answer on %s: %v\n%s", s.URL, err, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop ends the nginx started by cmd and every worker of its group: SIGQUIT
// (finish requests, then exit), SIGTERM after a while, SIGKILL last. It
// returns once the master is reaped and the group is empty.
func stop(t testing.TB, cmd *exec.Cmd) {
	pgid := cmd.Process.Pid
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	for _, sig := range []syscall.Signal{syscall.SIGQUIT, syscall.SIGTERM, syscall.SIGKILL} {
		_ = syscall.Kill(-pgid, sig)
		if waitGroup(pgid, done, 5*time.Second) {
			return
		}
	}
	t.Errorf("nginx (process group %d) still running after SIGKILL", pgid)
}

// waitGroup waits until the master has exited and no process is left in
// group pgid, for at most d.
func waitGroup(pgid int, master <-chan struct{}, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		select {
		case <-master:
			// Signal 0 probes the group: ESRCH once its last member is gone.
			if err := syscall.Kill(-pgid, 0); err == syscall.ESRCH {
				return true
			}
		default:
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}
