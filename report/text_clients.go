package report

import (
	"github.com/tlsaudit/tlsaudit/checks/grade"
)

// clientSimulations renders SSL Labs' "Handshake Simulation" table: what
// each simulated real client would negotiate, failures in red.
func (t *textRenderer) clientSimulations() {
	sims := t.o.ClientSimulations
	if len(sims) == 0 {
		return
	}
	title := "Handshake simulation"
	if g := t.r.Grade; g != nil && g.Semantics == grade.Negotiated {
		title += " (the grade judges RC4, 3DES, FS and AEAD by what the * reference clients negotiate)"
	}
	t.section(title)
	rows := make([][]string, 0, len(sims))
	for _, s := range sims {
		client := s.Client
		if s.Reference {
			client += " *"
		}
		if !s.OK {
			rows = append(rows, []string{client, t.st.paint(sgrRed, "fails: "+oneLine(s.Error)), "", "", ""})
			continue
		}
		group := s.Group
		if s.HelloRetry {
			group += " (HRR)"
		}
		fs := yesNo(s.ForwardSecrecy)
		if !s.ForwardSecrecy {
			fs = t.st.paint(sgrYellow, fs)
		}
		rows = append(rows, []string{client, s.Protocol, s.Suite, group, fs})
	}
	t.table([]string{"Client", "Protocol", "Suite", "Group", "Forward secrecy"}, rows)
}
