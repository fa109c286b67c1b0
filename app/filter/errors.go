package filter

import (
	"fmt"
	"unicode/utf8"
)

// Error is a filter or order_by string that could not be parsed or compiled. It says where the
// problem starts so that the caller can show it to the user as is.
type Error struct {
	// Input names what was being read: "filter", or "order_by[i]" for the i-th order_by entry.
	Input string
	// Pos is the byte offset in the input where the problem starts (0 is the first byte).
	Pos int
	// Near is the input text found at Pos, shortened; empty at the end of the input.
	Near string
	// Msg says what was wrong or what was expected.
	Msg string
}

// Error reads like: invalid filter at position 17 near "LIKEE": expected an operator (...).
func (e *Error) Error() string {
	if e.Near == "" {
		return fmt.Sprintf("invalid %s at position %d (end of input): %s", e.Input, e.Pos, e.Msg)
	}
	return fmt.Sprintf("invalid %s at position %d near %q: %s", e.Input, e.Pos, e.Near, e.Msg)
}

// maxNear bounds Error.Near so that a long unterminated string does not flood the message.
const maxNear = 32

// errorAt builds an *Error pointing at byte pos of src; near is the offending text, or all of
// the rest of src when near is empty.
func errorAt(input, src string, pos int, near string, format string, args ...any) *Error {
	if near == "" && pos < len(src) {
		near = src[pos:]
	}
	return &Error{Input: input, Pos: pos, Near: shorten(near), Msg: fmt.Sprintf(format, args...)}
}

// shorten cuts s to at most maxNear bytes on a rune boundary, marking the cut with "...".
func shorten(s string) string {
	if len(s) <= maxNear {
		return s
	}
	cut := maxNear
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
