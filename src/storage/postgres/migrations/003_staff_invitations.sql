-- Staff invitations: an admin invites a therapist, supervisor or admin, not only a
-- therapist a client. An invitation now carries the role of the account it makes; a
-- client's names their record (client_id), a member of staff's names no client but
-- carries the new account's display_name (encrypted like users.display_name; empty for
-- a client's, whose name comes from their record) and trainee flag.

ALTER TABLE invitations ALTER COLUMN client_id DROP NOT NULL;
ALTER TABLE invitations
  ADD COLUMN role TEXT NOT NULL DEFAULT 'client',
  ADD COLUMN display_name TEXT NOT NULL DEFAULT '',
  ADD COLUMN trainee BOOLEAN NOT NULL DEFAULT false,
  ADD CONSTRAINT ck_invitations__role
    CHECK (role IN ('client', 'therapist', 'supervisor', 'admin')),
  ADD CONSTRAINT ck_invitations__client_for_client_role
    CHECK ((role = 'client') = (client_id IS NOT NULL));

-- Listing: an admin sees the organisation's, a therapist those they made.
CREATE INDEX invitations_by_creator ON invitations (org_id, created_by, id);

-- Failed logins older than the throttling window are deleted as new ones arrive; this
-- index keeps that delete from reading the whole table.
CREATE INDEX login_failures_by_time ON login_failures (at);
