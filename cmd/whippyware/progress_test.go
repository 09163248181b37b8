package main

import (
	"bytes"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/whippyware-go/whippyware/stocksync"
)

// On a terminal the bar is drawn at most every 100 ms, and once more at the end.
func TestProgressRedrawsAtMostTenTimesASecond(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var out bytes.Buffer
		p := &progressView{w: &out, terminal: true, now: time.Now, workers: 4}
		p.start(1000, 0)
		draws := func() int { return strings.Count(out.String(), "\r") }
		started := draws()
		for i := 1; i <= 500; i++ {
			p.update(progressFor(1000, i))
		}
		assert.Equal(t, started, draws(), "500 rows in the same instant: no redraw")
		time.Sleep(redrawEvery)
		p.update(progressFor(1000, 501))
		assert.Greater(t, draws(), started)
		assert.Contains(t, out.String(), "501 written, 0 failed, 499 left of 1000")
	})
}

func progressFor(planned, done int) (p stocksync.Progress) {
	p.Planned, p.Done, p.Left = planned, done, planned-done
	return p
}

// 20,000 rows written in 2 s repaint the bar about 20 times: ten a second, each a single
// render of the counts and the bar, not one for the counts and another for the bar.
func TestProgressRepaintsTenTimesASecondOver20000Rows(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var out bytes.Buffer
		p := &progressView{w: &out, terminal: true, now: time.Now, workers: 4}
		p.start(20000, 0)
		for i := 1; i <= 20000; i++ {
			p.update(progressFor(20000, i))
			if i%10 == 0 {
				time.Sleep(time.Millisecond) // 20,000 rows in 2 s
			}
		}
		p.finish()
		repaints := strings.Count(out.String(), "left of")
		assert.GreaterOrEqual(t, repaints, 19, "live: ten a second")
		assert.LessOrEqual(t, repaints, 2*10+2, "ten a second, the first and the last")
		assert.Contains(t, out.String(), "20000 written, 0 failed, 0 left of 20000")
	})
}
