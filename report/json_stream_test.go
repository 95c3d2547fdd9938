package report

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestJSONStreamsEachReport: the json format writes each report as it
// arrives (memory does not grow with the batch), and the document is a
// valid array once closed, byte for byte what encoding the array at once
// gives.
func TestJSONStreamsEachReport(t *testing.T) {
	a, b := loadReport(t, "modern"), loadReport(t, "legacy")
	var out bytes.Buffer
	w, err := NewWriter("json", &out, Style{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(a); err != nil {
		t.Fatal(err)
	}
	first := out.Len()
	if first == 0 {
		t.Fatal("nothing written after the first report")
	}
	if err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if out.Len() <= first {
		t.Fatal("the second report was not written when it arrived")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want, err := marshal([]*Report{a, b}, "  ")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("streamed array differs from the array encoded at once")
	}
	var rs []Report
	if err := json.Unmarshal(out.Bytes(), &rs); err != nil || len(rs) != 2 {
		t.Errorf("not an array of two reports: %v", err)
	}
	out.Reset()
	w, _ = NewWriter("json", &out, Style{})
	w.Close()
	if out.String() != "[]\n" {
		t.Errorf("empty run: %q, want []", out.String())
	}
}

// BenchmarkJSONWriterMemory: the json writer's memory per report does not
// depend on how many reports came before.
func BenchmarkJSONWriterMemory(b *testing.B) {
	r := loadReport(b, "modern")
	w, _ := NewWriter("json", discard{}, Style{})
	b.ReportAllocs()
	for b.Loop() {
		w.Write(r)
	}
	w.Close()
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
