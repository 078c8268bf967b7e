-- Exactly once in a real campaign (issue 10).
--
-- A message claimed by a run is in flight in two steps: claimed (state
-- 'sending' or reminding = 1, with started = 0) while it waits for a
-- connection, then started (started = 1) just before its SMTP transaction
-- begins. A run that dies leaves claimed messages due again, and only
-- started ones of unknown fate.
ALTER TABLE recipients ADD COLUMN started INTEGER NOT NULL DEFAULT 0 CHECK (started IN (0, 1));

-- The server's reply to the last reminder refused for good, for status.
ALTER TABLE recipients ADD COLUMN reminder_reply TEXT NOT NULL DEFAULT '';

-- Set when a report with group results is written after the campaign
-- closed: reopening would then let two group reports be compared.
ALTER TABLE campaigns ADD COLUMN group_report_at TEXT;

-- Names this database, so that send can check that base_url reaches a
-- serve on this very database (GET /healthz).
INSERT INTO settings (name, value) VALUES ('database_id', lower(hex(randomblob(16))));

-- Reminders delivered over the whole campaign. Per person, a reminder round
-- is recorded alike for those reminded and for those who had answered (see
-- Store.CloseRound), so the rows of people do not say who had answered;
-- this count says how many reminders really went out.
ALTER TABLE campaigns ADD COLUMN reminders_delivered INTEGER NOT NULL DEFAULT 0;

-- Whether a breakdown group's answers are summed into the pooled group
-- "(smaller groups)": decided when the campaign is created (the group
-- invited fewer than min_group_size people), and decided again when people
-- are added to the campaign, but never for a group whose answers may
-- already be in the pool (the pool cannot be taken apart again).
ALTER TABLE campaign_groups ADD COLUMN pooled INTEGER NOT NULL DEFAULT 0 CHECK (pooled IN (0, 1));
UPDATE campaign_groups SET pooled = (invited < (SELECT min_group_size FROM campaigns c WHERE c.id = campaign_id));
