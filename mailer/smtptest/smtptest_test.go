package smtptest_test

import (
	"testing"
	"time"

	"github.com/lvm-mail/lvm-mail/mailer/smtptest"
)

// TestCloseRightAfterStart closes servers before their Serve goroutine has
// had a chance to run: Close must still return.
func TestCloseRightAfterStart(t *testing.T) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 500 {
			s, err := smtptest.Start(smtptest.Options{})
			if err != nil {
				t.Error(err)
				return
			}
			s.Close()
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Close hung: the server's listener was never closed")
	}
}
