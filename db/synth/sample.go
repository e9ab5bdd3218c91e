package synth

import (
	"math"
	"math/rand/v2"
)

// weighted draws indices in proportion to fixed weights: a cumulative table
// searched by bisection, so a draw costs O(log n) whatever the skew.
type weighted struct {
	cum []float64
}

func newWeighted(weights []float64) weighted {
	cum := make([]float64, len(weights))
	sum := 0.0
	for i, w := range weights {
		sum += w
		cum[i] = sum
	}
	return weighted{cum: cum}
}

// draw returns an index i with probability weights[i] / sum(weights).
func (s weighted) draw(r *rand.Rand) int {
	u := r.Float64() * s.cum[len(s.cum)-1]
	lo, hi := 0, len(s.cum)-1
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if s.cum[mid] > u {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// zipf is the weight of the rank-th most active item (rank from 0) under a
// power law with exponent s: weight ∝ 1/(rank+1)^s.
func zipf(rank int, s float64) float64 {
	return math.Pow(float64(rank+1), -s)
}

// choice is a value with a relative weight, for small fixed distributions.
type choice[T any] struct {
	v T
	w float64
}

// table is a small categorical distribution over values of T.
type table[T any] struct {
	vals []T
	w    weighted
}

func newTable[T any](cs ...choice[T]) table[T] {
	t := table[T]{vals: make([]T, len(cs))}
	ws := make([]float64, len(cs))
	for i, c := range cs {
		t.vals[i], ws[i] = c.v, c.w
	}
	t.w = newWeighted(ws)
	return t
}

func (t table[T]) draw(r *rand.Rand) T { return t.vals[t.w.draw(r)] }

// chance reports true with probability p.
func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// between returns a whole number in [lo, hi].
func between(r *rand.Rand, lo, hi int) int { return lo + r.IntN(hi-lo+1) }

// pick returns one element of xs.
func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// logNormalInt is a skewed whole number: most values small, a long tail,
// capped at max.
func logNormalInt(r *rand.Rand, mu, sigma float64, max int) int {
	v := math.Exp(mu + sigma*r.NormFloat64())
	if v > float64(max) {
		return max
	}
	return int(v)
}
