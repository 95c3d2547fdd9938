package grade

// gradeLetters are the grade letters from best to worst: the scale A+ to F,
// then M (name mismatch) and T (trust), which replace a letter and rank
// below every letter of the scale. Every ordering of grades (gates, diffs,
// dashboards, metrics) goes through Rank.
var gradeLetters = [...]string{"A+", "A", "A-", "B", "C", "D", "E", "F", "M", "T"}

// inScale is the number of letters of the score scale (A+ to F).
const inScale = 8

// Rank is the position of letter from the best (A+ 0, F 7, M 8, T 9); ok
// is false for an unknown or empty letter.
func Rank(letter string) (rank int, ok bool) {
	for i, l := range gradeLetters {
		if l == letter {
			return i, true
		}
	}
	return -1, false
}

// InScale reports whether letter is on the score scale (A+ to F), as a
// grade floor must be.
func InScale(letter string) bool {
	r, ok := Rank(letter)
	return ok && r < inScale
}
