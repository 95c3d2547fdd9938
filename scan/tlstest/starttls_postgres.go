//go:build linux

package tlstest

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// PostgresOptions configure a PostgreSQL server. The zero value serves an
// RSA-2048 chain for DefaultName with ssl = on.
type PostgresOptions struct {
	// Name is the DNS name of the generated certificate (default DefaultName).
	Name string
	// Leaf is served (default: an RSA-2048 leaf for Name from SharedPKI()).
	Leaf *Leaf
	// SSLOff starts the server with ssl = off: it answers 'N' to SSLRequest.
	SSLOff bool
	// Extra lines for postgresql.conf, e.g. "ssl_min_protocol_version = 'TLSv1.3'".
	Extra []string
}

// postgresBinDir finds the directory of initdb and postgres (Debian keeps
// them in /usr/lib/postgresql/VERSION/bin, the newest is used).
func postgresBinDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgVersion(dirs[i]) > pgVersion(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "postgres")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", fmt.Errorf("postgresql not installed (no /usr/lib/postgresql/*/bin/postgres): apt-get install postgresql")
}

func pgVersion(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// StartPostgres initialises a database cluster in a temporary directory and
// runs postgres on a free port of 127.0.0.1 (unix socket in the directory,
// trust authentication, no fsync) with ssl = on and the certificate from
// the PKI. initdb refuses to run as root, so as root the cluster belongs to
// the "postgres" user and both commands run through runuser. Close stops the
// server and removes the directory.
func StartPostgres(opts PostgresOptions) (*Server, error) {
	binDir, err := postgresBinDir()
	if err != nil {
		return nil, err
	}
	if opts.Name == "" {
		opts.Name = DefaultName
	}
	var leaves []*Leaf
	if opts.Leaf != nil {
		leaves = []*Leaf{opts.Leaf}
	}
	leaves, pki, err := prepareLeaves(opts.Name, leaves)
	if err != nil {
		return nil, err
	}
	run, chown, err := postgresRunner()
	if err != nil {
		return nil, err
	}
	return launchServer("postgres", "database system is ready to accept connections", opts.Name, pki, leaves, func(dir string) (func(int) (*process, error), error) {
		if err := chown(dir); err != nil {
			return nil, err
		}
		data := filepath.Join(dir, "data")
		cmd := exec.Command(run[0], append(run[1:], filepath.Join(binDir, "initdb"), "-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale", "C")...)
		cmd.Env = append(os.Environ(), "LC_ALL=C")
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("initdb: %v: %s", err, strings.TrimSpace(string(out)))
		}
		cert, key := filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")
		keyPEM, err := leaves[0].KeyPEM()
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(cert, leaves[0].FullChainPEM(), 0o644); err != nil {
			return nil, err
		}
		if err := os.WriteFile(key, keyPEM, 0o600); err != nil {
			return nil, err
		}
		for _, f := range []string{cert, key} {
			if err := chown(f); err != nil {
				return nil, err
			}
		}
		ssl := "on"
		if opts.SSLOff {
			ssl = "off"
		}
		conf := append([]string{
			"listen_addresses = '127.0.0.1'",
			"unix_socket_directories = '" + dir + "'",
			"ssl = " + ssl,
			"ssl_cert_file = '" + cert + "'",
			"ssl_key_file = '" + key + "'",
			"fsync = off",
			"max_connections = 50",
			"log_min_messages = warning",
			"log_connections = off",
		}, opts.Extra...)
		f, err := os.OpenFile(filepath.Join(data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			return nil, err
		}
		_, err = f.WriteString("\n# tlstest\n" + strings.Join(conf, "\n") + "\n")
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, err
		}
		return func(port int) (*process, error) {
			args := append(run[1:], filepath.Join(binDir, "postgres"), "-D", data, "-p", strconv.Itoa(port))
			return startProcess(dir, run[0], args...)
		}, nil
	})
}

// postgresRunner returns the command prefix that runs a PostgreSQL program
// as a non-root user, and a function giving that user a file.
func postgresRunner() (prefix []string, chown func(string) error, err error) {
	if os.Geteuid() != 0 {
		return []string{"/usr/bin/env"}, func(string) error { return nil }, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, nil, fmt.Errorf("running as root needs the postgres user (created by apt-get install postgresql): %v", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	runuser, err := findBinary("runuser", "util-linux")
	if err != nil {
		return nil, nil, err
	}
	return []string{runuser, "-u", "postgres", "--"}, func(p string) error { return os.Chown(p, uid, gid) }, nil
}

// StartPostgresT is StartPostgres for tests: it fails t (e.g. when
// PostgreSQL is not installed) and stops the server in t.Cleanup.
func StartPostgresT(t testing.TB, opts PostgresOptions) *Server {
	t.Helper()
	srv, err := StartPostgres(opts)
	return cleanupT(t, "StartPostgres", srv, err)
}
