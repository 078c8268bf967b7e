package campaign

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A MessageRef names one message lvm-mail sent: which campaign, which
// recipient, which kind. Its Message-ID carries it, so that a bounce that
// quotes the Message-ID leads back to the recipient without any other
// record of what was sent.
type MessageRef struct {
	Kind            MessageKind
	Reminder        int // which reminder (1, 2, …); 0 for the invitation
	RecipientID     int64
	CampaignID      int64
	CampaignCreated int64 // the campaign's creation time, in Unix seconds: ids are reused by other databases
	Test            bool  // a test sent by preview --to, to someone else than the recipient
}

// NewMessageRef returns the reference of a message of kind to the
// recipient with id recipientID in c.
func NewMessageRef(c *Campaign, recipientID int64, kind MessageKind, reminder int) MessageRef {
	ref := MessageRef{Kind: kind, RecipientID: recipientID, CampaignID: c.ID, CampaignCreated: c.CreatedAt.Unix()}
	if kind == Reminder {
		ref.Reminder = reminder
	}
	return ref
}

// messageIDPrefix starts every Message-ID lvm-mail makes.
const messageIDPrefix = "lvm-mail."

// MessageID returns the message's Message-ID, without angle brackets, in
// domain: "lvm-mail.invitation.r17.c3-1793347200@example.com" or
// "lvm-mail.reminder2.r17.…". It never contains the token. A test message
// gets the time it was made, from now, in front, so that it never shares
// the ID of the real message.
func (ref MessageRef) MessageID(domain string, now time.Time) string {
	kind := string(ref.Kind)
	if ref.Kind == Reminder {
		kind += strconv.Itoa(ref.Reminder)
	}
	id := fmt.Sprintf("%s%s.r%d.c%d-%d@%s", messageIDPrefix, kind, ref.RecipientID, ref.CampaignID, ref.CampaignCreated, domain)
	if ref.Test {
		id = fmt.Sprintf("%stest-%d.%s", messageIDPrefix, now.UnixNano(), id)
	}
	return id
}

// ParseMessageID reads a Message-ID made by MessageID, with or without
// angle brackets. It reports false for any other Message-ID.
func ParseMessageID(id string) (MessageRef, bool) {
	id = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(id), "<"), ">")
	local, _, ok := strings.Cut(id, "@")
	if !ok || !strings.HasPrefix(local, messageIDPrefix) {
		return MessageRef{}, false
	}
	var ref MessageRef
	local = strings.TrimPrefix(local, messageIDPrefix)
	if rest, ok := strings.CutPrefix(local, "test-"); ok {
		_, after, ok := strings.Cut(rest, "."+messageIDPrefix)
		if !ok {
			return MessageRef{}, false
		}
		ref.Test, local = true, after
	}
	parts := strings.Split(local, ".")
	if len(parts) != 3 || !strings.HasPrefix(parts[1], "r") || !strings.HasPrefix(parts[2], "c") {
		return MessageRef{}, false
	}
	switch kind := parts[0]; {
	case kind == string(Invitation):
		ref.Kind = Invitation
	case strings.HasPrefix(kind, string(Reminder)):
		n, err := strconv.Atoi(strings.TrimPrefix(kind, string(Reminder)))
		if err != nil || n < 1 {
			return MessageRef{}, false
		}
		ref.Kind, ref.Reminder = Reminder, n
	default:
		return MessageRef{}, false
	}
	var err error
	if ref.RecipientID, err = strconv.ParseInt(parts[1][1:], 10, 64); err != nil {
		return MessageRef{}, false
	}
	campaignID, created, ok := strings.Cut(parts[2][1:], "-")
	if !ok {
		return MessageRef{}, false
	}
	if ref.CampaignID, err = strconv.ParseInt(campaignID, 10, 64); err != nil {
		return MessageRef{}, false
	}
	if ref.CampaignCreated, err = strconv.ParseInt(created, 10, 64); err != nil {
		return MessageRef{}, false
	}
	return ref, true
}

// Of reports whether the message was sent for c, and not for a campaign
// with the same id in another database.
func (ref MessageRef) Of(c *Campaign) bool {
	return ref.CampaignID == c.ID && ref.CampaignCreated == c.CreatedAt.Unix()
}
