-- Staff invitations: an admin invites a therapist, supervisor or admin, not only a
-- therapist a client. An invitation now carries the role of the account it makes; a
-- client's names their record (client_id), a member of staff's names no client but
-- carries the new account's display_name (encrypted like users.display_name; empty for
-- a client's, whose name comes from their record) and trainee flag.
--
-- SQLite cannot drop a NOT NULL constraint in place: the table is rebuilt (nothing refers
-- to invitations, so foreign keys stay on) and its indexes made again.

CREATE TABLE invitations_003 (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisations (id),
  client_id INTEGER,
  created_by INTEGER NOT NULL,
  token_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  role TEXT NOT NULL DEFAULT 'client'
    CHECK (role IN ('client', 'therapist', 'supervisor', 'admin')),
  display_name TEXT NOT NULL DEFAULT '',  -- encrypted when not empty
  trainee INTEGER NOT NULL DEFAULT 0 CHECK (trainee IN (0, 1)),
  CHECK ((role = 'client') = (client_id IS NOT NULL)),
  FOREIGN KEY (org_id, client_id) REFERENCES clients (org_id, id),
  FOREIGN KEY (org_id, created_by) REFERENCES users (org_id, id)
) STRICT;

INSERT INTO invitations_003 (id, org_id, client_id, created_by, token_hash, created_at,
                             expires_at, used_at)
  SELECT id, org_id, client_id, created_by, token_hash, created_at, expires_at, used_at
  FROM invitations;
DROP TABLE invitations;
ALTER TABLE invitations_003 RENAME TO invitations;

CREATE UNIQUE INDEX invitations_by_hash ON invitations (token_hash);
CREATE INDEX invitations_by_client ON invitations (org_id, client_id, id);
-- Listing: an admin sees the organisation's, a therapist those they made.
CREATE INDEX invitations_by_creator ON invitations (org_id, created_by, id);

-- Failed logins older than the throttling window are deleted as new ones arrive; this
-- index keeps that delete from reading the whole table.
CREATE INDEX login_failures_by_time ON login_failures (at);
