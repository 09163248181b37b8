package benchsize

import (
	"flag"
	"testing"
)

func TestNCapsOnlyUnderShort(t *testing.T) {
	short := flag.Lookup("test.short")
	was := short.Value.String()
	t.Cleanup(func() { _ = short.Value.Set(was) })

	if err := short.Value.Set("false"); err != nil {
		t.Fatal(err)
	}
	if got := N(100000); got != 100000 {
		t.Errorf("without -short N(100000) = %d, want 100000", got)
	}
	if err := short.Value.Set("true"); err != nil {
		t.Fatal(err)
	}
	for n, want := range map[int]int{100000: Short, Short: Short, 10: 10, 0: 0} {
		if got := N(n); got != want {
			t.Errorf("under -short N(%d) = %d, want %d", n, got, want)
		}
	}
}
