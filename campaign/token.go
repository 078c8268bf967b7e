package campaign

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// A TokenKey turns a recipient's salt into their survey token. It lives in a
// file outside the database, so that the database alone cannot rebuild a
// working link, while reminders can still send each person their same link.
type TokenKey [32]byte

// saltSize is the size of a recipient's random token salt.
const saltSize = 16

// Token returns the URL-safe survey token for a recipient's salt: 256 bits of
// HMAC-SHA256 under the key, base64url without padding (43 characters).
func (k *TokenKey) Token(salt []byte) string {
	mac := hmac.New(sha256.New, k[:])
	mac.Write([]byte("lvm-mail token v1\x00"))
	mac.Write(salt)
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// fingerprint identifies the key without revealing it, so the store can tell
// a wrong or regenerated key file from the right one.
func (k *TokenKey) fingerprint() []byte {
	mac := hmac.New(sha256.New, k[:])
	mac.Write([]byte("lvm-mail key fingerprint v1"))
	return mac.Sum(nil)
}

// HashToken returns the hash under which the store keeps a token. Only the
// hash is stored, never the token.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// answerMarker returns what the store keeps to know that a token's
// response is recorded: the SHA-256 of a label and the token. The
// recipient row holds the SHA-256 of the token alone, so nothing in the
// database joins a marker to a person: only the token, from the link
// itself or made again with the key file, gives both.
func answerMarker(token string) []byte {
	h := sha256.Sum256([]byte("lvm-mail answered v1\x00" + token))
	return h[:]
}

// LoadTokenKey reads the key from path. When the file does not exist and
// create is true, it makes a new random key and writes it with mode 0600. A
// key file that exists but is not 32 bytes is an error, and so is one that
// its group or others may read: the error says the chmod that fixes it.
func LoadTokenKey(path string, create bool, random io.Reader) (*TokenKey, error) {
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("token key %s may be read by others (mode %04o): whoever reads it can open anyone's survey link; run: chmod 600 %s",
			path, fi.Mode().Perm(), path)
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && create {
		var k TokenKey
		if _, err := io.ReadFull(random, k[:]); err != nil {
			return nil, fmt.Errorf("make token key: %w", err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("write token key: %w", err)
		}
		if _, err := f.Write(k[:]); err != nil {
			f.Close()
			return nil, fmt.Errorf("write token key: %w", err)
		}
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("write token key: %w", err)
		}
		return &k, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read token key: %w", err)
	}
	var k TokenKey
	if len(b) != len(k) {
		return nil, fmt.Errorf("read token key %s: %d bytes, want %d", path, len(b), len(k))
	}
	copy(k[:], b)
	return &k, nil
}

// newSalt returns fresh random bytes for a recipient's token.
func newSalt(random io.Reader) ([]byte, error) {
	salt := make([]byte, saltSize)
	if _, err := io.ReadFull(random, salt); err != nil {
		return nil, fmt.Errorf("make token salt: %w", err)
	}
	return salt, nil
}
