/*
 * aoaic.c - a small command-line client over lib/arm, lib/openai and
 * lib/finetune, for end-to-end tests against the emulator:
 *
 *	aoaic [-e ARM_ENDPOINT] [-v API_VERSION] [--poll-ms N] COMMAND ...
 *	  list    ACCOUNT_ID
 *	  get     ACCOUNT_ID NAME
 *	  put     ACCOUNT_ID NAME BODY_JSON
 *	  patch   ACCOUNT_ID NAME SKU CAPACITY
 *	  delete  ACCOUNT_ID NAME
 *	  account ACCOUNT_ID
 *	  models  ACCOUNT_ID LOCATION
 *	  usages  ACCOUNT_ID LOCATION
 *	  ft-upload  ENDPOINT FILE      (prints the file id)
 *	  ft-wait    ENDPOINT FILE_ID   (until processed)
 *	  ft-job     ENDPOINT MODEL TRAINING_FILE_ID   (prints the job id)
 *	  ft-poll    ENDPOINT JOB_ID    (prints fine_tuned_model)
 *
 * The management plane takes a bearer token from AOAIC_TOKEN; the data
 * plane an api-key from AOAIC_KEY when set, else the same token.
 * Deployments print as "name model version sku capacity rai upgrade
 * state", one a line.  Exits 0 on success, 1 on failure (the error on
 * stderr, with the service's code), 2 on bad usage.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "arm.h"
#include "auth.h"
#include "finetune.h"
#include "http.h"
#include "openai.h"

static int
env_token(void *arg, char **token, long long *expires_ms, struct err *err)
{
	const char *t = getenv("AOAIC_TOKEN");

	(void)arg;
	if (t == NULL || t[0] == '\0')
		return err_set(err, ERR_SPEC, "AOAIC_TOKEN is not set");
	*token = strdup(t);
	*expires_ms = 4102444800000LL;
	return *token ? 0 : err_set(err, ERR_NOMEM, "out of memory");
}

static const char *
s(const char *v)
{
	return v ? v : "-";
}

static void
print_dep(const struct openai_deployment *d)
{
	printf("%s %s %s %s %d %s %s %s\n", s(d->name), s(d->model_name),
	    s(d->model_version), s(d->sku_name), d->sku_capacity,
	    s(d->rai_policy_name), s(d->version_upgrade_option),
	    s(d->provisioning_state));
}

static int
usage(void)
{
	fprintf(stderr,
	    "usage: aoaic [-e ARM_ENDPOINT] [-v API_VERSION] "
	    "[--poll-ms N] COMMAND ARGS...\n");
	return 2;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b = { 0 };
	char chunk[8192];
	size_t n;

	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return b.failed ? (buf_release(&b), NULL) : buf_take(&b);
}

static int
mgmt(struct http *h, struct auth *a, const char *endpoint, const char *version,
    long poll_ms, int argc, char **argv, struct err *err)
{
	struct arm_opts ao = { .poll_initial_ms = poll_ms,
		.poll_max_ms = poll_ms * 4,
		.conflict_base_ms = poll_ms };
	struct openai_opts o = { .account_id = argv[1],
		.api_version = version,
		.endpoint = endpoint,
		.http = h,
		.auth = a,
		.arm = &ao };
	struct openai *oc = NULL;
	const char *cmd = argv[0];
	int rc = -1;

	if (openai_new(&oc, &o, err) != 0)
		return -1;
	if (strcmp(cmd, "list") == 0 && argc == 2) {
		struct openai_deployments l;

		if ((rc = openai_deployments_list_wait(oc, &l, err)) == 0) {
			for (size_t i = 0; i < l.n; i++)
				print_dep(&l.v[i]);
			openai_deployments_release(&l);
		}
	} else if (strcmp(cmd, "get") == 0 && argc == 3) {
		struct openai_deployment d;

		if ((rc = openai_deployment_get_wait(oc, argv[2], &d, err)) ==
		    0) {
			print_dep(&d);
			openai_deployment_release(&d);
		}
	} else if ((strcmp(cmd, "put") == 0 && argc == 4) ||
	    (strcmp(cmd, "patch") == 0 && argc == 5) ||
	    (strcmp(cmd, "delete") == 0 && argc == 3)) {
		struct openai_deployment d;
		struct buf body = { 0 };

		if (strcmp(cmd, "patch") == 0)
			buf_addf(&body,
			    "{\"sku\":{\"name\":\"%s\",\"capacity\":"
			    "%d}}",
			    argv[3], atoi(argv[4]));
		else if (strcmp(cmd, "put") == 0)
			buf_addstr(&body, argv[3]);
		rc = openai_deployment_write_wait(oc,
		    strcmp(cmd, "put") == 0         ? "PUT"
		        : strcmp(cmd, "patch") == 0 ? "PATCH"
		                                    : "DELETE",
		    argv[2], body.data, &d, err);
		if (rc == 0 && d.name != NULL)
			print_dep(&d);
		if (rc == 0)
			openai_deployment_release(&d);
		buf_release(&body);
	} else if (strcmp(cmd, "account") == 0 && argc == 2) {
		struct openai_account ac;

		if ((rc = openai_account_get_wait(oc, &ac, err)) == 0) {
			printf("%s %s %s %s\n", s(ac.name), s(ac.location),
			    s(ac.kind), s(ac.endpoint));
			openai_account_release(&ac);
		}
	} else if (strcmp(cmd, "models") == 0 && argc == 3) {
		struct openai_models m;

		if ((rc = openai_models_wait(oc, argv[2], &m, err)) == 0) {
			for (size_t i = 0; i < m.n; i++)
				for (size_t k = 0; k < m.v[i].nskus; k++)
					printf("%s %s %s %s %ld %ld %ld %s\n",
					    s(m.v[i].format), m.v[i].name,
					    s(m.v[i].version),
					    s(m.v[i].skus[k].name),
					    m.v[i].skus[k].minimum,
					    m.v[i].skus[k].maximum,
					    m.v[i].skus[k].step,
					    s(m.v[i].skus[k].usage_name));
			openai_models_release(&m);
		}
	} else if (strcmp(cmd, "usages") == 0 && argc == 3) {
		struct openai_usages u;

		if ((rc = openai_usages_wait(oc, argv[2], &u, err)) == 0) {
			for (size_t i = 0; i < u.n; i++)
				printf("%s %.0f %.0f\n", u.v[i].name,
				    u.v[i].current_value, u.v[i].limit);
			openai_usages_release(&u);
		}
	} else {
		openai_free(oc);
		return -2;
	}
	openai_free(oc);
	return rc;
}

static int
data(struct http *h, struct auth *a, long poll_ms, int argc, char **argv,
    struct err *err)
{
	struct finetune_opts fo = { .endpoint = argv[1],
		.http = h,
		.auth = a,
		.poll_initial_ms = poll_ms,
		.poll_max_ms = poll_ms * 4 };
	struct finetune *ft = NULL;
	struct finetune_file f;
	struct finetune_job j;
	const char *cmd = argv[0];
	int rc = -1;

	if (finetune_new(&ft, &fo, err) != 0)
		return -1;
	if (strcmp(cmd, "ft-upload") == 0 && argc == 3) {
		size_t len = 0;
		char *d = slurp(argv[2], &len);
		const char *base = strrchr(argv[2], '/');

		if (d == NULL)
			err_errno(err, argv[2]);
		else if ((rc = finetune_file_upload_wait(ft,
		              base ? base + 1 : argv[2], d, len, &f, err)) ==
		    0) {
			printf("%s\n", f.id);
			finetune_file_release(&f);
		}
		free(d);
	} else if (strcmp(cmd, "ft-wait") == 0 && argc == 3) {
		if ((rc = finetune_file_wait_wait(ft, argv[2], &f, err)) == 0) {
			printf("%s %s\n", f.id, s(f.status));
			finetune_file_release(&f);
		}
	} else if (strcmp(cmd, "ft-job") == 0 && argc == 4) {
		struct finetune_job_opts jo = { .model = argv[2],
			.training_file = argv[3] };

		if ((rc = finetune_job_create_wait(ft, &jo, &j, err)) == 0) {
			printf("%s\n", j.id);
			finetune_job_release(&j);
		}
	} else if (strcmp(cmd, "ft-poll") == 0 && argc == 3) {
		if ((rc = finetune_job_poll_wait(ft, argv[2], &j, err)) == 0) {
			printf("%s\n", j.fine_tuned_model);
			finetune_job_release(&j);
		}
	} else {
		rc = -2;
	}
	finetune_free(ft);
	return rc;
}

int
main(int argc, char **argv)
{
	const char *endpoint = NULL, *version = NULL;
	long poll_ms = 200;
	struct http_opts ho = { 0 };
	struct auth_opts to = { .method = AUTH_CLIENT_SECRET,
		.audience = AUTH_ARM,
		.fetch = env_token };
	struct auth_opts ko = { .method = AUTH_KEY_ENV,
		.key_env = "AOAIC_KEY",
		.key_header = "api-key" };
	struct http *h = NULL;
	struct auth *a = NULL;
	struct err err = { 0 };
	int i, rc = 1, r;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-e") == 0 && i + 1 < argc)
			endpoint = argv[++i];
		else if (strcmp(argv[i], "-v") == 0 && i + 1 < argc)
			version = argv[++i];
		else if (strcmp(argv[i], "--poll-ms") == 0 && i + 1 < argc)
			poll_ms = atol(argv[++i]);
		else
			return usage();
	}
	if (argc - i < 2)
		return usage();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (http_new(&h, &ho, &err) != 0)
		goto out;
	if (strncmp(argv[i], "ft-", 3) == 0 && getenv("AOAIC_KEY") != NULL) {
		if (auth_new(&a, &ko, &err) != 0)
			goto out;
	} else {
		to.audience =
		    strncmp(argv[i], "ft-", 3) == 0 ? AUTH_COGNITIVE : AUTH_ARM;
		if (auth_new(&a, &to, &err) != 0)
			goto out;
	}
	if (strncmp(argv[i], "ft-", 3) == 0)
		r = data(h, a, poll_ms, argc - i, argv + i, &err);
	else
		r = mgmt(
		    h, a, endpoint, version, poll_ms, argc - i, argv + i, &err);
	if (r == -2) {
		rc = usage();
		goto done;
	}
	rc = r == 0 ? 0 : 1;
	if (r == 0)
		goto done;
out:
	fprintf(stderr, "aoaic: %s\n", err.msg);
	rc = 1;
done:
	auth_free(a);
	http_free(h);
	curl_global_cleanup();
	return rc;
}
