// A Go service with two leaks through cgo: each frame a sender goroutine encodes is
// kept by the C library's cache for ever (frames.c), and each name it registers is
// copied into a C string that nobody frees (C.CString allocates with malloc). Beside
// them, scratch buffers that come and go and a table held all along. Runs for the
// seconds given.
package main

// #include "frames.h"
import "C"

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"
)

type Sender struct{ payload []byte }

type Registry struct{ names []*C.char }

//go:noinline
func (s *Sender) Send() {
	C.frame_cache_retain((*C.char)(unsafe.Pointer(&s.payload[0])), C.size_t(len(s.payload)))
}

//go:noinline
func (r *Registry) Add(name string) {
	r.names = append(r.names, C.CString(name))
}

//go:noinline
func churn() {
	for i := 0; i < 64; i++ {
		C.encode_scratch(C.size_t(1024 + 64*i))
	}
}

func main() {
	seconds, err := strconv.Atoi(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "usage: cgo_leak SECONDS")
		os.Exit(2)
	}
	C.lookup_table_init(16 << 20)
	end := time.Now().Add(time.Duration(seconds) * time.Second)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // 1,000 frames and names of 2 KiB a second, kept to the clock however busy the machine
		defer wg.Done()
		s := &Sender{payload: make([]byte, 2048)}
		r := &Registry{}
		name := strings.Repeat("n", 2047)
		start, sent := time.Now(), 0
		for now := start; now.Before(end); now = time.Now() {
			for due := int(now.Sub(start).Milliseconds()); sent < due; sent++ {
				s.Send()
				r.Add(name)
			}
			time.Sleep(time.Millisecond)
		}
	}()
	go func() {
		defer wg.Done()
		for time.Now().Before(end) {
			churn()
			time.Sleep(time.Millisecond)
		}
	}()
	wg.Wait()
}
