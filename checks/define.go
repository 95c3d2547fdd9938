package checks

import (
	"runtime"
	"strings"

	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// EvalFunc is the body of a check: it returns the check's findings for o.
type EvalFunc func(o *obs.Observation, env Env) []Finding

// AppliesFunc reports whether a check can say anything about o; when it
// cannot, reason says why (it becomes the Detail of a not_applicable finding).
type AppliesFunc func(o *obs.Observation) (ok bool, reason string)

// FuncCheck is a Check built from metadata and functions. Declare one with New:
//
//	func init() {
//		register(checks.New(checks.Meta{ID: checks.IDProtoSSLv3Enabled, ...}, eval).
//			When(checks.ScanCompleted))
//	}
//
// where register adds it to its category's List (see checks/all).
type FuncCheck struct {
	meta    Meta
	eval    EvalFunc
	applies AppliesFunc
	pkg     string
	file    string
}

// New returns a check with meta and body fn: every check is built this way.
// An empty meta.Category is filled from the ID prefix (see CategoryOf). The
// package and file calling New are recorded (Package, File) so tests can
// verify that the ID prefix is the directory and the file is named after
// the ID.
func New(meta Meta, fn EvalFunc) *FuncCheck {
	if meta.Category == "" {
		meta.Category = CategoryOf(meta.ID)
	}
	c := &FuncCheck{meta: meta, eval: fn}
	if pc, file, _, ok := runtime.Caller(1); ok {
		c.file = file
		if f := runtime.FuncForPC(pc); f != nil {
			c.pkg = funcPackage(f.Name())
		}
	}
	return c
}

// When sets the applicability test run by the framework before Evaluate.
func (c *FuncCheck) When(fn AppliesFunc) *FuncCheck {
	c.applies = fn
	return c
}

// Meta implements Check.
func (c *FuncCheck) Meta() Meta { return c.meta }

// Evaluate implements Check.
func (c *FuncCheck) Evaluate(o *obs.Observation, env Env) []Finding { return c.eval(o, env) }

// Applies implements Applier.
func (c *FuncCheck) Applies(o *obs.Observation) (bool, string) {
	if c.applies == nil {
		return true, ""
	}
	return c.applies(o)
}

// Package is the import path of the package that declared the check.
func (c *FuncCheck) Package() string { return c.pkg }

// File is the path of the source file that declared the check.
func (c *FuncCheck) File() string { return c.file }

// funcPackage extracts the import path from a runtime function name such as
// "github.com/x/y/checks/proto.init.0".
func funcPackage(name string) string {
	slash := strings.LastIndex(name, "/")
	if dot := strings.Index(name[slash+1:], "."); dot >= 0 {
		return name[:slash+1+dot]
	}
	return name
}

// categoryNames maps an ID prefix to the Category it reports; prefixes not
// listed are their own category.
var categoryNames = map[string]string{"proto": "protocol"}

// CategoryOf returns the category of a check ID: the prefix before the dot,
// with "proto" spelled "protocol" (the Meta.Category vocabulary).
func CategoryOf(id string) string {
	prefix, _, _ := strings.Cut(id, ".")
	if c, ok := categoryNames[prefix]; ok {
		return c
	}
	return prefix
}

// ScanCompleted is an AppliesFunc: the scan reached the server and spoke TLS
// (status ok). Checks of server behaviour use it.
func ScanCompleted(o *obs.Observation) (bool, string) {
	if o.Status != obs.StatusOK {
		why := "scan did not complete (status " + string(o.Status) + ")"
		if o.Error != "" {
			why += ": " + o.Error
		}
		return false, why
	}
	return true, ""
}

// Pass is a finding saying the problem was looked for and is absent.
func Pass(detail string) Finding { return Finding{Status: StatusPass, Detail: detail} }

// Fail is a finding saying the problem is present; subject may be empty.
func Fail(subject, detail string) Finding {
	return Finding{Status: StatusFail, Subject: subject, Detail: detail}
}

// NotApplicable is a finding saying the check has nothing to judge.
func NotApplicable(detail string) Finding {
	return Finding{Status: StatusNotApplicable, Detail: detail}
}

// Inconclusive is a finding saying the data the check needs is missing or
// errored, so neither pass nor fail can be said.
func Inconclusive(detail string) Finding {
	return Finding{Status: StatusInconclusive, Detail: detail}
}

// One wraps a single finding into the slice a check returns.
func One(f Finding) []Finding { return []Finding{f} }
