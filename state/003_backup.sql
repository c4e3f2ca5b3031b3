-- 003_backup: what backups need beyond 001's snapshots table.
--
-- A snapshot row keeps the metadata of the first export that produced its
-- bytes (taken_at, source_modified).  When a source goes back to earlier
-- content (A, then B, then A again), the newest backup is A's row, yet its
-- taken_at is older than B's: "the latest snapshot" (restore's default,
-- and what --keep keeps) must follow when an export last produced the
-- bytes.  seen_at is that time (Unix seconds, for people); seen_seq orders
-- it (one more than the largest so far at each store or re-store, as two
-- backups may fall in the same second).  Rows from before this migration
-- were last seen when taken.
ALTER TABLE snapshots ADD COLUMN seen_at INTEGER;
ALTER TABLE snapshots ADD COLUMN seen_seq INTEGER;
UPDATE snapshots SET seen_at = taken_at,
    seen_seq = (SELECT count(*) FROM snapshots AS o
	WHERE o.taken_at < snapshots.taken_at OR
	    (o.taken_at = snapshots.taken_at AND o.rowid <= snapshots.rowid));
CREATE INDEX snapshots_by_project_seen ON snapshots (project, seen_seq);
