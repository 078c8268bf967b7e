package campaign_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// testNow is the fixed clock of the store tests.
var testNow = time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)

// openStore opens a new store in a temporary folder with a fixed clock.
func openStore(t *testing.T) *campaign.Store {
	t.Helper()
	return openStoreAt(t, filepath.Join(t.TempDir(), "test.db"))
}

func openStoreAt(t *testing.T, path string) *campaign.Store {
	t.Helper()
	s, err := campaign.Open(context.Background(), path, campaign.Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func testKey(t *testing.T) *campaign.TokenKey {
	t.Helper()
	var k campaign.TokenKey
	copy(k[:], "a key for the tests, 32 bytes!!!")
	return &k
}

func TestOpenTwiceKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "test.db")
	s := openStoreAt(t, path)
	if _, err := s.ImportStaff(ctx, sampleStaff(), campaign.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openStoreAt(t, path) // migrations must not run again
	staff, err := s.FindStaff(ctx, campaign.StaffFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(staff), len(sampleStaff()); got != want {
		t.Errorf("got %d staff after reopening, want %d", got, want)
	}
}

func TestCheckTokenKey(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	known, err := s.TokenKeyKnown(ctx)
	if err != nil || known {
		t.Fatalf("TokenKeyKnown on a new store = %v, %v; want false, nil", known, err)
	}
	if err := s.CheckTokenKey(ctx, testKey(t)); err != nil {
		t.Fatalf("first key: %v", err)
	}
	if err := s.CheckTokenKey(ctx, testKey(t)); err != nil {
		t.Fatalf("same key again: %v", err)
	}
	var other campaign.TokenKey
	if err := s.CheckTokenKey(ctx, &other); err != campaign.ErrTokenKeyMismatch {
		t.Fatalf("another key: got %v, want ErrTokenKeyMismatch", err)
	}
}
