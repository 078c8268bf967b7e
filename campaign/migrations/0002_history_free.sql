-- No person and no order of answering in the files (issue 9).
--
-- Responses move to response_slots: one fixed-size row per invitee, made
-- empty when the campaign is created (or a person is added to it) and filled
-- in place, in a slot chosen at random, by a response. A filled slot has the
-- size of an empty one, so SQLite overwrites it where it lies: where a
-- response lies says nothing about when it was given.
--
-- Who has answered is no longer a flag on the recipient row, flipped in the
-- transaction that stores the answers. It is a marker in `answered`: the
-- SHA-256 of a label and the person's token. Only the link itself, or the
-- key file that makes the links, can tell whose marker it is. So no
-- transaction that records answers changes a row that names a person, and
-- the database alone does not say who has answered.
--
-- recipients.responded stays for people who answered before this migration
-- (their tokens cannot be hashed here); nothing sets it any more.

CREATE TABLE response_slots (
    id           INTEGER PRIMARY KEY,          -- random; reveals no order
    campaign_id  INTEGER NOT NULL REFERENCES campaigns(id),
    submitted_on TEXT NOT NULL,                -- the date only; '0000-00-00' while empty
    answers      BLOB NOT NULL                 -- a byte per item, in instrument order: 1..5, or 0 unanswered
);
-- campaign_id never changes, so this index is written when slots are made
-- and never when they are filled.
CREATE INDEX response_slots_by_campaign ON response_slots (campaign_id);

CREATE TABLE answered (
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    marker      BLOB NOT NULL,                 -- SHA-256 of a label and the token
    PRIMARY KEY (campaign_id, marker)
) WITHOUT ROWID;

-- The responses so far, in slots of their own.
INSERT INTO response_slots (id, campaign_id, submitted_on, answers)
SELECT random() & 9223372036854775807, r.campaign_id, r.submitted_on,
       (SELECT unhex(group_concat(printf('%02x', coalesce(json_extract(r.answers, '$."' || json_extract(i.value, '$.id') || '"'), 0)), '' ORDER BY i.key))
          FROM campaigns c, json_each(c.instrument, '$.items') i WHERE c.id = r.campaign_id)
FROM responses r;

-- An empty slot for everyone else invited.
WITH RECURSIVE need (campaign_id, n, width) AS (
    SELECT c.id,
           (SELECT count(*) FROM recipients WHERE campaign_id = c.id) - (SELECT count(*) FROM responses WHERE campaign_id = c.id),
           json_array_length(c.instrument, '$.items')
    FROM campaigns c
), slots (campaign_id, k, width) AS (
    SELECT campaign_id, n, width FROM need WHERE n > 0
    UNION ALL
    SELECT campaign_id, k - 1, width FROM slots WHERE k > 1
)
INSERT INTO response_slots (id, campaign_id, submitted_on, answers)
SELECT random() & 9223372036854775807, campaign_id, '0000-00-00', zeroblob(width) FROM slots;

DROP TABLE responses;
