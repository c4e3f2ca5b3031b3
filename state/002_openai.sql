-- 002_openai: what plan needs about Azure OpenAI accounts beyond their
-- deployments (which live in openai_deployments since 001).

-- Per account, as last refreshed: the models its region offers and the
-- region's quota (for plan's pre-flight), and the account's fine-tuning
-- jobs.  Each column holds the JSON array of items the service listed, or
-- NULL when that part could not be read.
CREATE TABLE openai_catalogs (
	resource TEXT PRIMARY KEY,
	region TEXT,
	models TEXT,
	usages TEXT,
	finetunes TEXT,
	refreshed_at INTEGER NOT NULL
);

-- Fine-tuned models standby trained: per account and openai: entry (its
-- key in standby.yaml), the
-- hashes of the data and settings it was trained from and the model the
-- job made.  Written by apply when a finetune action succeeds.
CREATE TABLE finetuned_models (
	resource TEXT NOT NULL,
	entry TEXT NOT NULL,
	data_hash TEXT NOT NULL,
	settings_hash TEXT NOT NULL,
	fine_tuned_model TEXT NOT NULL,
	job_id TEXT,
	trained_at INTEGER NOT NULL,
	PRIMARY KEY (resource, entry)
);
