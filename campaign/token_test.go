package campaign_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"

	"github.com/lvm-mail/lvm-mail/campaign"
)

func TestToken(t *testing.T) {
	k := testKey(t)
	a, b := k.Token([]byte("salt-a")), k.Token([]byte("salt-b"))
	if a == b {
		t.Fatal("two salts gave the same token")
	}
	if a != k.Token([]byte("salt-a")) {
		t.Error("the same salt gave two tokens: reminders could not rebuild links")
	}
	raw, err := base64.RawURLEncoding.DecodeString(a)
	if err != nil || len(raw)*8 < 128 {
		t.Errorf("token %q: %d bits, %v; want at least 128 URL-safe bits", a, len(raw)*8, err)
	}
	if bytes.Equal(campaign.HashToken(a), []byte(a)) || len(campaign.HashToken(a)) != 32 {
		t.Error("HashToken must be a 32-byte hash")
	}
}

func TestLoadTokenKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db.key")
	if _, err := campaign.LoadTokenKey(path, false, rand.Reader); err == nil {
		t.Fatal("a missing key file without create must be an error")
	}
	k1, err := campaign.LoadTokenKey(path, true, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	k2, err := campaign.LoadTokenKey(path, true, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if *k1 != *k2 {
		t.Error("loading an existing key file gave another key")
	}
	if err := os.WriteFile(path, []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := campaign.LoadTokenKey(path, true, rand.Reader); err == nil {
		t.Error("a key file of the wrong size must be an error")
	}
}
