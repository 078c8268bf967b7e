-- Issue 12: greetings by first name, and breakdown columns chosen per
-- campaign.

-- The roster's first_name column, when it has one: emails greet with it.
-- Empty when the roster gave only a name.
ALTER TABLE staff ADD COLUMN first_name TEXT NOT NULL DEFAULT '';

-- The roster columns the campaign's report breaks down by, besides the
-- department: a JSON array of column names. Campaigns created before this
-- migration recorded every roster column in their recipients' groups.
ALTER TABLE campaigns ADD COLUMN breakdowns TEXT NOT NULL DEFAULT '[]';
