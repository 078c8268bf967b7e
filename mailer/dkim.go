package mailer

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/wneessen/go-mail"
	"golang.org/x/net/publicsuffix"
)

// DKIMMinRSABits is the smallest RSA key accepted for DKIM: the large
// mailbox providers ignore signatures made with shorter keys.
const DKIMMinRSABits = 2048

// dkimHeaders are the header fields every signature covers: From, which
// DKIM requires, what a reader sees, and List-Unsubscribe with
// List-Unsubscribe-Post, which RFC 8058 asks to be signed. The list is no
// longer than this because go-mail v0.8.1 folds a tag that does not fit on
// one line in the middle of a name, and with relaxed canonicalization that
// breaks the signature: h= must stay within 73 characters
// (TestDKIMSignaturesVerify fails otherwise). For the same reason no field
// is oversigned.
var dkimHeaders = []string{"From", "To", "Subject", "Date", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post"}

// DKIM is what signing needs: the signing domain (d=), the selector (s=)
// under which the public key is published, and the private key.
type DKIM struct {
	Domain   string
	Selector string
	Key      crypto.Signer
}

// LoadDKIM reads a DKIM private key (PEM, PKCS #1 or PKCS #8; RSA of at
// least DKIMMinRSABits or Ed25519) for domain and selector. It refuses a key
// file that others may read, naming the chmod that fixes it, and says what
// is wrong with a key it cannot use.
func LoadDKIM(domain, selector, keyFile string) (*DKIM, error) {
	switch {
	case domain == "" || selector == "" || keyFile == "":
		return nil, errors.New("smtp.dkim: domain, selector and key_file go together: set all three to sign, or none")
	case strings.ContainsAny(selector, " ;=") || strings.ContainsAny(domain, " ;=@"):
		return nil, fmt.Errorf("smtp.dkim: %q and %q must be a selector and a domain name, such as lvm and example.com", selector, domain)
	}
	fi, err := os.Stat(keyFile)
	if err != nil {
		return nil, fmt.Errorf("smtp.dkim.key_file: %w", err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("smtp.dkim.key_file %s can be read by others (mode %04o): a private key must be 0600; run: chmod 600 %s", keyFile, perm, keyFile)
	}
	text, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("smtp.dkim.key_file: %w", err)
	}
	key, err := mail.PrivKeyFromPEM(text)
	if err != nil {
		return nil, fmt.Errorf("smtp.dkim.key_file %s is not a PEM private key (RSA or Ed25519): %w; 'lvm-mail dkim keygen' makes one", keyFile, err)
	}
	if k, ok := key.(*rsa.PrivateKey); ok && k.N.BitLen() < DKIMMinRSABits {
		return nil, fmt.Errorf("smtp.dkim.key_file %s holds a %d-bit RSA key: receivers ignore signatures by keys under %d bits; 'lvm-mail dkim keygen' makes one",
			keyFile, k.N.BitLen(), DKIMMinRSABits)
	}
	return &DKIM{Domain: strings.ToLower(strings.TrimSuffix(domain, ".")), Selector: selector, Key: key}, nil
}

// String describes the signature: "d=example.com s=lvm rsa-2048".
func (d *DKIM) String() string {
	alg := "ed25519"
	if k, ok := d.Key.(*rsa.PrivateKey); ok {
		alg = fmt.Sprintf("rsa-%d", k.N.BitLen())
	}
	return fmt.Sprintf("d=%s s=%s %s", d.Domain, d.Selector, alg)
}

// checkAlignment makes sure a signature by d counts for DMARC on mail from
// fromDomain: the same domain, or (DMARC's relaxed alignment, the default)
// the same organisational domain. It returns an error naming the mismatch.
func (d *DKIM) checkAlignment(fromDomain string) error {
	fromDomain = strings.ToLower(fromDomain)
	if d.Domain == fromDomain {
		return nil
	}
	org := func(s string) string {
		o, err := publicsuffix.EffectiveTLDPlusOne(s)
		if err != nil {
			return s
		}
		return o
	}
	if org(d.Domain) == org(fromDomain) {
		return nil
	}
	return fmt.Errorf("smtp.dkim.domain %s does not match smtp.from's domain %s: DMARC alignment would fail, so receivers "+
		"that check DMARC would not count the signature as the sender's; sign with %s (or a domain under %s)", d.Domain, fromDomain, fromDomain, org(fromDomain))
}

// signer returns a go-mail signer for one message. go-mail's signer notes
// its algorithm on first use, so the workers that write messages at once
// do not share one.
func (d *DKIM) signer(now func() time.Time) *mail.DKIMSigner {
	s := mail.NewDKIMSigner(d.Domain, d.Selector, d.Key)
	s.SignHeaders(dkimHeaders...)
	s.NowFunc = now
	return s
}

// DNSRecord returns where the public key is published (the TXT record's
// name, SELECTOR._domainkey.DOMAIN) and the record's text.
func (d *DKIM) DNSRecord() (name, value string, err error) {
	var kind string
	var pub []byte
	switch k := d.Key.Public().(type) {
	case *rsa.PublicKey:
		kind = "rsa"
		if pub, err = x509.MarshalPKIXPublicKey(k); err != nil {
			return "", "", err
		}
	case ed25519.PublicKey:
		kind, pub = "ed25519", k
	default:
		return "", "", fmt.Errorf("unsupported DKIM key %T", k)
	}
	return d.Selector + "._domainkey." + d.Domain, "v=DKIM1; k=" + kind + "; p=" + base64.StdEncoding.EncodeToString(pub), nil
}

// GenerateDKIM makes a new RSA key of DKIMMinRSABits for domain and
// selector, and returns it with its PEM encoding (PKCS #8).
func GenerateDKIM(domain, selector string, random io.Reader) (*DKIM, []byte, error) {
	if random == nil {
		random = rand.Reader
	}
	key, err := rsa.GenerateKey(random, DKIMMinRSABits)
	if err != nil {
		return nil, nil, fmt.Errorf("generate DKIM key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("generate DKIM key: %w", err)
	}
	return &DKIM{Domain: domain, Selector: selector, Key: key}, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}
