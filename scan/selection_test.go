package scan

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
)

// fakePicker simulates a server accepting `accepts`, choosing by its own
// order (serverOrder) or the client's, and counts connections.
type fakePicker struct {
	accepts     []uint16
	serverOrder bool
	failAt      int // connection number that fails (0: never)
	conns       int
}

func (f *fakePicker) pick(_ context.Context, offer []uint16) (uint16, bool, error) {
	f.conns++
	if f.conns == f.failAt {
		return 0, false, errors.New("timeout")
	}
	if f.serverOrder {
		for _, a := range f.accepts {
			if slices.Contains(offer, a) {
				return a, false, nil
			}
		}
	} else {
		for _, o := range offer {
			if slices.Contains(f.accepts, o) {
				return o, false, nil
			}
		}
	}
	return 0, true, nil
}

func TestRepeatedSelection(t *testing.T) {
	base := []uint16{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	name := func(x uint16) string { return fmt.Sprint(x) }
	tests := []struct {
		name        string
		accepts     []uint16
		serverOrder bool
		failAt      int
		want        []uint16
		wantOrder   *bool
		wantConns   int
		wantErr     bool
	}{
		{"server order", []uint16{7, 2, 9}, true, 0, []uint16{7, 2, 9}, ptr(true), 4, false},
		// client order: reported in base order; one verification
		// connection tells it from a server whose order is the base order.
		{"client order", []uint16{7, 2, 9}, false, 0, []uint16{2, 7, 9}, ptr(false), 5, false},
		{"server order that differs from base order late", []uint16{2, 9, 7}, true, 0, []uint16{2, 9, 7}, ptr(true), 4, false},
		{"server order equal to base order", []uint16{2, 7, 9}, true, 0, []uint16{2, 7, 9}, ptr(true), 5, false},
		{"two, server order", []uint16{3, 8}, true, 0, []uint16{3, 8}, ptr(true), 4, false},
		{"two, client order", []uint16{8, 3}, false, 0, []uint16{3, 8}, ptr(false), 4, false},
		{"one", []uint16{5}, true, 0, []uint16{5}, nil, 2, false},
		{"none", nil, true, 0, nil, nil, 1, false},
		{"error after one", []uint16{7, 2, 9}, true, 2, []uint16{7}, nil, 2, true},
		{"client order, error in the check", []uint16{7, 2, 9}, false, 5, []uint16{2, 7, 9}, nil, 5, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakePicker{accepts: tt.accepts, serverOrder: tt.serverOrder, failAt: tt.failAt}
			sel := repeatedSelection(context.Background(), base, f.pick, name)
			if !slices.Equal(sel.accepted, tt.want) {
				t.Errorf("accepted %v, want %v", sel.accepted, tt.want)
			}
			if (sel.serverOrder == nil) != (tt.wantOrder == nil) || (sel.serverOrder != nil && *sel.serverOrder != *tt.wantOrder) {
				t.Errorf("serverOrder %v, want %v", deref(sel.serverOrder), deref(tt.wantOrder))
			}
			if f.conns != tt.wantConns {
				t.Errorf("%d connections, want %d", f.conns, tt.wantConns)
			}
			if (sel.err != nil) != tt.wantErr {
				t.Errorf("err %v, want error %v", sel.err, tt.wantErr)
			}
		})
	}
}

func ptr(b bool) *bool { return &b }

func deref(b *bool) string {
	if b == nil {
		return "nil"
	}
	return fmt.Sprint(*b)
}

// A carrier that answers the order check saves the selection its own check
// connection; one that is refused leaves it to the selection.
func TestOrderCheckCarried(t *testing.T) {
	base := []uint16{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	name := func(x uint16) string { return fmt.Sprint(x) }
	for _, tc := range []struct {
		name           string
		serverOrder    bool
		carrierRefused bool
		wantConns      int // of the selection
	}{
		{"client order, carried", false, false, 4},
		{"server order equal to base, carried", true, false, 4},
		{"carrier refused", false, true, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakePicker{accepts: []uint16{2, 7, 9}, serverOrder: tc.serverOrder}
			oc := newOrderCheck()
			carrierDone := make(chan struct{})
			took := make(chan struct{}) // the carrier has taken the pair
			go func() {
				defer close(carrierDone)
				carrier := &fakePicker{accepts: f.accepts, serverOrder: tc.serverOrder}
				answered := func(c uint16) (uint16, bool) { return c, c != 0 }
				carried(context.Background(), oc, nil, []uint16{1, 2, 3}, func(suites []uint16) uint16 {
					if len(suites) == 2 {
						close(took)
						if tc.carrierRefused {
							return 0
						}
					}
					c, _, _ := carrier.pick(context.Background(), suites)
					return c
				}, answered)
			}()
			// As on the network, the selection's connections after the
			// pair is known take longer than the carrier needs to take it.
			pick := func(ctx context.Context, offer []uint16) (uint16, bool, error) {
				if f.conns == 2 {
					<-took
				}
				return f.pick(ctx, offer)
			}
			sel := repeatedSelectionWith(context.Background(), base, pick, name, oc)
			<-carrierDone
			want := []uint16{2, 7, 9}
			if !slices.Equal(sel.accepted, want) || sel.serverOrder == nil || *sel.serverOrder != tc.serverOrder || sel.err != nil {
				t.Errorf("accepted %v server order %v err %v; want %v, %v", sel.accepted, deref(sel.serverOrder), sel.err, want, tc.serverOrder)
			}
			if f.conns != tc.wantConns {
				t.Errorf("the selection made %d connections, want %d", f.conns, tc.wantConns)
			}
		})
	}
}
