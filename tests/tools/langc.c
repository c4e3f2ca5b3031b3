/* langc.c - a small command line over lib/language for end-to-end tests:
 * one operation per run, a JSON summary on stdout, "langc: <error>" on
 * stderr.  Exit 0 ok, 1 error, 3 not found, 2 usage. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "auth.h"
#include "buf.h"
#include "http.h"
#include "language.h"

static const char usage[] =
    "usage: langc --endpoint URL (--key-env VAR | --key-file F | --entra "
    "client-secret|managed-identity|azure-cli)\n"
    "    [--cacert F] [--api-version V] [--poll-ms N] [--timeout-ms N]\n    "
    "[--page-size N] CMD\n"
    "  list-projects FAMILY | get-project FAMILY P | models FAMILY P |\n"
    "  deployments FAMILY P | training-config-versions FAMILY [KIND] |\n"
    "  export FAMILY P OUT | import FAMILY P IN | train FAMILY P LABEL |\n"
    "  deploy FAMILY P DEPLOYMENT LABEL | poll JOB-URL\n"
    "FAMILY is conversations or text\n";

static void
log_fn(void *arg, int level, const char *msg)
{
	(void)arg;
	if (level <= HTTP_LOG_WARN || getenv("LANGC_VERBOSE") != NULL)
		fprintf(stderr, "langc: %s\n", msg);
}

static void
add_str(cJSON *o, const char *k, const char *v)
{
	if (v != NULL)
		cJSON_AddStringToObject(o, k, v);
}

static cJSON *
project_json(const struct language_project *p)
{
	cJSON *o = cJSON_CreateObject();

	add_str(o, "name", p->name);
	add_str(o, "kind", p->kind);
	add_str(o, "language", p->language);
	add_str(o, "description", p->description);
	add_str(o, "storageInputContainerName", p->storage_container);
	cJSON_AddBoolToObject(o, "multilingual", p->multilingual);
	add_str(o, "lastModifiedDateTime", p->last_modified);
	cJSON_AddNumberToObject(
	    o, "lastModifiedEpoch", (double)p->last_modified_at);
	add_str(o, "lastTrainedDateTime", p->last_trained);
	add_str(o, "lastDeployedDateTime", p->last_deployed);
	return o;
}

static cJSON *
job_json(const struct language_job *j)
{
	cJSON *o = cJSON_CreateObject(), *e;

	add_str(o, "jobId", j->job_id);
	add_str(o, "status", language_job_status_name(j->status));
	add_str(o, "resultUrl", j->result_url);
	if (j->has_training) {
		add_str(o, "modelLabel", j->model_label);
		add_str(o, "trainingConfigVersion", j->training_config_version);
		cJSON_AddNumberToObject(o, "percentComplete", j->train_percent);
	}
	if (j->n_errors > 0) {
		e = cJSON_AddArrayToObject(o, "errors");
		for (size_t i = 0; i < j->n_errors; i++) {
			cJSON *x = cJSON_CreateObject();

			add_str(x, "code", j->errors[i].code);
			add_str(x, "message", j->errors[i].message);
			cJSON_AddItemToArray(e, x);
		}
	}
	return o;
}

static void
print(cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);

	puts(s);
	cJSON_free(s);
	cJSON_Delete(o);
}

static void
progress(void *arg, struct language_job *job, const struct err *err)
{
	(void)arg;
	(void)err;
	if (job != NULL && job->has_training)
		fprintf(stderr, "langc: %s %d%%\n",
		    language_job_status_name(job->status), job->train_percent);
}

static int
write_file(void *arg, const char *data, size_t len)
{
	return fwrite(data, 1, len, arg) == len ? 0 : -1;
}

static int
read_file(const char *path, struct buf *b, struct err *err)
{
	char chunk[8192];
	size_t n;
	FILE *fp = fopen(path, "rb");

	if (fp == NULL)
		return err_errno(err, path);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(b, chunk, n);
	fclose(fp);
	return buf_check(b, err, path);
}

/* Polls job_url and prints the final state. */
static int
poll_print(struct language *lc, const char *job_url, struct err *err)
{
	struct language_job final;
	cJSON *o;
	int rc;

	rc = language_poll_wait(lc, job_url, progress, NULL, &final, err);
	o = job_json(&final);
	add_str(o, "job", job_url);
	print(o);
	language_job_release(&final);
	return rc;
}

static int
run(struct language *lc, int argc, char **argv, struct err *err)
{
	const char *cmd = argv[0];
	enum language_family fam = LANGUAGE_CONVERSATIONS;
	char *job = NULL;
	int rc = -1;
	cJSON *o, *a;

	if (argc >= 2) {
		if (strcmp(argv[1], "text") == 0)
			fam = LANGUAGE_TEXT;
		else if (strcmp(argv[1], "conversations") != 0 &&
		    strcmp(cmd, "poll") != 0)
			return err_set(
			    err, ERR_SPEC, "unknown family '%s'", argv[1]);
	}
	if (strcmp(cmd, "list-projects") == 0 && argc == 2) {
		struct language_projects l;

		if (language_list_projects_wait(lc, fam, &l, err) != 0)
			return -1;
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "count", (double)l.n);
		a = cJSON_AddArrayToObject(o, "projects");
		for (size_t i = 0; i < l.n; i++)
			cJSON_AddItemToArray(a, project_json(&l.v[i]));
		print(o);
		language_projects_release(&l);
		return 0;
	}
	if (strcmp(cmd, "get-project") == 0 && argc == 3) {
		struct language_project p;

		if (language_get_project_wait(lc, fam, argv[2], &p, err) != 0)
			return -1;
		print(project_json(&p));
		language_project_release(&p);
		return 0;
	}
	if (strcmp(cmd, "models") == 0 && argc == 3) {
		struct language_models l;

		if (language_list_models_wait(lc, fam, argv[2], &l, err) != 0)
			return -1;
		a = cJSON_CreateArray();
		for (size_t i = 0; i < l.n; i++) {
			o = cJSON_CreateObject();
			add_str(o, "label", l.v[i].label);
			add_str(o, "modelId", l.v[i].model_id);
			add_str(o, "lastTrainedDateTime", l.v[i].last_trained);
			add_str(
			    o, "modelExpirationDate", l.v[i].expiration_date);
			add_str(o, "modelTrainingConfigVersion",
			    l.v[i].training_config_version);
			cJSON_AddItemToArray(a, o);
		}
		print(a);
		language_models_release(&l);
		return 0;
	}
	if (strcmp(cmd, "deployments") == 0 && argc == 3) {
		struct language_deployments l;

		if (language_list_deployments_wait(lc, fam, argv[2], &l, err) !=
		    0)
			return -1;
		a = cJSON_CreateArray();
		for (size_t i = 0; i < l.n; i++) {
			o = cJSON_CreateObject();
			add_str(o, "name", l.v[i].name);
			add_str(o, "modelId", l.v[i].model_id);
			add_str(
			    o, "lastDeployedDateTime", l.v[i].last_deployed);
			add_str(o, "deploymentExpirationDate",
			    l.v[i].expiration_date);
			cJSON_AddItemToArray(a, o);
		}
		print(a);
		language_deployments_release(&l);
		return 0;
	}
	if (strcmp(cmd, "training-config-versions") == 0 &&
	    (argc == 2 || argc == 3)) {
		struct language_tcvs l;

		if (language_list_training_config_versions_wait(
		        lc, fam, argc == 3 ? argv[2] : NULL, &l, err) != 0)
			return -1;
		a = cJSON_CreateArray();
		for (size_t i = 0; i < l.n; i++) {
			o = cJSON_CreateObject();
			add_str(o, "trainingConfigVersion", l.v[i].version);
			add_str(
			    o, "modelExpirationDate", l.v[i].expiration_date);
			cJSON_AddItemToArray(a, o);
		}
		print(a);
		language_tcvs_release(&l);
		return 0;
	}
	if (strcmp(cmd, "export") == 0 && argc == 4) {
		struct language_job final = { 0 };
		FILE *fp = NULL;

		if (language_export_start_wait(
		        lc, fam, argv[2], NULL, &job, err) != 0)
			return -1;
		if (language_poll_wait(lc, job, NULL, NULL, &final, err) != 0)
			goto export_out;
		if ((fp = fopen(argv[3], "wb")) == NULL) {
			err_errno(err, argv[3]);
			goto export_out;
		}
		if (language_export_result_wait(
		        lc, final.result_url, write_file, fp, err) != 0)
			goto export_out;
		if (fclose(fp) != 0) {
			fp = NULL;
			err_errno(err, argv[3]);
			goto export_out;
		}
		fp = NULL;
		o = job_json(&final);
		add_str(o, "job", job);
		print(o);
		rc = 0;
export_out:
		if (fp != NULL)
			fclose(fp);
		language_job_release(&final);
		free(job);
		return rc;
	}
	if (strcmp(cmd, "import") == 0 && argc == 4) {
		struct buf body = { 0 };

		if (read_file(argv[3], &body, err) == 0 &&
		    language_import_start_wait(
		        lc, fam, argv[2], body.data, body.len, &job, err) == 0)
			rc = poll_print(lc, job, err);
		buf_release(&body);
		free(job);
		return rc;
	}
	if (strcmp(cmd, "train") == 0 && argc == 4) {
		struct language_train_opts t = { .model_label = argv[3] };

		if (language_train_start_wait(
		        lc, fam, argv[2], &t, &job, err) == 0)
			rc = poll_print(lc, job, err);
		free(job);
		return rc;
	}
	if (strcmp(cmd, "deploy") == 0 && argc == 5) {
		if (language_deploy_start_wait(
		        lc, fam, argv[2], argv[3], argv[4], &job, err) == 0)
			rc = poll_print(lc, job, err);
		free(job);
		return rc;
	}
	if (strcmp(cmd, "poll") == 0 && argc == 2)
		return poll_print(lc, argv[1], err);
	return err_set(err, ERR_SPEC, "bad command\n%s", usage);
}

int
main(int argc, char **argv)
{
	struct http_opts ho = { .log = log_fn };
	struct auth_opts ao = { .log = log_fn };
	struct language_opts lo = { 0 };
	struct http *h = NULL;
	struct auth *a = NULL;
	struct language *lc = NULL;
	struct err err = { 0 };
	int i, rc = 1, have_auth = 0;

	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL)
			break;
		if (strcmp(k, "--endpoint") == 0)
			lo.endpoint = v;
		else if (strcmp(k, "--key-env") == 0) {
			ao.method = AUTH_KEY_ENV;
			ao.key_env = v;
			have_auth = 1;
		} else if (strcmp(k, "--key-file") == 0) {
			ao.method = AUTH_KEY_FILE;
			ao.key_file = v;
			have_auth = 1;
		} else if (strcmp(k, "--entra") == 0) {
			have_auth = 1;
			if (strcmp(v, "client-secret") == 0)
				ao.method = AUTH_CLIENT_SECRET;
			else if (strcmp(v, "managed-identity") == 0)
				ao.method = AUTH_MANAGED_IDENTITY;
			else if (strcmp(v, "azure-cli") == 0)
				ao.method = AUTH_AZURE_CLI;
			else
				have_auth = 0;
		} else if (strcmp(k, "--cacert") == 0)
			ho.cacert = v;
		else if (strcmp(k, "--api-version") == 0)
			lo.api_version = v;
		else if (strcmp(k, "--poll-ms") == 0)
			lo.poll_initial_ms = lo.poll_max_ms = atol(v);
		else if (strcmp(k, "--page-size") == 0)
			lo.page_size = atoi(v);
		else if (strcmp(k, "--timeout-ms") == 0)
			lo.poll_timeout_ms = atol(v);
		else
			break;
	}
	if (lo.endpoint == NULL || !have_auth || i >= argc) {
		fputs(usage, stderr);
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (http_new(&h, &ho, &err) != 0 || auth_new(&a, &ao, &err) != 0)
		goto out;
	lo.http = h;
	lo.auth = a;
	if (language_new(&lc, &lo, &err) != 0)
		goto out;
	rc = run(lc, argc - i, argv + i, &err) == 0 ? 0 : 1;
out:
	if (err.code != ERR_NONE) {
		fprintf(stderr, "langc: %s\n", err.msg);
		rc = err.code == ERR_NOTFOUND ? 3 : 1;
	}
	language_free(lc);
	http_free(h);
	auth_free(a);
	curl_global_cleanup();
	return rc;
}
