// Package templates holds lvm-mail's built-in email templates.
//
// The folder email/ has a folder per language, named by its BCP 47 tag
// (en/, de/, fr/, es/), and in each one file per part of each message:
//
//	invitation-subject.txt  invitation.txt  invitation.html
//	reminder-subject.txt    reminder.txt    reminder.html
//
// The subject and plain-text files are text/template, the HTML files
// html/template. A folder named by the templates_dir setting replaces the
// built-in one, with the same layout: a folder per language, each with the
// six files. A person whose language has no folder gets the campaign's
// default language's. The data the templates receive is documented on
// mailer.Data.
package templates

import (
	"embed"
	"io/fs"
)

//go:embed email
var files embed.FS

// Email returns the built-in email templates, the files of email/ at the
// root of the returned file system.
func Email() fs.FS {
	sub, err := fs.Sub(files, "email")
	if err != nil {
		panic(err) // cannot happen: "email" is a valid path embedded above
	}
	return sub
}
