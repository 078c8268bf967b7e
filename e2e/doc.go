// Package e2e holds the end-to-end test of lvm-mail: the real binary, a
// real SMTP server (Mailpit) and a real browser (Chromium) working together.
// It has no code of its own outside its tests.
package e2e
