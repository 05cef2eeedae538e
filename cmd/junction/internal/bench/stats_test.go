// Tests of the log-linear histogram: bucket layout, and percentiles on
// known distributions against exact order statistics.
package bench

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestBucketsTileTheRange(t *testing.T) {
	next := int64(0)
	for i := range numBuckets {
		low, width := bucketBounds(i)
		if low != next {
			t.Fatalf("bucket %d starts at %d, want %d", i, low, next)
		}
		if got := bucketIndex(low); got != i {
			t.Fatalf("bucketIndex(%d) = %d, want %d", low, got, i)
		}
		if got := bucketIndex(low + width - 1); got != i {
			t.Fatalf("bucketIndex(%d) = %d, want %d", low+width-1, got, i)
		}
		if i >= subCount && float64(width)/float64(low) > 1.0/subCount+1e-12 {
			t.Fatalf("bucket %d is %d wide at %d: coarser than 1/%d", i, width, low, subCount)
		}
		next = low + width
	}
	if next != 1<<maxExp {
		t.Fatalf("buckets end at %d, want %d", next, int64(1)<<maxExp)
	}
}

// exact is the ceil(q·n)-th smallest sample, the definition Quantile follows.
func exact(sorted []int64, q float64) int64 {
	r := int(math.Ceil(q * float64(len(sorted))))
	return sorted[max(1, min(r, len(sorted)))-1]
}

func TestQuantilesOnKnownDistributions(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	dists := map[string]func() int64{
		"uniform 1..1e6":        func() int64 { return 1 + rng.Int64N(1e6) },
		"exponential mean 50µs": func() int64 { return int64(rng.ExpFloat64() * 50e3) },
		"lognormal ~ms":         func() int64 { return int64(math.Exp(rng.NormFloat64()*1.5 + 14)) },
		"small exact":           func() int64 { return rng.Int64N(100) },
	}
	for name, gen := range dists {
		t.Run(name, func(t *testing.T) {
			h := newHistogram()
			samples := make([]int64, 200_000)
			var sum float64
			for i := range samples {
				samples[i] = gen()
				sum += float64(samples[i])
				h.Record(samples[i])
			}
			slices.Sort(samples)
			for _, q := range []float64{0.5, 0.9, 0.99, 0.999, 1} {
				want, got := exact(samples, q), h.Quantile(q)
				if diff := math.Abs(float64(got - want)); diff > 0.01*float64(want) && diff > 1 {
					t.Errorf("q%g = %d, want %d ±1%%", q, got, want)
				}
			}
			if h.Min() != samples[0] || h.Max() != samples[len(samples)-1] {
				t.Errorf("min/max = %d/%d, want %d/%d", h.Min(), h.Max(), samples[0], samples[len(samples)-1])
			}
			if m := sum / float64(len(samples)); math.Abs(h.Mean()-m) > 1e-6*m {
				t.Errorf("mean = %g, want %g", h.Mean(), m)
			}
		})
	}
}

func TestQuantileOfConstantIsExact(t *testing.T) {
	h := newHistogram()
	for range 1000 {
		h.Record(123_456)
	}
	for _, q := range []float64{0.01, 0.5, 0.999} {
		if got := h.Quantile(q); got != 123_456 {
			t.Errorf("q%g = %d, want 123456 (clamped to min/max)", q, got)
		}
	}
}

func TestMergeEqualsRecordingEverything(t *testing.T) {
	all, a, b := newHistogram(), newHistogram(), newHistogram()
	for i := range int64(10_000) {
		v := i * i
		all.Record(v)
		if i%3 == 0 {
			a.Record(v)
		} else {
			b.Record(v)
		}
	}
	a.Merge(b)
	a.Merge(newHistogram()) // empty: no effect on min
	for _, q := range []float64{0.1, 0.5, 0.99} {
		if a.Quantile(q) != all.Quantile(q) {
			t.Errorf("merged q%g = %d, want %d", q, a.Quantile(q), all.Quantile(q))
		}
	}
	if a.Count() != all.Count() || a.Min() != all.Min() || a.Max() != all.Max() {
		t.Errorf("merged count/min/max = %d/%d/%d, want %d/%d/%d", a.Count(), a.Min(), a.Max(), all.Count(), all.Min(), all.Max())
	}
}

func TestEmptyAndOutOfRange(t *testing.T) {
	h := newHistogram()
	if h.Quantile(0.5) != 0 || h.Summary() != nil || h.Bins(10) != nil {
		t.Fatal("an empty histogram reports data")
	}
	h.Record(-5)
	h.Record(math.MaxInt64)
	if h.Count() != 2 || h.Min() != 0 {
		t.Fatalf("count %d min %d, want 2 and 0", h.Count(), h.Min())
	}
}

func TestBinsKeepEverySample(t *testing.T) {
	h := newHistogram()
	for i := range int64(5000) {
		h.Record(1000 + i*37)
	}
	var n uint64
	bins := h.Bins(40)
	for i, b := range bins {
		n += b.Count
		if b.HighUS <= b.LowUS || (i > 0 && math.Abs(b.LowUS-bins[i-1].HighUS) > 1e-9*b.LowUS) {
			t.Fatalf("bin %d [%g,%g) does not follow the previous one", i, b.LowUS, b.HighUS)
		}
	}
	if n != h.Count() {
		t.Fatalf("bins hold %d samples, want %d", n, h.Count())
	}
}
