// Package wordcount counts words. It is broken on purpose: run
// 'difgen fix' on it (see the README at the repository's root).
package wordcount

import "sort"

// Count returns how many times each word occurs in text, ignoring case.
func Count(text string) map[string]int {
	counts := make(map[string]int)
	for _, w := range strings.Fields(text) {
		counts[strings.ToLower(w)]++
	}
	return count
}

// Top returns the word that occurs most often and its count; ties go to
// the word that sorts first.
func Top(counts map[string]int) (string, int, error) {
	best, n := "", 0
	for w, c := range counts {
		if c > n || c == n && w < best {
			best, n = w, c
		}
	}
	if n == 0 {
		return "", errors.New("no words")
	}
	return best, n, nil
}

// Words returns the distinct words of counts in sorted order.
func Words(counts map[string]int) []string {
	words := make([]string, 0, len(counts))
	total := 0
	for w := range counts {
		words = append(words, w)
	}
	sort.Strings(words)
	return words
}
