-- Tandem's record of care, first schema (SQLite 3.37+: STRICT tables).
--
-- Every table but organisations carries org_id (the tenant), NOT NULL and a foreign
-- key to organisations, and every secondary index starts with org_id. A child row
-- references its parent by (org_id, id), so a row can never point into another
-- organisation. Columns named in docs/storage.md as encrypted hold only
-- FieldCipher::seal() output (never plaintext). Timestamps are milliseconds since
-- 1970 (UTC), dates are days since 1970-01-01. The schema_version table is the
-- migrator's own and is created by the program, not here.

CREATE TABLE organisations (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  crisis_text TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE clients (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisations (id),
  display_name TEXT NOT NULL,              -- encrypted
  birth_date INTEGER,
  consent_care INTEGER NOT NULL CHECK (consent_care IN (0, 1)),
  consent_research INTEGER NOT NULL CHECK (consent_research IN (0, 1)),
  created_at INTEGER NOT NULL,
  UNIQUE (org_id, id)
) STRICT;

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisations (id),
  email TEXT NOT NULL,
  display_name TEXT NOT NULL,              -- encrypted (a client's account carries their name)
  role TEXT NOT NULL CHECK (role IN ('client', 'therapist', 'supervisor', 'admin')),
  trainee INTEGER NOT NULL CHECK (trainee IN (0, 1)),
  password_hash TEXT NOT NULL,
  client_id INTEGER,
  active INTEGER NOT NULL CHECK (active IN (0, 1)),
  created_at INTEGER NOT NULL,
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, client_id) REFERENCES clients (org_id, id)
) STRICT;
-- Log-in looks a user up by e-mail across organisations: the one index that does not
-- start with org_id (e-mails are unique across the deployment).
CREATE UNIQUE INDEX users_email ON users (email);
CREATE INDEX users_org_client ON users (org_id, client_id) WHERE client_id IS NOT NULL;

CREATE TABLE assignments (
  org_id INTEGER NOT NULL REFERENCES organisations (id),
  client_id INTEGER NOT NULL,
  therapist_id INTEGER NOT NULL,
  since INTEGER NOT NULL,
  PRIMARY KEY (org_id, client_id, therapist_id),
  FOREIGN KEY (org_id, client_id) REFERENCES clients (org_id, id),
  FOREIGN KEY (org_id, therapist_id) REFERENCES users (org_id, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX assignments_by_therapist ON assignments (org_id, therapist_id, client_id);

CREATE TABLE supervision (
  org_id INTEGER NOT NULL REFERENCES organisations (id),
  supervisor_id INTEGER NOT NULL,
  therapist_id INTEGER NOT NULL,
  since INTEGER NOT NULL,
  PRIMARY KEY (org_id, supervisor_id, therapist_id),
  FOREIGN KEY (org_id, supervisor_id) REFERENCES users (org_id, id),
  FOREIGN KEY (org_id, therapist_id) REFERENCES users (org_id, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX supervision_by_therapist ON supervision (org_id, therapist_id, supervisor_id);

CREATE TABLE episodes (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisations (id),
  client_id INTEGER NOT NULL,
  therapist_id INTEGER NOT NULL,
  instrument TEXT NOT NULL,
  opened INTEGER NOT NULL,
  closed INTEGER,
  close_reason TEXT CHECK (close_reason IN ('completed', 'dropped-out', 'transferred')),
  created_at INTEGER NOT NULL,
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, client_id) REFERENCES clients (org_id, id),
  FOREIGN KEY (org_id, therapist_id) REFERENCES users (org_id, id)
) STRICT;
CREATE INDEX episodes_by_client ON episodes (org_id, client_id, id);
CREATE INDEX episodes_by_therapist ON episodes (org_id, therapist_id, id);

CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisations (id),
  episode_id INTEGER NOT NULL,
  number INTEGER NOT NULL CHECK (number >= 1),
  date INTEGER NOT NULL,
  attendance TEXT NOT NULL CHECK (attendance IN ('attended', 'cancelled', 'dna')),
  felt_hard_client INTEGER NOT NULL CHECK (felt_hard_client IN (0, 1)),
  felt_hard_therapist INTEGER NOT NULL CHECK (felt_hard_therapist IN (0, 1)),
  therapist_notes TEXT NOT NULL,           -- encrypted
  created_at INTEGER NOT NULL,
  UNIQUE (org_id, episode_id, number),
  UNIQUE (org_id, episode_id, id),
  FOREIGN KEY (org_id, episode_id) REFERENCES episodes (org_id, id)
) STRICT;

-- An organisation's own instrument definitions (JSON text; not health data).
CREATE TABLE instruments (
  org_id INTEGER NOT NULL REFERENCES organisations (id),
  instrument TEXT NOT NULL,
  definition_json TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (org_id, instrument)
) STRICT, WITHOUT ROWID;

CREATE TABLE administrations (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisations (id),
  episode_id INTEGER NOT NULL,
  session_id INTEGER,
  instrument TEXT NOT NULL,
  responses BLOB NOT NULL,                 -- item answers as little-endian IEEE doubles, NaN = missing
  total REAL,                              -- NULL = not scorable (NaN)
  answered_by TEXT NOT NULL CHECK (answered_by IN ('client', 'therapist')),
  recorded_by INTEGER NOT NULL,
  at INTEGER NOT NULL,
  FOREIGN KEY (org_id, episode_id) REFERENCES episodes (org_id, id),
  FOREIGN KEY (org_id, episode_id, session_id) REFERENCES sessions (org_id, episode_id, id),
  FOREIGN KEY (org_id, recorded_by) REFERENCES users (org_id, id)
) STRICT;
CREATE INDEX administrations_by_episode ON administrations (org_id, episode_id, id);

-- Co-defined progress, one row per version (append-only: see the triggers below).
CREATE TABLE definitions (
  org_id INTEGER NOT NULL REFERENCES organisations (id),
  episode_id INTEGER NOT NULL,
  version INTEGER NOT NULL CHECK (version >= 1),
  hopes TEXT NOT NULL,                     -- encrypted
  better_looks_like TEXT NOT NULL,         -- encrypted
  small_shifts TEXT NOT NULL,              -- encrypted
  change_note TEXT NOT NULL,               -- encrypted
  changed_by INTEGER NOT NULL,
  changed_at INTEGER NOT NULL,
  client_agreed_at INTEGER,
  therapist_agreed_at INTEGER,
  revised_at_session INTEGER,
  PRIMARY KEY (org_id, episode_id, version),
  FOREIGN KEY (org_id, episode_id) REFERENCES episodes (org_id, id),
  FOREIGN KEY (org_id, changed_by) REFERENCES users (org_id, id)
) STRICT;

CREATE TABLE definition_goals (
  org_id INTEGER NOT NULL,
  episode_id INTEGER NOT NULL,
  version INTEGER NOT NULL,
  position INTEGER NOT NULL,
  goal_key TEXT NOT NULL,
  text TEXT NOT NULL,                      -- encrypted
  scale TEXT NOT NULL CHECK (scale IN ('gbo', 'gas')),
  gas_minus2 TEXT NOT NULL,                -- encrypted (GAS level descriptions, -2..+2)
  gas_minus1 TEXT NOT NULL,                -- encrypted
  gas_zero TEXT NOT NULL,                  -- encrypted
  gas_plus1 TEXT NOT NULL,                 -- encrypted
  gas_plus2 TEXT NOT NULL,                 -- encrypted
  weight REAL NOT NULL,
  PRIMARY KEY (org_id, episode_id, version, position),
  UNIQUE (org_id, episode_id, version, goal_key),
  FOREIGN KEY (org_id) REFERENCES organisations (id),
  FOREIGN KEY (org_id, episode_id, version) REFERENCES definitions (org_id, episode_id, version)
) STRICT;

-- Versions are append-only: only the agreement times (and, when keys rotate, the
-- sealed text) of a stored version may change, and nothing may be deleted.
CREATE TRIGGER definitions_append_only
BEFORE UPDATE OF org_id, episode_id, version, changed_by, changed_at, revised_at_session
ON definitions
BEGIN
  SELECT RAISE(ABORT, 'definition versions are append-only');
END;
CREATE TRIGGER definitions_no_delete BEFORE DELETE ON definitions
BEGIN
  SELECT RAISE(ABORT, 'definition versions are append-only');
END;
CREATE TRIGGER definition_goals_append_only
BEFORE UPDATE OF org_id, episode_id, version, position, goal_key, scale, weight
ON definition_goals
BEGIN
  SELECT RAISE(ABORT, 'definition versions are append-only');
END;
CREATE TRIGGER definition_goals_no_delete BEFORE DELETE ON definition_goals
BEGIN
  SELECT RAISE(ABORT, 'definition versions are append-only');
END;

CREATE TABLE goal_ratings (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisations (id),
  episode_id INTEGER NOT NULL,
  session_id INTEGER NOT NULL,
  goal_key TEXT NOT NULL,
  rater TEXT NOT NULL CHECK (rater IN ('client', 'therapist')),
  value REAL NOT NULL,
  recorded_by INTEGER NOT NULL,
  at INTEGER NOT NULL,
  FOREIGN KEY (org_id, episode_id, session_id) REFERENCES sessions (org_id, episode_id, id),
  FOREIGN KEY (org_id, recorded_by) REFERENCES users (org_id, id)
) STRICT;
CREATE INDEX goal_ratings_by_episode ON goal_ratings (org_id, episode_id, id);

CREATE TABLE alliance_ratings (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisations (id),
  episode_id INTEGER NOT NULL,
  session_id INTEGER NOT NULL,
  value REAL NOT NULL,
  recorded_by INTEGER NOT NULL,
  at INTEGER NOT NULL,
  FOREIGN KEY (org_id, episode_id, session_id) REFERENCES sessions (org_id, episode_id, id),
  FOREIGN KEY (org_id, recorded_by) REFERENCES users (org_id, id)
) STRICT;
CREATE INDEX alliance_ratings_by_episode ON alliance_ratings (org_id, episode_id, id);

CREATE TABLE moments (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisations (id),
  episode_id INTEGER NOT NULL,
  session_id INTEGER,
  tag TEXT NOT NULL,
  text TEXT NOT NULL,                      -- encrypted
  by_rater TEXT NOT NULL CHECK (by_rater IN ('client', 'therapist')),
  recorded_by INTEGER NOT NULL,
  at INTEGER NOT NULL,
  FOREIGN KEY (org_id, episode_id) REFERENCES episodes (org_id, id),
  FOREIGN KEY (org_id, episode_id, session_id) REFERENCES sessions (org_id, episode_id, id),
  FOREIGN KEY (org_id, recorded_by) REFERENCES users (org_id, id)
) STRICT;
CREATE INDEX moments_by_episode ON moments (org_id, episode_id, id);

CREATE TABLE reflections (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisations (id),
  author_id INTEGER NOT NULL,
  episode_id INTEGER,
  tried_to_fix TEXT NOT NULL,              -- encrypted
  sat_with TEXT NOT NULL,                  -- encrypted
  at INTEGER NOT NULL,
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, author_id) REFERENCES users (org_id, id),
  FOREIGN KEY (org_id, episode_id) REFERENCES episodes (org_id, id)
) STRICT;
CREATE INDEX reflections_by_author ON reflections (org_id, author_id, id);

CREATE TABLE reflection_comments (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisations (id),
  reflection_id INTEGER NOT NULL,
  author_id INTEGER NOT NULL,
  text TEXT NOT NULL,                      -- encrypted
  at INTEGER NOT NULL,
  FOREIGN KEY (org_id, reflection_id) REFERENCES reflections (org_id, id),
  FOREIGN KEY (org_id, author_id) REFERENCES users (org_id, id)
) STRICT;
CREATE INDEX reflection_comments_by_reflection ON reflection_comments (org_id, reflection_id, id);

-- The audit log: who did what to which record, when, and how it ended. Never health
-- data. Append-only, enforced here as well as in the code.
CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisations (id),
  actor_id INTEGER,
  action TEXT NOT NULL,
  record_type TEXT NOT NULL,
  record_id INTEGER,
  outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'denied', 'invalid', 'not-found', 'error')),
  at INTEGER NOT NULL
) STRICT;
CREATE INDEX audit_by_org ON audit (org_id, id);
CREATE INDEX audit_by_actor ON audit (org_id, actor_id, id);
CREATE INDEX audit_by_action ON audit (org_id, action, id);
CREATE INDEX audit_by_record ON audit (org_id, record_type, record_id, id);
CREATE INDEX audit_by_time ON audit (org_id, at, id);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only');
END;
