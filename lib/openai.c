/* openai.c - the pure half of the Azure OpenAI module: ARM bodies parsed
 * into structs, the canonical PUT body, the drift diff and the pre-flight
 * check.  The client half is openaicl.c.
 *
 * The diff is asymmetric on purpose: the service fills in raiPolicyName,
 * versionUpgradeOption and model.version when a PUT leaves them out, so a
 * field the user did not set is never compared; otherwise every plan
 * would show perpetual drift (azurerm#32061). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "openai.h"

static const cJSON *
field(const cJSON *j, const char *name)
{
	return cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, name)
	                         : NULL;
}

/* Copies a string field into *out; absent or null leaves NULL; another
 * type is an error naming path.name. */
static int
get_str(const cJSON *j, const char *path, const char *name, char **out,
    struct err *err)
{
	const cJSON *v = field(j, name);

	*out = NULL;
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v))
		return err_set(
		    err, ERR_HTTP, "%s.%s: expected a string", path, name);
	if ((*out = strdup(v->valuestring)) == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	return 0;
}

static int
get_long(const cJSON *j, const char *path, const char *name, long *out,
    struct err *err)
{
	const cJSON *v = field(j, name);

	*out = -1;
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsNumber(v) || v->valuedouble < 0 ||
	    v->valuedouble > 2147483647.0)
		return err_set(err, ERR_HTTP,
		    "%s.%s: expected a non-negative integer", path, name);
	*out = (long)v->valuedouble;
	return 0;
}

static int
get_obj(const cJSON *j, const char *path, const char *name, const cJSON **out,
    struct err *err)
{
	const cJSON *v = field(j, name);

	*out = NULL;
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsObject(v))
		return err_set(
		    err, ERR_HTTP, "%s.%s: expected an object", path, name);
	*out = v;
	return 0;
}

/* The items of an array or of a {"value": [...]} page. */
static const cJSON *
items_of(const cJSON *j)
{
	if (cJSON_IsArray(j))
		return j;
	j = field(j, "value");
	return cJSON_IsArray(j) ? j : NULL;
}

/* ---- deployments ------------------------------------------------------- */

void
openai_deployment_release(struct openai_deployment *d)
{
	if (d == NULL)
		return;
	free(d->id);
	free(d->name);
	free(d->model_format);
	free(d->model_name);
	free(d->model_version);
	free(d->model_source);
	free(d->sku_name);
	free(d->version_upgrade_option);
	free(d->rai_policy_name);
	free(d->provisioning_state);
	free(d->deployment_state);
	memset(d, 0, sizeof(*d));
	d->sku_capacity = -1;
}

int
openai_deployment_parse(const cJSON *j, const char *path,
    struct openai_deployment *d, struct err *err)
{
	const cJSON *sku, *props, *model;
	char p[160];
	long cap;

	memset(d, 0, sizeof(*d));
	d->sku_capacity = -1;
	if (!cJSON_IsObject(j))
		return err_set(err, ERR_HTTP, "%s: expected an object", path);
	if (get_str(j, path, "id", &d->id, err) != 0 ||
	    get_str(j, path, "name", &d->name, err) != 0 ||
	    get_obj(j, path, "sku", &sku, err) != 0 ||
	    get_obj(j, path, "properties", &props, err) != 0)
		goto fail;
	snprintf(p, sizeof(p), "%s.sku", path);
	if (get_str(sku, p, "name", &d->sku_name, err) != 0 ||
	    get_long(sku, p, "capacity", &cap, err) != 0)
		goto fail;
	d->sku_capacity = (int)cap;
	snprintf(p, sizeof(p), "%s.properties", path);
	if (get_obj(props, p, "model", &model, err) != 0 ||
	    get_str(props, p, "versionUpgradeOption",
	        &d->version_upgrade_option, err) != 0 ||
	    get_str(props, p, "raiPolicyName", &d->rai_policy_name, err) != 0 ||
	    get_str(props, p, "provisioningState", &d->provisioning_state,
	        err) != 0 ||
	    get_str(props, p, "deploymentState", &d->deployment_state, err) !=
	        0)
		goto fail;
	snprintf(p, sizeof(p), "%s.properties.model", path);
	if (get_str(model, p, "format", &d->model_format, err) != 0 ||
	    get_str(model, p, "name", &d->model_name, err) != 0 ||
	    get_str(model, p, "version", &d->model_version, err) != 0 ||
	    get_str(model, p, "source", &d->model_source, err) != 0)
		goto fail;
	if (d->name == NULL) {
		err_set(err, ERR_HTTP, "%s.name: missing", path);
		goto fail;
	}
	return 0;
fail:
	openai_deployment_release(d);
	return -1;
}

void
openai_deployments_release(struct openai_deployments *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		openai_deployment_release(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int
openai_deployments_parse(
    const cJSON *j, struct openai_deployments *out, struct err *err)
{
	const cJSON *arr = items_of(j), *it;
	char p[32];
	size_t n;

	memset(out, 0, sizeof(*out));
	if (arr == NULL)
		return err_set(err, ERR_HTTP, "value: expected an array");
	n = (size_t)cJSON_GetArraySize(arr);
	if (n > 0 && (out->v = calloc(n, sizeof(*out->v))) == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	cJSON_ArrayForEach(it, arr)
	{
		snprintf(p, sizeof(p), "value[%zu]", out->n);
		if (openai_deployment_parse(it, p, &out->v[out->n], err) != 0) {
			openai_deployments_release(out);
			return -1;
		}
		out->n++;
	}
	return 0;
}

/* ---- accounts ---------------------------------------------------------- */

void
openai_account_release(struct openai_account *a)
{
	if (a == NULL)
		return;
	free(a->id);
	free(a->name);
	free(a->location);
	free(a->kind);
	free(a->sku_name);
	free(a->endpoint);
	free(a->provisioning_state);
	free(a->custom_subdomain);
	memset(a, 0, sizeof(*a));
}

int
openai_account_parse(const cJSON *j, struct openai_account *a, struct err *err)
{
	const cJSON *sku, *props, *dla;

	memset(a, 0, sizeof(*a));
	if (!cJSON_IsObject(j))
		return err_set(err, ERR_HTTP, "account: expected an object");
	if (get_str(j, "account", "id", &a->id, err) != 0 ||
	    get_str(j, "account", "name", &a->name, err) != 0 ||
	    get_str(j, "account", "location", &a->location, err) != 0 ||
	    get_str(j, "account", "kind", &a->kind, err) != 0 ||
	    get_obj(j, "account", "sku", &sku, err) != 0 ||
	    get_obj(j, "account", "properties", &props, err) != 0 ||
	    get_str(sku, "account.sku", "name", &a->sku_name, err) != 0 ||
	    get_str(props, "account.properties", "endpoint", &a->endpoint,
	        err) != 0 ||
	    get_str(props, "account.properties", "provisioningState",
	        &a->provisioning_state, err) != 0 ||
	    get_str(props, "account.properties", "customSubDomainName",
	        &a->custom_subdomain, err) != 0) {
		openai_account_release(a);
		return -1;
	}
	dla = field(props, "disableLocalAuth");
	a->disable_local_auth = cJSON_IsTrue(dla);
	return 0;
}

/* ---- models and usages ------------------------------------------------- */

static void
model_release(struct openai_model *m)
{
	for (size_t i = 0; i < m->nskus; i++) {
		free(m->skus[i].name);
		free(m->skus[i].usage_name);
		free(m->skus[i].deprecation_date);
	}
	free(m->skus);
	free(m->kind);
	free(m->format);
	free(m->name);
	free(m->version);
	free(m->lifecycle_status);
	memset(m, 0, sizeof(*m));
}

void
openai_models_release(struct openai_models *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		model_release(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int
is_true(const cJSON *caps, const char *name)
{
	const cJSON *v = field(caps, name);

	return cJSON_IsString(v) && strcasecmp(v->valuestring, "true") == 0;
}

static int
model_parse(const cJSON *item, const char *path, struct openai_model *m,
    struct err *err)
{
	const cJSON *mj = field(item, "model"), *skus, *s, *cap, *v;
	char p[96], sp[128];
	size_t n;

	memset(m, 0, sizeof(*m));
	m->is_default_version = -1;
	/* locations/{l}/models wraps the model; an account's list does not. */
	if (cJSON_IsObject(mj)) {
		if (get_str(item, path, "kind", &m->kind, err) != 0)
			goto fail;
		snprintf(p, sizeof(p), "%s.model", path);
	} else {
		mj = item;
		snprintf(p, sizeof(p), "%s", path);
	}
	if (!cJSON_IsObject(mj)) {
		err_set(err, ERR_HTTP, "%s: expected an object", p);
		goto fail;
	}
	if (get_str(mj, p, "format", &m->format, err) != 0 ||
	    get_str(mj, p, "name", &m->name, err) != 0 ||
	    get_str(mj, p, "version", &m->version, err) != 0 ||
	    get_str(mj, p, "lifecycleStatus", &m->lifecycle_status, err) != 0)
		goto fail;
	v = field(mj, "isDefaultVersion");
	if (cJSON_IsBool(v))
		m->is_default_version = cJSON_IsTrue(v);
	m->fine_tune = is_true(field(mj, "capabilities"), "fineTune") ||
	    is_true(field(mj, "finetuneCapabilities"), "fineTune");
	skus = field(mj, "skus");
	if (skus != NULL && !cJSON_IsArray(skus)) {
		err_set(err, ERR_HTTP, "%s.skus: expected an array", p);
		goto fail;
	}
	n = skus ? (size_t)cJSON_GetArraySize(skus) : 0;
	if (n > 0 && (m->skus = calloc(n, sizeof(*m->skus))) == NULL) {
		err_set(err, ERR_NOMEM, "out of memory");
		goto fail;
	}
	cJSON_ArrayForEach(s, skus)
	{
		struct openai_model_sku *k = &m->skus[m->nskus++];

		snprintf(sp, sizeof(sp), "%s.skus[%zu]", p, m->nskus - 1);
		k->minimum = k->maximum = k->step = k->dflt = -1;
		if (!cJSON_IsObject(s)) {
			err_set(err, ERR_HTTP, "%s: expected an object", sp);
			goto fail;
		}
		if (get_str(s, sp, "name", &k->name, err) != 0 ||
		    get_str(s, sp, "usageName", &k->usage_name, err) != 0 ||
		    get_str(s, sp, "deprecationDate", &k->deprecation_date,
		        err) != 0 ||
		    get_obj(s, sp, "capacity", &cap, err) != 0)
			goto fail;
		snprintf(sp + strlen(sp), sizeof(sp) - strlen(sp), ".capacity");
		if (get_long(cap, sp, "minimum", &k->minimum, err) != 0 ||
		    get_long(cap, sp, "maximum", &k->maximum, err) != 0 ||
		    get_long(cap, sp, "step", &k->step, err) != 0 ||
		    get_long(cap, sp, "default", &k->dflt, err) != 0)
			goto fail;
	}
	if (m->name == NULL) {
		err_set(err, ERR_HTTP, "%s.name: missing", p);
		goto fail;
	}
	return 0;
fail:
	model_release(m);
	return -1;
}

int
openai_models_parse(const cJSON *j, struct openai_models *out, struct err *err)
{
	const cJSON *arr = items_of(j), *it;
	char p[32];
	size_t n;

	memset(out, 0, sizeof(*out));
	if (arr == NULL)
		return err_set(err, ERR_HTTP, "value: expected an array");
	n = (size_t)cJSON_GetArraySize(arr);
	if (n > 0 && (out->v = calloc(n, sizeof(*out->v))) == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	cJSON_ArrayForEach(it, arr)
	{
		snprintf(p, sizeof(p), "value[%zu]", out->n);
		if (model_parse(it, p, &out->v[out->n], err) != 0) {
			openai_models_release(out);
			return -1;
		}
		out->n++;
	}
	return 0;
}

void
openai_usages_release(struct openai_usages *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].localized_name);
		free(l->v[i].unit);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int
get_num(const cJSON *j, const char *path, const char *name, double *out,
    struct err *err)
{
	const cJSON *v = field(j, name);

	*out = 0;
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsNumber(v))
		return err_set(
		    err, ERR_HTTP, "%s.%s: expected a number", path, name);
	*out = v->valuedouble;
	return 0;
}

int
openai_usages_parse(const cJSON *j, struct openai_usages *out, struct err *err)
{
	const cJSON *arr = items_of(j), *it, *nm;
	char p[48];
	size_t n;

	memset(out, 0, sizeof(*out));
	if (arr == NULL)
		return err_set(err, ERR_HTTP, "value: expected an array");
	n = (size_t)cJSON_GetArraySize(arr);
	if (n > 0 && (out->v = calloc(n, sizeof(*out->v))) == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	cJSON_ArrayForEach(it, arr)
	{
		struct openai_usage *u = &out->v[out->n++];

		snprintf(p, sizeof(p), "value[%zu]", out->n - 1);
		if (!cJSON_IsObject(it)) {
			err_set(err, ERR_HTTP, "%s: expected an object", p);
			goto fail;
		}
		if (get_obj(it, p, "name", &nm, err) != 0 ||
		    get_str(it, p, "unit", &u->unit, err) != 0 ||
		    get_num(it, p, "currentValue", &u->current_value, err) !=
		        0 ||
		    get_num(it, p, "limit", &u->limit, err) != 0)
			goto fail;
		snprintf(p + strlen(p), sizeof(p) - strlen(p), ".name");
		if (get_str(nm, p, "value", &u->name, err) != 0 ||
		    get_str(nm, p, "localizedValue", &u->localized_name, err) !=
		        0)
			goto fail;
		if (u->name == NULL) {
			err_set(err, ERR_HTTP, "%s.value: missing", p);
			goto fail;
		}
	}
	return 0;
fail:
	openai_usages_release(out);
	return -1;
}

/* ---- desired state ----------------------------------------------------- */

const char *
openai_upgrade_name(int u)
{
	switch (u) {
	case CONFIG_UPGRADE_ONCE_NEW_DEFAULT:
		return "OnceNewDefaultVersionAvailable";
	case CONFIG_UPGRADE_ONCE_EXPIRED:
		return "OnceCurrentVersionExpired";
	case CONFIG_UPGRADE_NO_AUTO:
		return "NoAutoUpgrade";
	default:
		return NULL;
	}
}

static const char *
want_name(const struct config_openai *d, const char *model_name)
{
	return model_name ? model_name : d->model_name;
}

static const char *
want_version(const struct config_openai *d, const char *model_name)
{
	if (d->model_version != NULL)
		return d->model_version;
	/* A fine-tuned model has one version, "1" (§8.3). */
	return model_name != NULL || d->fine_tune != NULL ? "1" : NULL;
}

int
openai_deployment_body(const struct config_openai *d, const char *model_name,
    struct buf *out, struct err *err)
{
	const char *name = want_name(d, model_name);
	const char *ver = want_version(d, model_name);
	const char *up = openai_upgrade_name(d->upgrade);

	if (name == NULL || name[0] == '\0')
		return err_set(err, ERR_SPEC,
		    "openai: deployment '%s': no model name (a fine-tuned "
		    "deployment needs the trained model's id)",
		    d->name);
	if (d->sku_name == NULL || d->sku_capacity < 1)
		return err_set(err, ERR_SPEC,
		    "openai: deployment '%s': sku name and a capacity >= 1 "
		    "are required",
		    d->name);
	buf_addstr(out, "{\"sku\":{\"name\":\"");
	buf_addjson(out, d->sku_name);
	buf_addf(out, "\",\"capacity\":%d},\"properties\":{\"model\":{",
	    d->sku_capacity);
	buf_addstr(out, "\"format\":\"");
	buf_addjson(out, d->model_format ? d->model_format : "OpenAI");
	buf_addstr(out, "\",\"name\":\"");
	buf_addjson(out, name);
	buf_addch(out, '"');
	if (ver != NULL) {
		buf_addstr(out, ",\"version\":\"");
		buf_addjson(out, ver);
		buf_addch(out, '"');
	}
	buf_addch(out, '}');
	if (up != NULL)
		buf_addf(out, ",\"versionUpgradeOption\":\"%s\"", up);
	if (d->rai_policy != NULL) {
		buf_addstr(out, ",\"raiPolicyName\":\"");
		buf_addjson(out, d->rai_policy);
		buf_addch(out, '"');
	}
	buf_addstr(out, "}}");
	return buf_check(out, err, "openai: building the deployment body");
}

const char *
openai_change_name(enum openai_change c)
{
	switch (c) {
	case OPENAI_CAPACITY_CHANGED:
		return "capacity_changed";
	case OPENAI_VERSION_CHANGED:
		return "version_changed";
	case OPENAI_UPGRADE_OPTION_CHANGED:
		return "upgrade_option_changed";
	case OPENAI_RAI_POLICY_CHANGED:
		return "rai_policy_changed";
	case OPENAI_SKU_CHANGED:
		return "sku_changed";
	case OPENAI_MODEL_CHANGED:
		return "model_changed";
	}
	return "unknown";
}

static void
add_item(struct openai_diff *out, enum openai_change c, const char *fld,
    const char *want, const char *have)
{
	struct openai_diff_item *it;

	if (out->n >= sizeof(out->items) / sizeof(out->items[0]))
		return;
	it = &out->items[out->n++];
	it->change = c;
	it->field = fld;
	snprintf(it->want, sizeof(it->want), "%s", want ? want : "(unset)");
	snprintf(it->have, sizeof(it->have), "%s", have ? have : "(unset)");
}

static int
same_ci(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcasecmp(a, b) == 0;
}

void
openai_deployment_diff(const struct config_openai *d, const char *model_name,
    const struct openai_deployment *live, struct openai_diff *out)
{
	const char *name = want_name(d, model_name);
	const char *fmt = d->model_format ? d->model_format : "OpenAI";
	const char *ver = want_version(d, model_name);
	const char *up = openai_upgrade_name(d->upgrade);
	char w[32], h[32];

	memset(out, 0, sizeof(*out));
	if (!same_ci(fmt, live->model_format) ||
	    (name != NULL &&
	        (live->model_name == NULL ||
	            strcmp(name, live->model_name) != 0)))
		add_item(out, OPENAI_MODEL_CHANGED, "properties.model.name",
		    name, live->model_name);
	if (!same_ci(d->sku_name, live->sku_name))
		add_item(out, OPENAI_SKU_CHANGED, "sku.name", d->sku_name,
		    live->sku_name);
	if (d->sku_capacity != live->sku_capacity) {
		snprintf(w, sizeof(w), "%d", d->sku_capacity);
		snprintf(h, sizeof(h), "%d", live->sku_capacity);
		add_item(out, OPENAI_CAPACITY_CHANGED, "sku.capacity", w,
		    live->sku_capacity < 0 ? NULL : h);
	}
	/* Unset fields are the service's to fill: no drift. */
	if (ver != NULL &&
	    (live->model_version == NULL ||
	        strcmp(ver, live->model_version) != 0))
		add_item(out, OPENAI_VERSION_CHANGED,
		    "properties.model.version", ver, live->model_version);
	if (up != NULL && !same_ci(up, live->version_upgrade_option))
		add_item(out, OPENAI_UPGRADE_OPTION_CHANGED,
		    "properties.versionUpgradeOption", up,
		    live->version_upgrade_option);
	if (d->rai_policy != NULL &&
	    (live->rai_policy_name == NULL ||
	        strcmp(d->rai_policy, live->rai_policy_name) != 0))
		add_item(out, OPENAI_RAI_POLICY_CHANGED,
		    "properties.raiPolicyName", d->rai_policy,
		    live->rai_policy_name);
}

/* ---- pre-flight -------------------------------------------------------- */

const char *
openai_shortfall_name(enum openai_shortfall_kind k)
{
	switch (k) {
	case OPENAI_SHORT_MODEL:
		return "model_not_offered";
	case OPENAI_SHORT_VERSION:
		return "version_not_offered";
	case OPENAI_SHORT_SKU:
		return "sku_not_offered";
	case OPENAI_SHORT_DEPRECATED:
		return "model_deprecated";
	case OPENAI_SHORT_CAPACITY:
		return "capacity_out_of_range";
	case OPENAI_SHORT_QUOTA:
		return "insufficient_quota";
	case OPENAI_SHORT_FINETUNE:
		return "fine_tuning_not_offered";
	case OPENAI_SHORT_NO_REGION:
		return "region_not_listed";
	}
	return "unknown";
}

void
openai_shortfalls_release(struct openai_shortfalls *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++) {
		struct openai_shortfall *s = &l->v[i];

		free(s->account);
		free(s->region);
		free(s->deployment);
		free(s->model);
		free(s->version);
		free(s->sku);
		free(s->usage_name);
		free(s->message);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static char *
dupstr(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Appends a shortfall with its message (fmt follows "region R:"). */
static int add_short(struct openai_shortfalls *out,
    enum openai_shortfall_kind kind, const struct openai_preflight_want *w,
    const char *model, const char *version, const struct openai_shortfall *nums,
    struct err *err, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));

static int
add_short(struct openai_shortfalls *out, enum openai_shortfall_kind kind,
    const struct openai_preflight_want *w, const char *model,
    const char *version, const struct openai_shortfall *nums, struct err *err,
    const char *fmt, ...)
{
	struct openai_shortfall *s, *v;
	struct buf m = { .max = 1024 };
	va_list ap;

	v = realloc(out->v, (out->n + 1) * sizeof(*out->v));
	if (v == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	out->v = v;
	s = &out->v[out->n];
	memset(s, 0, sizeof(*s));
	if (nums != NULL)
		*s = *nums;
	s->kind = kind;
	s->account = dupstr(w->account);
	s->region = dupstr(w->region);
	s->deployment = dupstr(w->d->name);
	s->model = dupstr(model);
	s->version = dupstr(version);
	s->sku = dupstr(w->d->sku_name);
	s->usage_name = nums ? dupstr(nums->usage_name) : NULL;
	buf_addf(&m, "region %s, account %s, deployment %s: ",
	    w->region ? w->region : "?", w->account ? w->account : "?",
	    w->d->name);
	va_start(ap, fmt);
	buf_vaddf(&m, fmt, ap);
	va_end(ap);
	s->message = buf_take(&m);
	out->n++;
	if (s->message == NULL || s->account == NULL || s->deployment == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	return 0;
}

static const struct openai_preflight_region *
find_region(const struct openai_preflight_region *r, size_t n,
    const struct openai_preflight_want *w)
{
	for (size_t i = 0; i < n; i++)
		if (same_ci(r[i].region, w->region) &&
		    (r[i].subscription == NULL || w->subscription == NULL ||
		        same_ci(r[i].subscription, w->subscription)))
			return &r[i];
	return NULL;
}

static const struct openai_model_sku *
find_sku(const struct openai_model *m, const char *sku)
{
	for (size_t i = 0; i < m->nskus; i++)
		if (same_ci(m->skus[i].name, sku))
			return &m->skus[i];
	return NULL;
}

/* The region's entry for (format, name, version): version NULL takes the
 * default version, else the first offered.  *named says whether the
 * name was offered at all, *sku_any whether any version offers sku. */
static const struct openai_model *
find_model(const struct openai_models *ms, const char *fmt, const char *name,
    const char *version, const char *sku, int *named)
{
	const struct openai_model *first = NULL, *dflt = NULL, *with_sku = NULL;

	*named = 0;
	for (size_t i = 0; i < ms->n; i++) {
		const struct openai_model *m = &ms->v[i];

		if (!same_ci(m->format ? m->format : "OpenAI", fmt) ||
		    m->name == NULL || strcmp(m->name, name) != 0)
			continue;
		*named = 1;
		if (version != NULL) {
			if (m->version == NULL ||
			    strcmp(m->version, version) != 0)
				continue;
			/* The same version may be listed once per kind
			 * (OpenAI, AIServices): prefer one with the sku. */
			if (find_sku(m, sku) != NULL)
				return m;
			if (first == NULL)
				first = m;
			continue;
		}
		if (first == NULL)
			first = m;
		if (m->is_default_version == 1 && dflt == NULL)
			dflt = m;
		if (with_sku == NULL && find_sku(m, sku) != NULL)
			with_sku = m;
	}
	if (dflt != NULL && (find_sku(dflt, sku) != NULL || with_sku == NULL))
		return dflt;
	return with_sku ? with_sku : first;
}

/* A quota total per (region, usage). */
struct need {
	const struct openai_preflight_region *r;
	const struct openai_usage *u;
	const struct openai_preflight_want *first;
	const char *model, *version;
	long asked;
};

static const struct openai_usage *
find_usage(const struct openai_usages *us, const char *name)
{
	if (us == NULL || name == NULL)
		return NULL;
	for (size_t i = 0; i < us->n; i++)
		if (same_ci(us->v[i].name, name))
			return &us->v[i];
	return NULL;
}

static int
check_finetune(const struct openai_preflight_want *w,
    const struct openai_preflight_region *r, struct openai_shortfalls *out,
    struct err *err)
{
	const char *base = w->d->fine_tune->base_model;

	for (size_t i = 0; i < r->models->n; i++) {
		const struct openai_model *m = &r->models->v[i];
		char nv[256];

		snprintf(nv, sizeof(nv), "%s-%s", m->name,
		    m->version ? m->version : "");
		if (m->fine_tune &&
		    (strcmp(m->name, base) == 0 || strcmp(nv, base) == 0))
			return 0;
	}
	return add_short(out, OPENAI_SHORT_FINETUNE, w, base, NULL, NULL, err,
	    "the region does not offer fine-tuning of %s", base);
}

int
openai_preflight(const struct openai_preflight_want *wants, size_t nwants,
    const struct openai_preflight_region *regions, size_t nregions,
    struct openai_shortfalls *out, struct err *err)
{
	struct need *needs = NULL;
	size_t nneeds = 0;
	int rc = -1;

	if (nwants > 0 && (needs = calloc(nwants, sizeof(*needs))) == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < nwants; i++) {
		const struct openai_preflight_want *w = &wants[i];
		const struct config_openai *d = w->d;
		const struct openai_preflight_region *r =
		    find_region(regions, nregions, w);
		const char *fmt = d->model_format ? d->model_format : "OpenAI";
		const struct openai_model *m;
		const struct openai_model_sku *k;
		const struct openai_usage *u;
		struct openai_shortfall nums = { 0 };
		long cap = d->sku_capacity, inc;
		int named;
		size_t j;

		if (r == NULL || r->models == NULL) {
			if (add_short(out, OPENAI_SHORT_NO_REGION, w,
			        d->model_name, d->model_version, NULL, err,
			        "no model list was read for the region") != 0)
				goto out;
			continue;
		}
		if (d->fine_tune != NULL) {
			if (check_finetune(w, r, out, err) != 0)
				goto out;
			continue;
		}
		m = find_model(r->models, fmt, d->model_name, d->model_version,
		    d->sku_name, &named);
		if (!named) {
			if (add_short(out, OPENAI_SHORT_MODEL, w, d->model_name,
			        d->model_version, NULL, err,
			        "model %s (%s) is not offered", d->model_name,
			        fmt) != 0)
				goto out;
			continue;
		}
		if (m == NULL) {
			if (add_short(out, OPENAI_SHORT_VERSION, w,
			        d->model_name, d->model_version, NULL, err,
			        "model %s version %s is not offered",
			        d->model_name, d->model_version) != 0)
				goto out;
			continue;
		}
		if (m->lifecycle_status != NULL &&
		    strcasecmp(m->lifecycle_status, "Deprecated") == 0) {
			if (add_short(out, OPENAI_SHORT_DEPRECATED, w, m->name,
			        m->version, NULL, err,
			        "model %s version %s is Deprecated", m->name,
			        m->version ? m->version : "?") != 0)
				goto out;
			continue;
		}
		if ((k = find_sku(m, d->sku_name)) == NULL) {
			if (add_short(out, OPENAI_SHORT_SKU, w, m->name,
			        m->version, NULL, err,
			        "model %s version %s is not offered with sku "
			        "%s",
			        m->name, m->version ? m->version : "?",
			        d->sku_name) != 0)
				goto out;
			continue;
		}
		nums.requested = cap;
		nums.minimum = k->minimum;
		nums.maximum = k->maximum;
		nums.step = k->step;
		if ((k->minimum > 0 && cap < k->minimum) ||
		    (k->maximum > 0 && cap > k->maximum) ||
		    (k->step > 1 &&
		        (cap - (k->minimum > 0 ? k->minimum : 0)) % k->step !=
		            0)) {
			if (add_short(out, OPENAI_SHORT_CAPACITY, w, m->name,
			        m->version, &nums, err,
			        "capacity %ld of %s %s sku %s is outside "
			        "minimum %ld, maximum %ld, step %ld",
			        cap, m->name, m->version ? m->version : "?",
			        d->sku_name, k->minimum, k->maximum,
			        k->step) != 0)
				goto out;
			continue;
		}
		inc = cap - (w->live_capacity > 0 ? w->live_capacity : 0);
		if (inc <= 0 ||
		    (u = find_usage(r->usages, k->usage_name)) == NULL)
			continue;
		for (j = 0; j < nneeds; j++)
			if (needs[j].r == r && needs[j].u == u)
				break;
		if (j == nneeds) {
			needs[j].r = r;
			needs[j].u = u;
			needs[j].first = w;
			needs[j].model = m->name;
			needs[j].version = m->version;
			nneeds++;
		}
		needs[j].asked += inc;
	}
	for (size_t j = 0; j < nneeds; j++) {
		const struct openai_usage *u = needs[j].u;
		double free_q = u->limit - u->current_value;
		struct openai_shortfall nums = { 0 };

		if ((double)needs[j].asked <= free_q)
			continue;
		nums.requested = needs[j].asked;
		nums.limit = u->limit;
		nums.current = u->current_value;
		nums.usage_name = u->name;
		if (add_short(out, OPENAI_SHORT_QUOTA, needs[j].first,
		        needs[j].model, needs[j].version, &nums, err,
		        "%s %s sku %s needs %ld more of quota %s, but only "
		        "%.0f is free (limit %.0f, in use %.0f)",
		        needs[j].model,
		        needs[j].version ? needs[j].version : "",
		        needs[j].first->d->sku_name, needs[j].asked, u->name,
		        free_q > 0 ? floor(free_q) : 0.0, u->limit,
		        u->current_value) != 0)
			goto out;
	}
	rc = 0;
out:
	free(needs);
	return rc;
}
