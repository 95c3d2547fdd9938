package grade

// Letter is a grade letter: the scale A+ to F, then M (name mismatch) and T
// (trust), which replace a letter and rank below every letter of the
// scale. In JSON it is the letter as a string.
type Letter string

// The grade letters.
const (
	APlus  Letter = "A+"
	A      Letter = "A"
	AMinus Letter = "A-"
	B      Letter = "B"
	C      Letter = "C"
	D      Letter = "D"
	E      Letter = "E"
	F      Letter = "F"
	M      Letter = "M" // the certificate does not match the name
	T      Letter = "T" // the certificate is not trusted
)

// gradeLetters are the grade letters from best to worst. Every ordering of
// grades (gates, diffs, dashboards, metrics) goes through Rank.
var gradeLetters = [...]Letter{APlus, A, AMinus, B, C, D, E, F, M, T}

// Letters lists the grade letters from best to worst.
func Letters() []Letter { return append([]Letter(nil), gradeLetters[:]...) }

// inScale is the number of letters of the score scale (A+ to F).
const inScale = 8

// Rank is the position of letter from the best (A+ 0, F 7, M 8, T 9); ok
// is false for an unknown or empty letter. It takes a Letter or a string
// read from a flag, a policy or a stored report.
func Rank[L ~string](letter L) (rank int, ok bool) {
	for i, l := range gradeLetters {
		if l == Letter(letter) {
			return i, true
		}
	}
	return -1, false
}

// InScale reports whether letter is on the score scale (A+ to F), as a
// grade floor must be.
func InScale[L ~string](letter L) bool {
	r, ok := Rank(letter)
	return ok && r < inScale
}
