-- The whole schema of lvm-mail. Times are RFC 3339 in UTC.
--
-- Anonymity: responses carry no recipient id, email, token or token hash,
-- and no time finer than the date. Their ids are random, and the tables are
-- WITHOUT ROWID, so no rowid records the order of insertion. A recipient row
-- keeps only whether the person has responded. A response's groups and its
-- comment are not stored with its answers: groups keep sums only, and
-- comments stand alone.

CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE staff (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    email       TEXT NOT NULL UNIQUE,          -- trimmed, lower case
    name        TEXT NOT NULL,
    department  TEXT NOT NULL,
    attributes  TEXT NOT NULL DEFAULT '{}',    -- JSON object: the roster's other columns
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE campaigns (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    slug            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    instrument      TEXT NOT NULL,             -- JSON snapshot of the instrument
    audience        TEXT NOT NULL DEFAULT '[]',-- JSON: the --where conditions
    min_group_size  INTEGER NOT NULL CHECK (min_group_size >= 3),
    created_at      TEXT NOT NULL,
    closes_at       TEXT,                      -- NULL: open until closed by hand
    closed_at       TEXT,                      -- set by "campaign close"
    sender          TEXT,                      -- the send or remind run holding the lease
    sender_until    TEXT                       -- when that lease lapses unless renewed
);

-- How many people each breakdown group of a campaign invited, fixed when the
-- campaign is created. Responses copy a group only when it is large enough.
CREATE TABLE campaign_groups (
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    column      TEXT NOT NULL,
    value       TEXT NOT NULL,
    invited     INTEGER NOT NULL,
    PRIMARY KEY (campaign_id, column, value)
) WITHOUT ROWID;

CREATE TABLE recipients (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id     INTEGER NOT NULL REFERENCES campaigns(id),
    staff_id        INTEGER NOT NULL REFERENCES staff(id),
    groups          TEXT NOT NULL,             -- JSON: breakdown columns when invited
    token_salt      BLOB NOT NULL,             -- with the key file, rebuilds the link
    token_hash      BLOB NOT NULL UNIQUE,      -- SHA-256 of the token; never the token
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'unknown')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_reply      TEXT NOT NULL DEFAULT '',  -- the SMTP server's last reply
    sent_at         TEXT,                      -- the invitation's 250
    last_message_at TEXT,                      -- the latest invitation or reminder accepted
    reminders_sent  INTEGER NOT NULL DEFAULT 0,
    reminding       INTEGER NOT NULL DEFAULT 0 CHECK (reminding IN (0, 1)),
    responded       INTEGER NOT NULL DEFAULT 0 CHECK (responded IN (0, 1)),
    UNIQUE (campaign_id, staff_id)
);
CREATE INDEX recipients_by_state ON recipients (campaign_id, state);

CREATE TABLE responses (
    id            TEXT PRIMARY KEY,            -- random; reveals no order
    campaign_id   INTEGER NOT NULL REFERENCES campaigns(id),
    submitted_on  TEXT NOT NULL,               -- the date only
    answers       TEXT NOT NULL                -- JSON object: item id -> 1..5
) WITHOUT ROWID;
CREATE INDEX responses_by_campaign ON responses (campaign_id);

-- The answers of each breakdown group (a department, a location, ...),
-- summed: a group keeps only totals, never a row per person. So the groups
-- of different columns cannot be crossed to single someone out (Sales and
-- Leeds and team North), and a group's figures cannot be matched to a
-- response by its answers. Groups that invited fewer than the campaign's
-- min_group_size people are summed together as the pooled group.
CREATE TABLE group_tallies (
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    column      TEXT NOT NULL,
    value       TEXT NOT NULL,
    tally       TEXT NOT NULL,                 -- JSON: responses and per-dimension sums
    PRIMARY KEY (campaign_id, column, value)
) WITHOUT ROWID;

-- Free-text comments, kept apart from the answers they came with, with the
-- department (pooled when small) that decides whether they may be shown.
CREATE TABLE comments (
    id          TEXT PRIMARY KEY,              -- random; reveals no order
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    department  TEXT NOT NULL,
    text        TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX comments_by_campaign ON comments (campaign_id);
