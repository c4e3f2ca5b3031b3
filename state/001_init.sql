-- 001_init: the first schema of the state file.
-- Times are Unix seconds; Azure timestamps are kept as the ISO 8601 text the
-- service sent.  No table has a column for a key, token or credential:
-- secrets are never stored here.
-- lib/state.c sets PRAGMA application_id and user_version in the same
-- transaction.

-- The state revision: bumped by every transaction that changes cached live
-- state or replication records; plans embed it.
CREATE TABLE revision (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	value INTEGER NOT NULL
);
INSERT INTO revision (id, value) VALUES (1, 0);

-- Resources as last refreshed.  refreshed_at is the last good read;
-- stale_since is set while the resource cannot be read (its rows are kept).
CREATE TABLE resources (
	name TEXT PRIMARY KEY,
	refreshed_at INTEGER NOT NULL DEFAULT 0,
	stale_since INTEGER,
	stale_error TEXT
);

CREATE TABLE projects (
	resource TEXT NOT NULL,
	name TEXT NOT NULL,
	project_kind TEXT,
	language TEXT,
	storage_container TEXT,
	last_modified TEXT,
	last_trained TEXT,
	last_deployed TEXT,
	json TEXT,
	refreshed_at INTEGER NOT NULL,
	PRIMARY KEY (resource, name)
);

CREATE TABLE models (
	resource TEXT NOT NULL,
	project TEXT NOT NULL,
	label TEXT NOT NULL,
	model_id TEXT,
	last_trained TEXT,
	expiration TEXT,
	training_config_version TEXT,
	json TEXT,
	refreshed_at INTEGER NOT NULL,
	PRIMARY KEY (resource, project, label)
);

CREATE TABLE deployments (
	resource TEXT NOT NULL,
	project TEXT NOT NULL,
	name TEXT NOT NULL,
	model_id TEXT,
	last_deployed TEXT,
	expiration TEXT,
	json TEXT,
	refreshed_at INTEGER NOT NULL,
	PRIMARY KEY (resource, project, name)
);

CREATE TABLE openai_deployments (
	resource TEXT NOT NULL,
	name TEXT NOT NULL,
	json TEXT,
	refreshed_at INTEGER NOT NULL,
	PRIMARY KEY (resource, name)
);

-- Exported projects, content-addressed: hash is the SHA-256 of the export's
-- bytes, data those bytes deflated (zlib).
CREATE TABLE snapshots (
	hash TEXT PRIMARY KEY CHECK (length(hash) = 64),
	project TEXT NOT NULL,
	kind TEXT,
	source_resource TEXT,
	source_modified TEXT,
	taken_at INTEGER NOT NULL,
	size INTEGER NOT NULL,
	stored_size INTEGER NOT NULL,
	duration_ms INTEGER NOT NULL DEFAULT 0,
	data BLOB NOT NULL
);
CREATE INDEX snapshots_by_project ON snapshots (project, taken_at);

-- What each replica project was last built from.
CREATE TABLE replications (
	replica_resource TEXT NOT NULL,
	project TEXT NOT NULL,
	source_resource TEXT,
	snapshot TEXT,
	source_modified TEXT,
	replica_modified TEXT,
	imported_at INTEGER NOT NULL,
	PRIMARY KEY (replica_resource, project)
);

-- What each replica's model was trained from.
CREATE TABLE trained_models (
	replica_resource TEXT NOT NULL,
	project TEXT NOT NULL,
	label TEXT NOT NULL,
	snapshot TEXT,
	trained_at INTEGER NOT NULL,
	PRIMARY KEY (replica_resource, project, label)
);

-- The apply journal.
CREATE TABLE runs (
	id TEXT PRIMARY KEY,
	operation TEXT NOT NULL,
	plan_revision INTEGER,
	pid INTEGER,
	host TEXT,
	started_at INTEGER NOT NULL,
	finished_at INTEGER,
	status TEXT NOT NULL DEFAULT 'running'
);

CREATE TABLE actions (
	id INTEGER PRIMARY KEY,
	run_id TEXT NOT NULL REFERENCES runs (id),
	resumed_from TEXT REFERENCES runs (id),
	action TEXT NOT NULL,
	kind TEXT NOT NULL,
	target TEXT NOT NULL,
	detail TEXT,
	job_url TEXT,
	status TEXT NOT NULL CHECK (status IN
	    ('pending', 'submitted', 'succeeded', 'failed', 'skipped')),
	error TEXT,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	finished_at INTEGER
);
CREATE INDEX actions_by_run ON actions (run_id, id);
CREATE INDEX actions_by_status ON actions (status);

-- The lock: at most one row, present while held.
CREATE TABLE lock (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	lock_id TEXT NOT NULL,
	pid INTEGER NOT NULL,
	host TEXT NOT NULL,
	user TEXT NOT NULL,
	operation TEXT NOT NULL,
	since INTEGER NOT NULL
);
