package whippyware_test

import (
	"runtime"
	"slices"
	"testing"
	"time"
)

// BenchmarkPaired times the SDK against the lean and plain clients on a noisy, shared
// machine, where separate benchmarks run seconds apart see different loads. Each
// iteration of the loop is one round: the three clients each run one batch of the same
// call against one shared fake, in an order rotated from round to round, with a
// runtime.GC before each batch so that no client pays for another's garbage. A round
// gives the ratios sdk÷lean and sdk÷plain of the time per call; the benchmark reports
// their median, quartiles, minimum and maximum over all rounds (as sdk/lean, sdk/lean-q1
// ..., under 1 the SDK is faster), and each client's median ns per call.
//
// A batch is as many calls as take the SDK about 20 ms, counted once before the rounds.
// Run it with a fixed number of rounds: -benchtime 100x. Allocations come from the
// separate benchmarks (-benchmem), not from here: the loop mixes the three clients.
func BenchmarkPaired(b *testing.B) {
	for _, call := range benchCalls {
		for _, transport := range benchTransports {
			b.Run(call.name+"/"+transport, func(b *testing.B) { benchPaired(b, call, transport) })
		}
	}
}

func benchPaired(b *testing.B, call benchCall, transport string) {
	e := call.env(b, transport)
	for _, impl := range benchImpls {
		call.ops[impl](b, e) // warm-up: connections, decoder caches
	}
	batch := 0
	for start := time.Now(); time.Since(start) < 20*time.Millisecond; batch++ {
		call.ops["sdk"](b, e)
	}
	perCall := map[string][]float64{}
	var toLean, toPlain []float64
	round := 0
	for b.Loop() {
		took := map[string]float64{}
		for i := range benchImpls {
			impl := benchImpls[(i+round)%len(benchImpls)]
			op := call.ops[impl]
			runtime.GC()
			start := time.Now()
			for range batch {
				op(b, e)
			}
			took[impl] = float64(time.Since(start).Nanoseconds()) / float64(batch)
			perCall[impl] = append(perCall[impl], took[impl])
		}
		toLean = append(toLean, took["sdk"]/took["lean"])
		toPlain = append(toPlain, took["sdk"]/took["plain"])
		round++
	}
	for _, r := range []struct {
		name   string
		ratios []float64
	}{{"sdk/lean", toLean}, {"sdk/plain", toPlain}} {
		q := quartiles(r.ratios)
		b.ReportMetric(q[2], r.name)
		b.ReportMetric(q[0], r.name+"-min")
		b.ReportMetric(q[1], r.name+"-q1")
		b.ReportMetric(q[3], r.name+"-q3")
		b.ReportMetric(q[4], r.name+"-max")
	}
	for _, impl := range benchImpls {
		b.ReportMetric(quartiles(perCall[impl])[2], impl+"-ns/call")
	}
	b.ReportMetric(float64(batch), "calls/batch")
	b.ReportMetric(0, "ns/op") // an op is a round of three clients: its time means nothing
}

// quartiles returns the minimum, first quartile, median, third quartile and maximum of
// xs, interpolating between the two middle values where a quartile falls between them.
func quartiles(xs []float64) [5]float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	at := func(p float64) float64 {
		pos := p * float64(len(s)-1)
		lo := int(pos)
		if lo+1 >= len(s) {
			return s[lo]
		}
		return s[lo] + (pos-float64(lo))*(s[lo+1]-s[lo])
	}
	return [5]float64{s[0], at(0.25), at(0.5), at(0.75), s[len(s)-1]}
}
