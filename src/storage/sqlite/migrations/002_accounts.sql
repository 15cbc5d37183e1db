-- Accounts: login sessions, invitation links and failed-login counters (issue 5).
--
-- Tokens are never stored, only their hashes (64 hex characters); a request carries
-- nothing but its token, so the hash indexes are deployment-wide (like users_email).
-- login_failures is deployment-wide too: it is keyed by e-mail or address before any
-- organisation is known, and holds no health data.

CREATE TABLE login_sessions (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisations (id),
  user_id INTEGER NOT NULL,
  token_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked INTEGER NOT NULL CHECK (revoked IN (0, 1)),
  FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
) STRICT;
CREATE UNIQUE INDEX login_sessions_by_hash ON login_sessions (token_hash);
CREATE INDEX login_sessions_by_user ON login_sessions (org_id, user_id, id);

CREATE TABLE invitations (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisations (id),
  client_id INTEGER NOT NULL,
  created_by INTEGER NOT NULL,
  token_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  FOREIGN KEY (org_id, client_id) REFERENCES clients (org_id, id),
  FOREIGN KEY (org_id, created_by) REFERENCES users (org_id, id)
) STRICT;
CREATE UNIQUE INDEX invitations_by_hash ON invitations (token_hash);
CREATE INDEX invitations_by_client ON invitations (org_id, client_id, id);

CREATE TABLE login_failures (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  at INTEGER NOT NULL
) STRICT;
CREATE INDEX login_failures_by_key ON login_failures (key, at);
