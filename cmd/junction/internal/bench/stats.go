// Latency histograms: fixed log-linear buckets in the style of HdrHistogram.
// Values below 2^subBits are counted exactly; above, every power of two is
// split into 2^subBits equal buckets, so a bucket is never wider than 1/128
// of its lower bound and a percentile read from a bucket's midpoint is within
// ±0.4% of the true sample. Memory is fixed (about 36 KiB), whatever the
// number of samples.
package bench

import (
	"math"
	"math/bits"
	"time"
)

const (
	subBits    = 7
	subCount   = 1 << subBits // buckets per power of two
	maxExp     = 42           // values are clamped below 2^42 ns (about 73 minutes)
	numBuckets = (maxExp - subBits + 1) * subCount
)

// Histogram counts non-negative durations in nanoseconds. The zero value is
// not usable; call newHistogram. It is not safe for concurrent use: each
// receiver owns one and they are merged after the run.
type Histogram struct {
	counts   []uint64
	total    uint64
	min, max int64
	sum      float64
}

func newHistogram() *Histogram {
	return &Histogram{counts: make([]uint64, numBuckets), min: math.MaxInt64}
}

// bucketIndex maps a value to its bucket.
func bucketIndex(v int64) int {
	if v < subCount {
		if v < 0 {
			return 0
		}
		return int(v)
	}
	if v >= 1<<maxExp {
		v = 1<<maxExp - 1
	}
	e := bits.Len64(uint64(v)) - 1 // v in [2^e, 2^(e+1))
	shift := e - subBits
	return (shift+1)*subCount + int(v>>shift) - subCount
}

// bucketBounds returns the lowest value of bucket i and its width.
func bucketBounds(i int) (low, width int64) {
	if i < subCount {
		return int64(i), 1
	}
	shift := i/subCount - 1
	sub := int64(i%subCount + subCount)
	return sub << shift, 1 << shift
}

// Record adds one sample. Negative values count as zero.
func (h *Histogram) Record(v int64) {
	if v < 0 {
		v = 0
	}
	h.counts[bucketIndex(v)]++
	h.total++
	h.sum += float64(v)
	h.min = min(h.min, v)
	h.max = max(h.max, v)
}

// Merge adds every sample of o to h.
func (h *Histogram) Merge(o *Histogram) {
	if o == nil || o.total == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.total += o.total
	h.sum += o.sum
	h.min = min(h.min, o.min)
	h.max = max(h.max, o.max)
}

// Count is the number of samples.
func (h *Histogram) Count() uint64 { return h.total }

// Min is the smallest sample, or 0 when empty.
func (h *Histogram) Min() int64 {
	if h.total == 0 {
		return 0
	}
	return h.min
}

// Max is the largest sample, or 0 when empty.
func (h *Histogram) Max() int64 { return h.max }

// Mean is the exact mean of the samples, or 0 when empty.
func (h *Histogram) Mean() float64 {
	if h.total == 0 {
		return 0
	}
	return h.sum / float64(h.total)
}

// Quantile returns the value at quantile q (0 < q ≤ 1): the midpoint of the
// bucket holding the ceil(q·n)-th smallest sample, clamped to [Min, Max].
// It returns 0 when empty.
func (h *Histogram) Quantile(q float64) int64 {
	if h.total == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.total)))
	rank = max(1, min(rank, h.total))
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			low, width := bucketBounds(i)
			v := low + (width-1)/2
			return max(h.min, min(v, h.max))
		}
	}
	return h.max
}

// histBin is one bar of a coarse histogram for reports.
type histBin struct {
	LowUS  float64 `json:"low_us"`
	HighUS float64 `json:"high_us"`
	Count  uint64  `json:"count"`
}

// Bins folds the fine buckets into n log-spaced bins from Min to Max,
// for drawing. It returns nil when empty.
func (h *Histogram) Bins(n int) []histBin {
	if h.total == 0 || n < 1 {
		return nil
	}
	lo, hi := float64(max(h.Min(), 1)), float64(max(h.max, 1))
	if hi <= lo {
		hi = lo * 1.01
	}
	ratio := math.Pow(hi/lo, 1/float64(n))
	out := make([]histBin, n)
	for i := range out {
		out[i].LowUS = lo * math.Pow(ratio, float64(i)) / 1e3
		out[i].HighUS = lo * math.Pow(ratio, float64(i+1)) / 1e3
	}
	for i, c := range h.counts {
		if c == 0 {
			continue
		}
		low, width := bucketBounds(i)
		mid := float64(low) + float64(width-1)/2
		j := 0
		if mid > lo {
			j = int(math.Log(mid/lo) / math.Log(ratio))
		}
		out[max(0, min(j, n-1))].Count += c
	}
	return out
}

// latencySummary is what a report shows of a histogram, in microseconds.
type latencySummary struct {
	Count  uint64  `json:"count"`
	MinUS  float64 `json:"min_us"`
	P50US  float64 `json:"p50_us"`
	P90US  float64 `json:"p90_us"`
	P99US  float64 `json:"p99_us"`
	P999US float64 `json:"p999_us"`
	MaxUS  float64 `json:"max_us"`
	MeanUS float64 `json:"mean_us"`
}

func us(ns int64) float64 { return float64(ns) / float64(time.Microsecond) }

// Summary returns the report view of h, or nil when h is empty.
func (h *Histogram) Summary() *latencySummary {
	if h.total == 0 {
		return nil
	}
	return &latencySummary{
		Count: h.total, MinUS: us(h.Min()), MaxUS: us(h.max), MeanUS: h.Mean() / 1e3,
		P50US: us(h.Quantile(0.50)), P90US: us(h.Quantile(0.90)),
		P99US: us(h.Quantile(0.99)), P999US: us(h.Quantile(0.999)),
	}
}
