package report

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.html")
	if err := WriteFileAtomic(path, func(w io.Writer) error { _, err := io.WriteString(w, "one"); return err }); err != nil {
		t.Fatal(err)
	}
	// A failing writer leaves the old file as it was and no temporary file.
	boom := errors.New("boom")
	err := WriteFileAtomic(path, func(w io.Writer) error { _, _ = io.WriteString(w, "half"); return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("error %v, want boom", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "one" {
		t.Errorf("file holds %q after a failed write, want the old content", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d entries in the directory, want 1 (temporary file left behind)", len(entries))
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, %v", st.Mode(), err)
	}
	if err := WriteFileAtomic(filepath.Join(dir, "no", "such", "dir.html"), func(io.Writer) error { return nil }); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}

func TestFileWriterAndMulti(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "all.csv")
	fw, err := NewFileWriter("csv", path, Style{})
	if err != nil {
		t.Fatal(err)
	}
	var quiet []byte
	qw, _ := NewWriter("quiet", writerFunc(func(p []byte) (int, error) { quiet = append(quiet, p...); return len(p), nil }), Style{})
	w := Multi(qw, fw)
	r := loadReport(t, "modern")
	if err := w.Write(r); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the file exists before Close: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || len(b) == 0 {
		t.Fatalf("file: %v", err)
	}
	if string(quiet) != "modern.test:8443 A+ ok\n" {
		t.Errorf("the other writer got %q", quiet)
	}
	if _, err := NewFileWriter("nope", path, Style{}); err == nil {
		t.Error("unknown format accepted")
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
