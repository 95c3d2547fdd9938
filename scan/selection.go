package scan

import (
	"context"
	"fmt"
	"slices"
)

// pickFunc offers items (in that order) on one connection and returns the
// one the server chose, or refused=true when it chose none of them.
type pickFunc func(ctx context.Context, offer []uint16) (chosen uint16, refused bool, err error)

// selection is the outcome of repeated selection.
type selection struct {
	// accepted items: in the server's preference order when serverOrder is
	// true, otherwise in the order of the base list.
	accepted []uint16
	// serverOrder is nil when it could not be told (fewer than two items).
	serverOrder *bool
	// err is set when the enumeration stopped on an error; accepted then
	// holds what was found before it.
	err error
}

// repeatedSelection enumerates the items of base a server accepts: offer all,
// remove the one chosen, repeat until the server refuses. It costs one
// connection per accepted item plus the final refusal.
//
// Every offer lists the remaining items in base order, so a server that
// follows the client's order picks them in base order; a choice that is not
// the first acceptable item of its offer proves the server enforces its own
// order, at no extra cost. Only when every choice is also what a client-order
// server would have made does one more connection (the first two found,
// swapped) decide. (Offers are not reversed or shuffled: servers such as
// crypto/tls or OpenSSL with PrioritizeChaCha switch their own order on the
// client's first suite, and a changing first suite would mix two orders.)
func repeatedSelection(ctx context.Context, base []uint16, pick pickFunc, name func(uint16) string) selection {
	return repeatedSelectionWith(ctx, base, pick, name, nil)
}

// repeatedSelectionWith is repeatedSelection whose order check may be carried
// by another sequence's connection (see orderCheck); oc nil: it never is.
func repeatedSelectionWith(ctx context.Context, base []uint16, pick pickFunc, name func(uint16) string, oc *orderCheck) selection {
	return selectChain(ctx, base, pick, name, oc, true)
}

// selectChain is repeatedSelectionWith; without wantOrder it makes no
// order check, for a caller that keeps only the items: serverOrder is then
// known only when the picks show the server's order, and accepted is the
// same list either way (picks a client-order server could have made are
// in base order).
func selectChain(ctx context.Context, base []uint16, pick pickFunc, name func(uint16) string, oc *orderCheck, wantOrder bool) selection {
	defer oc.end() // carriers stop waiting for a pair once the selection is over
	var res selection
	remaining := slices.Clone(base)
	var offers [][]uint16
	for len(remaining) > 0 {
		offer := slices.Clone(remaining)
		c, refused, err := pick(ctx, offer)
		if err != nil {
			res.err = err
			break
		}
		if refused {
			break
		}
		i := slices.Index(remaining, c)
		if i < 0 {
			res.err = fmt.Errorf("server chose %s, which was not offered", name(c))
			break
		}
		res.accepted = append(res.accepted, c)
		if len(res.accepted) == 2 {
			oc.publish(res.accepted[0], res.accepted[1])
		}
		offers = append(offers, offer)
		remaining = slices.Delete(remaining, i, i+1)
	}
	if len(res.accepted) < 2 {
		return res
	}
	clientOrder := true
	for i, off := range offers {
		if firstAccepted(off, res.accepted) != res.accepted[i] {
			clientOrder = false
			break
		}
	}
	if clientOrder && (res.err != nil || !wantOrder) {
		sortByBase(res.accepted, base) // order unknown
		return res
	}
	if clientOrder {
		c, refused, err := checkOrder(ctx, pick, oc, res.accepted[0], res.accepted[1])
		switch {
		case err != nil:
			res.err = fmt.Errorf("order check: %w", err)
		case refused:
			res.err = fmt.Errorf("order check: server refused %s and %s offered together after accepting each", name(res.accepted[1]), name(res.accepted[0]))
		default:
			clientOrder = c == res.accepted[1]
		}
		if err != nil || refused {
			sortByBase(res.accepted, base)
			return res
		}
	}
	so := !clientOrder
	res.serverOrder = &so
	if clientOrder {
		sortByBase(res.accepted, base)
	}
	return res
}

func firstAccepted(offer, accepted []uint16) uint16 {
	for _, x := range offer {
		if slices.Contains(accepted, x) {
			return x
		}
	}
	return 0
}

func sortByBase(items, base []uint16) {
	slices.SortFunc(items, func(a, b uint16) int { return slices.Index(base, a) - slices.Index(base, b) })
}

// checkOrder offers the first two items found, swapped, and returns the
// server's pick: the answer a carrier connection already got (see
// orderCheck), or that of a connection of its own.
func checkOrder(ctx context.Context, pick pickFunc, oc *orderCheck, first, second uint16) (uint16, bool, error) {
	if oc != nil {
		oc.publish(first, second)
		chosen, ok, mine := oc.result(ctx)
		if ok {
			return chosen, false, nil
		}
		if !mine {
			return 0, false, ctx.Err()
		}
		c, refused, err := pick(ctx, []uint16{second, first})
		oc.settle(c, err == nil && !refused)
		return c, refused, err
	}
	return pick(ctx, []uint16{second, first})
}
