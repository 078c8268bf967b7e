// Package demo provides the fictional organisation that `lvm-mail demo`
// surveys: a deterministic roster, and simulated staff who open the links in
// the messages they receive and answer the survey over HTTP with tendencies
// that differ by department, so that the report tells a story.
package demo
