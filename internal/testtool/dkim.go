package testtool

import (
	"bytes"
	"fmt"

	"github.com/emersion/go-msgauth/dkim"
)

// VerifyDKIM checks every DKIM signature of a raw message with
// emersion/go-msgauth, a verifier independent of the signer, answering its
// DNS lookups from records (the TXT record's name, such as
// lvm._domainkey.example.com, to its text). It returns an error unless the
// message has at least one signature and every one of them verifies.
func VerifyDKIM(raw []byte, records map[string]string) ([]*dkim.Verification, error) {
	lookup := func(name string) ([]string, error) {
		if v, ok := records[name]; ok {
			return []string{v}, nil
		}
		return nil, fmt.Errorf("no TXT record %s", name)
	}
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{LookupTXT: lookup})
	if err != nil {
		return vs, err
	}
	if len(vs) == 0 {
		return vs, fmt.Errorf("the message has no DKIM signature")
	}
	for _, v := range vs {
		if v.Err != nil {
			return vs, fmt.Errorf("signature of %s: %w", v.Domain, v.Err)
		}
	}
	return vs, nil
}
