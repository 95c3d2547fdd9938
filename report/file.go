package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// WriteFileAtomic writes what write produces to path atomically: into a
// temporary file in the same directory, synced, then renamed over path, so
// a reader never sees a half-written report and a failure leaves any old
// file in place. The file gets mode 0644.
func WriteFileAtomic(path string, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = write(tmp); err != nil {
		return err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// fileWriter renders reports in one format into memory and writes the file
// atomically on Close.
type fileWriter struct {
	path string
	buf  bytes.Buffer
	w    Writer
}

// NewFileWriter returns a writer of format that writes path atomically on
// Close (e.g. the --html FILE report next to the normal output).
func NewFileWriter(format, path string, style Style) (Writer, error) {
	f := &fileWriter{path: path}
	w, err := NewWriter(format, &f.buf, style)
	if err != nil {
		return nil, err
	}
	f.w = w
	return f, nil
}

func (f *fileWriter) Write(r *Report) error { return f.w.Write(r) }

func (f *fileWriter) Close() error {
	if err := f.w.Close(); err != nil {
		return err
	}
	return WriteFileAtomic(f.path, func(w io.Writer) error { return writeAll(w, f.buf.Bytes()) })
}

// multiWriter writes every report to each writer.
type multiWriter []Writer

// Multi returns a Writer that writes to all ws; Close closes each and
// returns the first error.
func Multi(ws ...Writer) Writer { return multiWriter(ws) }

func (m multiWriter) Write(r *Report) error {
	var errs []error
	for _, w := range m {
		errs = append(errs, w.Write(r))
	}
	return errors.Join(errs...)
}

func (m multiWriter) Close() error {
	var first error
	for _, w := range m {
		if err := w.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
