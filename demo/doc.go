// Package demo provides the fictional organisation that `lvm-mail demo`
// surveys: a deterministic roster, an SMTP server on loopback that captures
// every message as an .eml file, and simulated staff who open the links in
// those messages and answer the survey over HTTP with tendencies that differ
// by department, so that the report tells a story.
package demo
