package report

import (
	"github.com/tlsaudit/tlsaudit/checks/grade"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// clientErrorWidth is the width a failed simulation's reason is wrapped at
// (about the longest suite name).
const clientErrorWidth = 38

// clientSimulations renders SSL Labs' "Handshake Simulation" table: what
// each simulated real client would negotiate, failures in red.
func (t *textRenderer) clientSimulations() {
	sims := t.o.ClientSimulations
	if len(sims) == 0 {
		return
	}
	t.section("Handshake simulation")
	if g := t.r.Grade; g != nil && g.Semantics == grade.Negotiated {
		t.b.WriteString("  the grade judges RC4, 3DES, FS and AEAD by what the * reference clients negotiate\n")
	}
	rows := make([][]string, 0, len(sims))
	synthesised := false
	for _, s := range sims {
		client := s.Client
		if s.Origin == obs.OriginSynthesised {
			client += " †"
			synthesised = true
		}
		if s.Reference {
			client += " *"
		}
		if !s.OK {
			// The reason goes under Suite, wrapped, so that the Protocol
			// column stays narrow.
			rows = append(rows, []string{client, t.st.paint(sgrRed, "fails"), wrap(oneLine(s.Error), clientErrorWidth), "", ""})
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
	// FS: forward secrecy, as in SSL Labs' table; the client names wrap.
	t.tableFit([]string{"Client", "Protocol", "Suite", "Group", "FS"}, rows, 0)
	if synthesised {
		t.b.WriteString("  † synthesised from published capabilities (vendor documentation, SSL Labs' client pages), not a captured ClientHello\n")
	}
}
