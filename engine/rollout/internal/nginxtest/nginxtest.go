// Package nginxtest starts a real nginx on loopback for tests: a master in
// the foreground of a subprocess, its pid file, logs and temporary files in
// the test's folder, proxying to an upstream file the test (or the nginx
// traffic driver) writes.
package nginxtest

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
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
	t.Skip("nginx not installed (scripts/deps.sh installs it): skipping the real nginx test")
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
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
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
