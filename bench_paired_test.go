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
// ..., under 1 the SDK is faster), and each client's median ns per call. It does so
// twice: for wall-clock time, and (-cpu) for the CPU time the whole process used
// during the batch (processCPUTime), which leaves out the time other processes on
// the machine took the cores; it includes the garbage collector's work and, on the
// fake, the fake's, the same for every client.
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
	wall := map[string][]float64{} // ns a call, by impl, one a round
	cpu := map[string][]float64{}
	for round := 0; b.Loop(); round++ {
		for i := range benchImpls {
			impl := benchImpls[(i+round)%len(benchImpls)]
			op := call.ops[impl]
			runtime.GC()
			start, startCPU := time.Now(), processCPUTime()
			for range batch {
				op(b, e)
			}
			wall[impl] = append(wall[impl], float64(time.Since(start).Nanoseconds())/float64(batch))
			cpu[impl] = append(cpu[impl], float64((processCPUTime()-startCPU).Nanoseconds())/float64(batch))
		}
	}
	for _, clock := range []struct {
		suffix string
		times  map[string][]float64
	}{{"", wall}, {"-cpu", cpu}} {
		for _, other := range []string{"lean", "plain"} {
			ratios := make([]float64, len(clock.times["sdk"]))
			for i := range ratios {
				ratios[i] = clock.times["sdk"][i] / clock.times[other][i]
			}
			q := quartiles(ratios)
			name := "sdk/" + other + clock.suffix
			b.ReportMetric(q[2], name)
			b.ReportMetric(q[0], name+"-min")
			b.ReportMetric(q[1], name+"-q1")
			b.ReportMetric(q[3], name+"-q3")
			b.ReportMetric(q[4], name+"-max")
		}
		for _, impl := range benchImpls {
			b.ReportMetric(quartiles(clock.times[impl])[2], impl+clock.suffix+"-ns/call")
		}
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
