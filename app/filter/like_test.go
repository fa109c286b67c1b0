package filter

import "testing"

func TestLikeTranslation(t *testing.T) {
	tests := []struct {
		like, glob, escaped string
	}{
		{"abc", "abc", "abc"},
		{"%a_c%", "*a?c*", "%a_c%"},
		{`100\%`, "100%", `100\%`},
		{`a\_b`, "a_b", `a\_b`},
		{`a\\b`, `a\b`, `a\\b`},
		{`trailing\`, `trailing\`, `trailing\\`},
		{`\x`, "x", "x"},
		{"x*y?[z]", "x[*]y[?][[]z]", "x*y?[z]"},
		{"é_%", "é?*", "é_%"},
		{"", "", ""},
	}
	for _, tc := range tests {
		if got := likeToGlob(tc.like); got != tc.glob {
			t.Errorf("likeToGlob(%q) = %q, want %q", tc.like, got, tc.glob)
		}
		if got := likeToEscaped(tc.like); got != tc.escaped {
			t.Errorf("likeToEscaped(%q) = %q, want %q", tc.like, got, tc.escaped)
		}
	}
}
