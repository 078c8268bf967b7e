-- Issue 14, reaching the inbox: one-click opt-out of reminders, and the
-- bounces read back from the bounce mailbox.

-- Set by a POST to BASE_URL/s/TOKEN/stop (RFC 8058 one-click): no more
-- reminders for this person in this campaign. Nothing else is recorded:
-- not when, not why. The person can still answer.
ALTER TABLE recipients ADD COLUMN opted_out INTEGER NOT NULL DEFAULT 0 CHECK (opted_out IN (0, 1));

-- Every bounce report recorded, once: the report's key (its Message-ID, or
-- a hash of it when it has none) makes reading the mailbox again harmless.
-- A hard bounce (5.x.x) has also made its recipient 'failed'; a soft one
-- (4.x.x) is only counted.
CREATE TABLE bounces (
    report       TEXT PRIMARY KEY,
    recipient_id INTEGER NOT NULL REFERENCES recipients(id),
    permanent    INTEGER NOT NULL CHECK (permanent IN (0, 1)),
    status       TEXT NOT NULL,                -- the enhanced status code, e.g. 5.1.1
    diagnostic   TEXT NOT NULL                 -- the receiving server's words
) WITHOUT ROWID;
CREATE INDEX bounces_by_recipient ON bounces (recipient_id);
