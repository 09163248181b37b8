package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/whippyware-go/whippyware/stocksync"
)

// On a terminal the bar is drawn at most every 100 ms, and once more at the end.
func TestProgressRedrawsAtMostTenTimesASecond(t *testing.T) {
	var out bytes.Buffer
	now := time.Unix(0, 0)
	p := &progressView{w: &out, terminal: true, now: func() time.Time { return now }, workers: 4}
	p.start(1000, 0)
	draws := func() int { return strings.Count(out.String(), "\r") }
	started := draws()
	for i := 1; i <= 500; i++ {
		p.update(progressFor(1000, i))
	}
	assert.Equal(t, started, draws(), "500 rows in the same instant: no redraw")
	now = now.Add(redrawEvery)
	p.update(progressFor(1000, 501))
	assert.Greater(t, draws(), started)
	assert.Contains(t, out.String(), "501 written, 0 failed, 499 left of 1000")
}

func progressFor(planned, done int) (p stocksync.Progress) {
	p.Planned, p.Done, p.Left = planned, done, planned-done
	return p
}
