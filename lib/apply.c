/*
 * apply.c - the executor: build the action graph from a plan (or from the
 * journal's leftovers), and run it on one event loop.
 *
 * Why callbacks and one loop rather than a thread per action: lib/http and
 * lib/language are asynchronous already, the state file is used by one
 * thread, and a signal must stop everything at once.  Each action is a
 * small state machine (apply_action.c) advanced by its callbacks; this
 * file decides what may start, keeps counts, and emits events.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "apply_int.h"
#include "arm.h"
#include "config.h"
#include "http.h"
#include "planfile.h"
#include "session.h"
#include "timeutil.h"

long long
apply_now_ms(void)
{
	return timeutil_mono_ms();
}

char *
apply_dupstr(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

void
apply_set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = apply_dupstr(s);
}

static void
node_free(struct anode *n)
{
	if (n == NULL)
		return;
	snapshot_writer_free(n->sw);
	free(n->id);
	free(n->kind);
	free(n->target);
	free(n->resource);
	free(n->project);
	free(n->deployment);
	free(n->label);
	free(n->source);
	free(n->project_kind);
	free(n->want_snapshot);
	free(n->deps);
	free(n->job_url);
	free(n->result_url);
	free(n->source_modified);
	free(n->oai_key);
	free(n->method);
	free(n->body);
	free(n->model_name);
	free(n->data_hash);
	free(n->settings_hash);
	free(n->train_sha);
	free(n->valid_sha);
	free(n->file_train);
	free(n->file_valid);
	free(n->ft_job);
	free(n);
}

static enum akind
kind_of(const char *k)
{
	if (strcmp(k, "export") == 0)
		return AK_EXPORT;
	if (strcmp(k, "import") == 0)
		return AK_IMPORT;
	if (strcmp(k, "train") == 0)
		return AK_TRAIN;
	if (strcmp(k, "deploy") == 0)
		return AK_DEPLOY;
	if (strcmp(k, "delete_deployment") == 0)
		return AK_DELETE_DEPLOYMENT;
	if (strcmp(k, "openai_create") == 0)
		return AK_OPENAI_CREATE;
	if (strcmp(k, "openai_update") == 0)
		return AK_OPENAI_UPDATE;
	if (strcmp(k, "openai_delete") == 0)
		return AK_OPENAI_DELETE;
	if (strcmp(k, "finetune") == 0)
		return AK_FINETUNE;
	return AK_OTHER;
}

void
apply_wake(struct apply *ap)
{
	http_wake(session_http(ap->sess));
}

void
apply_fatal(struct apply *ap, const struct err *err)
{
	if (ap->fatal)
		return;
	ap->fatal = 1;
	ap->fatal_err = *err;
	apply_wake(ap);
}

int
apply_touch(struct apply *ap, const char *resource)
{
	char **v;
	size_t i;

	if (resource == NULL)
		return 0;
	for (i = 0; i < ap->ntouched; i++)
		if (strcmp(ap->touched[i], resource) == 0)
			return 0;
	v = realloc(ap->touched, (ap->ntouched + 1) * sizeof(*v));
	if (v == NULL)
		return -1;
	ap->touched = v;
	if ((v[ap->ntouched] = strdup(resource)) == NULL)
		return -1;
	ap->ntouched++;
	return 0;
}

void
apply_emit(struct anode *n, enum apply_event_type type, const char *outcome,
    const char *detail, const char *error)
{
	struct apply *ap = n->ap;
	struct apply_event ev = { 0 };

	if (ap->o.event == NULL)
		return;
	ev.type = type;
	ev.action = n->id;
	ev.kind = n->kind;
	ev.target = n->target;
	ev.resumed = n->resumed;
	ev.outcome = outcome;
	ev.percent = type == APPLY_EVENT_PROGRESS ? n->percent : -1;
	ev.elapsed_ms = n->start_ms ? apply_now_ms() - n->start_ms : 0;
	ev.detail = detail;
	ev.error = error;
	ev.done = ap->done;
	ev.total = ap->n - ap->first;
	ap->o.event(ap->o.event_arg, &ev);
}

/* Ends a node that ran (or was skipped): counts, and the END event. */
static void
end_node(struct anode *n, enum astate st, const char *outcome,
    const char *detail, const char *error)
{
	struct apply *ap = n->ap;

	if (n->st == AS_RUN && ap->inflight > 0)
		ap->inflight--;
	n->st = st;
	n->busy = 0;
	n->rechecking = 0;
	ap->done++;
	apply_emit(n, APPLY_EVENT_END, outcome, detail, error);
	/* Its dependents may be ready: the pass loop starts them. */
	apply_wake(ap);
}

static void skip_dependents(struct anode *failed);

void
apply_succeed(struct anode *n, const char *detail)
{
	struct apply *ap = n->ap;
	struct err err = { 0 };

	if (n->jid != 0 &&
	    state_journal_finish(
	        ap->st, n->jid, STATE_ACTION_SUCCEEDED, NULL, &err) != 0) {
		apply_fatal(ap, &err);
		apply_leave(n);
		return;
	}
	if (n->k != AK_EXPORT && apply_touch(ap, n->resource) != 0) {
		err_set(&err, ERR_NOMEM, "out of memory");
		apply_fatal(ap, &err);
	}
	ap->sum.succeeded++;
	if (n->resumed)
		ap->sum.resumed++;
	end_node(n, AS_OK, "succeeded", detail, NULL);
}

void
apply_fail(struct anode *n, const char *error)
{
	struct apply *ap = n->ap;
	struct err err = { 0 };
	int sent = n->jid != 0;

	/* An action that failed before its intent (a missing snapshot, an
	 * unsupported kind) still gets its row: the journal is the record
	 * of what each run did. */
	if ((n->jid == 0 &&
	        state_journal_intent(ap->st, ap->run_id, n->id, n->kind,
	            n->target, NULL, &n->jid, &err) != 0) ||
	    state_journal_finish(
	        ap->st, n->jid, STATE_ACTION_FAILED, error, &err) != 0) {
		apply_fatal(ap, &err);
		apply_leave(n);
		return;
	}
	/* A change that failed once sent may have touched the resource. */
	if (n->k != AK_EXPORT && sent)
		(void)apply_touch(ap, n->resource);
	ap->sum.failed++;
	end_node(n, AS_FAIL, "failed", NULL, error);
	skip_dependents(n);
}

void
apply_abandon(struct anode *n, const char *error)
{
	struct apply *ap = n->ap;
	struct err err = { 0 };

	if (n->jid != 0 &&
	    state_journal_finish(
	        ap->st, n->jid, STATE_ACTION_FAILED, error, &err) != 0) {
		apply_fatal(ap, &err);
		apply_leave(n);
		return;
	}
	if (n->k != AK_EXPORT)
		(void)apply_touch(ap, n->resource);
	ap->sum.abandoned++;
	end_node(n, AS_FAIL, "abandoned", NULL, error);
}

/* Interrupted in flight: the journal row stays PENDING or SUBMITTED so
 * the next apply picks the job up. */
void
apply_leave(struct anode *n)
{
	struct apply *ap = n->ap;

	if (n->st == AS_RUN && ap->inflight > 0)
		ap->inflight--;
	n->st = AS_LEFT;
	n->busy = 0;
	n->rechecking = 0;
}

static int
depends_on(const struct anode *n, size_t idx)
{
	size_t i;

	for (i = 0; i < n->ndeps; i++)
		if (n->deps[i] == idx)
			return 1;
	return 0;
}

static void
skip_dependents(struct anode *failed)
{
	struct apply *ap = failed->ap;
	struct buf why = { 0 };
	struct err err = { 0 };
	size_t i, me = 0;

	for (i = ap->first; i < ap->n; i++)
		if (ap->v[i] == failed)
			me = i;
	buf_addf(&why, "dependency %s %s", failed->id,
	    failed->st == AS_SKIP ? "was skipped" : "failed");
	for (i = ap->first; i < ap->n; i++) {
		struct anode *d = ap->v[i];

		if (d->st != AS_WAIT || !depends_on(d, me))
			continue;
		if (!ap->fatal &&
		    (state_journal_intent(ap->st, ap->run_id, d->id, d->kind,
		         d->target, NULL, &d->jid, &err) != 0 ||
		        state_journal_finish(ap->st, d->jid,
		            STATE_ACTION_SKIPPED, buf_str(&why), &err) != 0))
			apply_fatal(ap, &err);
		ap->sum.skipped++;
		end_node(d, AS_SKIP, "skipped", NULL, buf_str(&why));
		skip_dependents(d);
	}
	buf_release(&why);
}

static int
add_node(struct apply *ap, struct anode *n, struct err *err)
{
	if (ap->n == ap->cap) {
		size_t cap = ap->cap ? ap->cap * 2 : 16;
		struct anode **v = realloc(ap->v, cap * sizeof(*v));

		if (v == NULL)
			return err_set(err, ERR_NOMEM, "out of memory");
		ap->v = v;
		ap->cap = cap;
	}
	ap->v[ap->n++] = n;
	return 0;
}

static int
use_client(struct apply *ap, struct anode *n, struct err *err)
{
	struct language **v;
	size_t i;

	if (AK_IS_OPENAI(n->k))
		return apply_openai_client(n, err);
	if (session_language(ap->sess, n->resource, &n->lc, err) != 0)
		return -1;
	for (i = 0; i < ap->nlcs; i++)
		if (ap->lcs[i] == n->lc)
			return 0;
	v = realloc(ap->lcs, (ap->nlcs + 1) * sizeof(*v));
	if (v == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	ap->lcs = v;
	ap->lcs[ap->nlcs++] = n->lc;
	return 0;
}

/* A train waits while another training of the same project on the same
 * resource runs: the service allows one at a time. */
static int
train_busy(const struct apply *ap, const struct anode *n)
{
	size_t i;

	if (n->k != AK_TRAIN)
		return 0;
	for (i = ap->first; i < ap->n; i++) {
		const struct anode *o = ap->v[i];

		if (o != n && o->st == AS_RUN && o->k == AK_TRAIN &&
		    strcmp(o->resource, n->resource) == 0 &&
		    strcmp(o->project, n->project) == 0)
			return 1;
	}
	return 0;
}

static int
ready(const struct apply *ap, const struct anode *n)
{
	size_t i;

	if (n->st != AS_WAIT)
		return 0;
	for (i = 0; i < n->ndeps; i++)
		if (ap->v[n->deps[i]]->st != AS_OK)
			return 0;
	return !train_busy(ap, n);
}

static void
start_ready(struct apply *ap)
{
	int par = ap->o.parallelism > 0 ? ap->o.parallelism : 10;
	struct err err = { 0 };
	size_t i;

	for (i = ap->first; i < ap->n && ap->inflight < (size_t)par; i++) {
		struct anode *n = ap->v[i];

		if (ap->fatal || (ap->o.interrupted && *ap->o.interrupted))
			return;
		if (!ready(ap, n))
			continue;
		n->st = AS_RUN;
		ap->inflight++;
		n->start_ms = n->beat_ms = apply_now_ms();
		n->percent = -1;
		apply_emit(n, APPLY_EVENT_START, NULL, NULL, NULL);
		if (n->k == AK_OTHER) {
			struct buf why = { 0 };

			buf_addf(&why,
			    "%s: this standby does not run '%s' actions", n->id,
			    n->kind);
			apply_fail(n, buf_str(&why));
			buf_release(&why);
			continue;
		}
		if (use_client(ap, n, &err) != 0) {
			apply_fail(n, err.msg);
			continue;
		}
		apply_action_start(n);
	}
}

static int
interrupted(const struct apply *ap)
{
	return ap->o.interrupted != NULL && *ap->o.interrupted;
}

/* Runs the current pass until every node ended, a signal came, or the
 * state file failed. */
static int
run_pass(struct apply *ap, struct err *err)
{
	struct http *h = session_http(ap->sess);
	long hb = ap->o.heartbeat_ms > 0 ? ap->o.heartbeat_ms : 10000;
	long long now;
	long next, t;
	size_t i;

	for (;;) {
		start_ready(ap);
		if (ap->fatal || interrupted(ap) || ap->inflight == 0)
			break;
		now = apply_now_ms();
		next = hb < 1000 ? hb : 1000;
		for (i = ap->first; i < ap->n; i++) {
			struct anode *n = ap->v[i];

			if (n->st != AS_RUN)
				continue;
			if (now - n->beat_ms >= hb) {
				n->beat_ms = now;
				apply_emit(
				    n, APPLY_EVENT_HEARTBEAT, NULL, NULL, NULL);
			}
			if (n->rechecking && !n->busy) {
				if (n->recheck_next_ms <= now) {
					apply_action_recheck(n);
				} else if (n->recheck_next_ms - now < next) {
					next = (long)(n->recheck_next_ms - now);
				}
			}
		}
		if (ap->fatal || ap->inflight == 0)
			continue;
		for (i = 0; i < ap->nlcs; i++) {
			t = language_tick(ap->lcs[i]);
			if (t >= 0 && t < next)
				next = t;
		}
		for (i = 0; i < ap->narms; i++) {
			t = arm_tick(ap->arms[i]);
			if (t >= 0 && t < next)
				next = t;
		}
		if (http_pending(h) > 0) {
			/* A signal ends http_run early: the loop's check of
			 * interrupted then stops the pass. */
			if (http_run(h, next, err) < 0 &&
			    err->code != ERR_INTERRUPTED)
				return -1;
		} else if (next > 0) {
			struct timespec ts = { next / 1000,
				(next % 1000) * 1000000L };

			nanosleep(&ts, NULL);
		}
	}
	if (ap->fatal) {
		*err = ap->fatal_err;
		return -1;
	}
	for (i = ap->first; i < ap->n; i++) {
		struct anode *n = ap->v[i];

		if (n->st == AS_WAIT) {
			ap->sum.not_run++;
		} else if (n->st == AS_RUN) {
			apply_leave(n);
		}
	}
	if (interrupted(ap))
		ap->sum.interrupted = 1;
	return 0;
}

int
apply_new(struct apply **out, const struct config *cfg, struct session *sess,
    struct state *st, const struct apply_opts *opts, struct err *err)
{
	struct apply *ap;
	int64_t rev = 0;

	*out = NULL;
	if ((ap = calloc(1, sizeof(*ap))) == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	ap->cfg = cfg;
	ap->sess = sess;
	ap->st = st;
	if (opts != NULL)
		ap->o = *opts;
	if (ap->o.recheck_wait_ms < 0)
		ap->o.recheck_wait_ms = 60000;
	if (ap->o.recheck_every_ms <= 0)
		ap->o.recheck_every_ms = 1000;
	if (state_revision(st, &rev, err) != 0 ||
	    state_run_begin(st, ap->o.operation ? ap->o.operation : "apply",
	        rev, ap->run_id, err) != 0) {
		free(ap);
		return -1;
	}
	memcpy(ap->sum.run_id, ap->run_id, sizeof(ap->run_id));
	*out = ap;
	return 0;
}

void
apply_free(struct apply *ap)
{
	size_t i;

	if (ap == NULL)
		return;
	for (i = 0; i < ap->n; i++)
		node_free(ap->v[i]);
	free(ap->v);
	free(ap->lcs);
	free(ap->arms);
	for (i = 0; i < ap->ntouched; i++)
		free(ap->touched[i]);
	free(ap->touched);
	free(ap);
}

const struct apply_summary *
apply_summary(const struct apply *ap)
{
	return &ap->sum;
}

const char *const *
apply_touched(const struct apply *ap, size_t *n)
{
	*n = ap->ntouched;
	return (const char *const *)ap->touched;
}

int
apply_resume(struct apply *ap, struct err *err)
{
	struct state_actions list = { 0 };
	size_t i;
	int rc = -1;

	if (state_journal_unfinished(ap->st, ap->run_id, &list, err) != 0)
		return -1;
	ap->first = ap->n;
	ap->done = 0;
	for (i = 0; i < list.n; i++) {
		const struct state_action *a = &list.v[i];
		struct anode *n;

		if (state_journal_adopt(ap->st, a->id, ap->run_id, err) != 0)
			goto out;
		if ((n = calloc(1, sizeof(*n))) == NULL) {
			err_set(err, ERR_NOMEM, "out of memory");
			goto out;
		}
		n->ap = ap;
		n->resumed = 1;
		n->jid = a->id;
		n->intent_at = a->created_at;
		n->id = apply_dupstr(a->action);
		n->kind = apply_dupstr(a->kind);
		n->target = apply_dupstr(a->target);
		n->job_url = apply_dupstr(a->job_url);
		n->k = kind_of(a->kind);
		if (add_node(ap, n, err) != 0) {
			node_free(n);
			goto out;
		}
		if (n->id == NULL || n->kind == NULL || n->target == NULL ||
		    apply_action_from_detail(n, a->detail) != 0) {
			/* Nothing to finish it with: let the plan redo it. */
			n->st = AS_RUN;
			ap->inflight++;
			apply_abandon(n,
			    "the journal entry lacks what is "
			    "needed to resume it");
		}
	}
	rc = run_pass(ap, err);
out:
	state_actions_release(&list);
	return rc;
}

static const char *
target_str(const cJSON *a, const char *key)
{
	return planfile_str(planfile_get(a, "target"), key);
}

static const struct config_project *
find_project(const struct config *cfg, const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < cfg->nprojects; i++)
		if (strcmp(cfg->projects[i].name, name) == 0)
			return &cfg->projects[i];
	return config_project_find(cfg, name);
}

static int
family_of(const struct config_project *cp, const char *azure_kind)
{
	if (cp != NULL)
		return config_kind_is_text(cp->kind) ? LANGUAGE_TEXT
		                                     : LANGUAGE_CONVERSATIONS;
	if (azure_kind != NULL &&
	    (strcmp(azure_kind, "Conversation") == 0 ||
	        strcmp(azure_kind, "Orchestration") == 0))
		return LANGUAGE_CONVERSATIONS;
	return LANGUAGE_TEXT;
}

static int
make_target(struct anode *n)
{
	struct buf b = { 0 };

	if (n->k == AK_FINETUNE)
		buf_addf(&b, "%s/finetunes/%s", n->resource,
		    n->oai_key ? n->oai_key : "");
	else if (AK_IS_OPENAI(n->k))
		buf_addf(&b, "%s/deployments/%s", n->resource,
		    n->deployment ? n->deployment : "");
	else
		buf_addf(
		    &b, "%s/%s", n->resource, n->project ? n->project : "");
	if (n->k == AK_TRAIN && n->label != NULL)
		buf_addf(&b, "/models/%s", n->label);
	else if ((n->k == AK_DEPLOY || n->k == AK_DELETE_DEPLOYMENT) &&
	    n->deployment != NULL)
		buf_addf(&b, "/deployments/%s", n->deployment);
	if (b.failed) {
		buf_release(&b);
		return -1;
	}
	n->target = buf_take(&b);
	return 0;
}

static int
node_from_action(struct apply *ap, const cJSON *a, struct err *err)
{
	const struct config_project *cp;
	const cJSON *after = planfile_get(a, "after");
	struct anode *n;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	n->ap = ap;
	n->id = apply_dupstr(planfile_str(a, "id"));
	n->kind = apply_dupstr(planfile_str(a, "kind"));
	n->resource = apply_dupstr(target_str(a, "resource"));
	n->project = apply_dupstr(target_str(a, "project"));
	n->deployment = apply_dupstr(target_str(a, "deployment"));
	n->label = apply_dupstr(target_str(a, "model"));
	n->source = apply_dupstr(target_str(a, "source"));
	n->want_snapshot = apply_dupstr(planfile_str(after, "snapshot"));
	if (n->id == NULL || n->kind == NULL || n->resource == NULL) {
		node_free(n);
		return err_set(err, ERR_NOMEM, "out of memory");
	}
	n->k = kind_of(n->kind);
	if (AK_IS_OPENAI(n->k) && apply_openai_node(n, a) != 0) {
		node_free(n);
		return err_set(err, ERR_NOMEM, "out of memory");
	}
	cp = find_project(ap->cfg, n->project);
	n->cp = cp;
	n->fam = family_of(cp, target_str(a, "project_kind"));
	if (cp != NULL) {
		n->project_kind = apply_dupstr(config_kind_name(cp->kind));
		if (n->label == NULL && cp->model.label != NULL)
			n->label = apply_dupstr(cp->model.label);
	}
	if (make_target(n) != 0 || add_node(ap, n, err) != 0) {
		node_free(n);
		return err_set(err, ERR_NOMEM, "out of memory");
	}
	return 0;
}

int
apply_run(struct apply *ap, const cJSON *plan, struct err *err)
{
	const cJSON *a, *d, *deps;
	size_t i, j;

	ap->first = ap->n;
	ap->done = 0;
	cJSON_ArrayForEach(a, planfile_actions(plan))
	{
		if (node_from_action(ap, a, err) != 0)
			return -1;
	}
	/* depends_on ids -> indexes; planfile_check() proved they exist. */
	i = ap->first;
	cJSON_ArrayForEach(a, planfile_actions(plan))
	{
		struct anode *n = ap->v[i++];

		deps = planfile_get(a, "depends_on");
		n->deps = calloc(
		    (size_t)cJSON_GetArraySize(deps) + 1, sizeof(*n->deps));
		if (n->deps == NULL)
			return err_set(err, ERR_NOMEM, "out of memory");
		cJSON_ArrayForEach(d, deps)
		{
			for (j = ap->first; j < ap->n; j++)
				if (cJSON_IsString(d) &&
				    strcmp(ap->v[j]->id, d->valuestring) == 0)
					n->deps[n->ndeps++] = j;
		}
	}
	ap->sum.total += ap->n - ap->first;
	return run_pass(ap, err);
}

int
apply_finish(struct apply *ap, struct err *err)
{
	struct apply_event ev = { 0 };
	const char *status = ap->sum.interrupted ? "interrupted"
	    : ap->sum.failed > 0                 ? "failed"
	                                         : "succeeded";

	if (state_run_finish(ap->st, ap->run_id, status, err) != 0)
		return -1;
	if (ap->o.event != NULL) {
		ev.type = APPLY_EVENT_SUMMARY;
		ev.percent = -1;
		ev.summary = &ap->sum;
		ev.done = ap->done;
		ev.total = ap->sum.total;
		ap->o.event(ap->o.event_arg, &ev);
	}
	return 0;
}

int
apply_check_fresh(const cJSON *plan, const struct config *cfg, struct state *st,
    struct err *err)
{
	const cJSON *rev =
	    planfile_get(planfile_get(plan, "state"), "revision");
	const char *hash = planfile_str(planfile_get(plan, "config"), "hash");
	int64_t cur = 0;

	if (state_revision(st, &cur, err) != 0)
		return -1;
	if (!cJSON_IsNumber(rev) || (int64_t)rev->valuedouble != cur)
		return err_set(err, ERR_CONFLICT,
		    "the state changed since it was made (revision %lld, now "
		    "%lld)",
		    cJSON_IsNumber(rev) ? (long long)rev->valuedouble : -1LL,
		    (long long)cur);
	if (hash == NULL || strcmp(hash, cfg->hash_hex) != 0)
		return err_set(err, ERR_CONFLICT,
		    "the configuration changed since it was made");
	return 0;
}

void
apply_fail_err(struct anode *n, const struct err *err)
{
	if (err->code == ERR_INTERRUPTED)
		apply_leave(n);
	else
		apply_fail(n, err->msg);
}
