package monitor

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"strings"
	"time"
)

// maxWatchFile caps the watch file.
const maxWatchFile = 4 << 20

// watcher notices changes of the watch file by polling: a stat every poll,
// a read when size or time changed. New content is applied once two polls
// in a row read it (a file being rewritten, truncated then written, is
// never taken half-way). Polling (not inotify) also sees a file
// replaced through a symlink swap, as Kubernetes updates a mounted
// ConfigMap, and works on every file system.
type watcher struct {
	path    string
	size    int64
	mtime   time.Time
	sum     [32]byte
	pending [32]byte // new content seen once, applied when seen again
	loaded  bool
	lastErr string
}

// changed returns the targets when the file changed since the last call.
func (w *watcher) changed() ([]string, bool, error) {
	st, err := os.Stat(w.path)
	if err != nil {
		return nil, false, err
	}
	if w.loaded && st.Size() == w.size && st.ModTime().Equal(w.mtime) {
		return nil, false, nil
	}
	if st.Size() > maxWatchFile {
		return nil, false, fmt.Errorf("larger than %d MiB", maxWatchFile>>20)
	}
	data, err := os.ReadFile(w.path)
	if err != nil {
		return nil, false, err
	}
	w.size, w.mtime = st.Size(), st.ModTime()
	sum := sha256.Sum256(data)
	if w.loaded && sum == w.sum {
		return nil, false, nil
	}
	if w.loaded && sum != w.pending {
		w.pending = sum
		w.size = -1 // read again at the next poll
		return nil, false, nil
	}
	targets, err := ParseTargets(data)
	if err != nil {
		return nil, false, err
	}
	w.sum, w.loaded = sum, true
	return targets, true, nil
}

// ParseTargets reads a watch file: one target a line; blank lines and
// text after "#" are ignored; duplicates are dropped.
func ParseTargets(data []byte) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 4096), 64<<10)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if err := ValidTarget(line); err != nil {
			return nil, fmt.Errorf("line %d: %v", n, err)
		}
		if !seen[line] {
			seen[line] = true
			out = append(out, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// syncWatch applies a changed watch file: new targets are added, targets
// the file no longer lists are removed unless added on the dashboard. A
// file that cannot be read or parsed keeps the current set (logged once).
func (m *Monitor) syncWatch(w *watcher) {
	targets, changed, err := w.changed()
	if err != nil {
		if msg := err.Error(); msg != w.lastErr {
			w.lastErr = msg
			m.cfg.Logf("monitor: %s: %v (keeping %d hosts)", w.path, err, len(m.Hosts()))
		}
		return
	}
	w.lastErr = ""
	if !changed {
		return
	}
	m.apply(targets)
	m.cfg.Logf("monitor: %s: %d targets", w.path, len(targets))
}

// apply makes the file's hosts the targets listed.
func (m *Monitor) apply(targets []string) {
	want := map[string]bool{}
	for _, t := range targets {
		want[t] = true
		m.add(t, SourceFile)
	}
	m.mu.Lock()
	for t, h := range m.hosts {
		if h.Source == SourceFile && !want[t] {
			delete(m.hosts, t)
		}
	}
	m.mu.Unlock()
}
