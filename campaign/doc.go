// Package campaign is the domain of lvm-mail: staff, campaigns, recipients,
// tokens, the survey instrument, responses and their scoring, and the SQLite
// store that keeps them.
//
// It imports only the standard library and the SQLite driver. Everything
// else (SMTP, the HTTP handler, the workbook, the command line) depends on it.
//
// Anonymity is a property of this package: a Response carries no link to the
// Recipient who gave it, and the store keeps no column that could join them.
package campaign
