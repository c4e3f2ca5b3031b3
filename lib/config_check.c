/*
 * config_check.c - the checks of standby.yaml that are about values, not
 * shapes: names Azure accepts, regions, URLs, files, and the second pass
 * over cross-references (sources, replicas, accounts, routes, names
 * claimed twice on one resource) once every object is known.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "config_int.h"

/* --- names and values ------------------------------------------------ */

int
config_name_chars(const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		        (s[i] >= 'A' && s[i] <= 'Z') ||
		        (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		        s[i] == '.' || s[i] == '-'))
			return 0;
	}
	return i >= 1 && i <= max;
}

int
config_valid_name(const char *s)
{
	return config_name_chars(s, 50);
}

int
config_valid_account_name(const char *s)
{
	size_t n = strlen(s);

	return n >= 2 && n <= 64 && config_name_chars(s, 64) && s[0] != '_' &&
	    s[0] != '.' && s[0] != '-';
}

int
config_parse_duration(const char *s, long long *seconds)
{
	long long v = 0, mult = 1;
	size_t i = 0;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	for (; s[i] >= '0' && s[i] <= '9'; i++) {
		if (v > 100000000LL)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	switch (s[i]) {
	case '\0':
		i--; /* a bare number: seconds */
		break;
	case 's':
		break;
	case 'm':
		mult = 60;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'd':
		mult = 86400;
		break;
	default:
		return -1;
	}
	if (s[i + 1] != '\0')
		return -1;
	*seconds = v * mult;
	return 0;
}

void
config_check_name(
    struct ctx *c, ynode *at, const char *path, const char *what, const char *s)
{
	if (strlen(s) > 50)
		ERR_AT(c, at, path,
		    "%s '%s' is longer than 50 characters (%zu)", what,
		    yamlget_show(s).s, strlen(s));
	else if (!config_valid_name(s))
		ERR_AT(c, at, path,
		    "%s '%s' may hold only letters, digits, '_', '.' and '-'",
		    what, yamlget_show(s).s);
}

/* Blob container names: 3-63 of a-z, 0-9, '-', starting with a letter or
 * digit, no "--". */
int
config_valid_container(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 3 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		        (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
		if (s[i] == '-' && s[i + 1] == '-')
			return 0;
	}
	return 1;
}

int
config_valid_env_name(const char *s)
{
	size_t i;

	if (s[0] == '\0' || (s[0] >= '0' && s[0] <= '9') || strlen(s) > 128)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		        (s[i] >= 'A' && s[i] <= 'Z') ||
		        (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

int
config_valid_region(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		        (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return i >= 2 && i <= 40;
}

/* https://host[:port][/], or http:// on loopback (the emulator).  The URL
 * is never echoed: it could carry credentials. */
void
config_check_url(struct ctx *c, ynode *at, const char *path, char *url)
{
	const char *host, *end;
	size_t n;

	if (strncmp(url, "https://", 8) == 0) {
		host = url + 8;
	} else if (strncmp(url, "http://", 7) == 0) {
		host = url + 7;
		if (strncmp(host, "127.0.0.1", 9) != 0 &&
		    strncmp(host, "localhost", 9) != 0 &&
		    strncmp(host, "[::1]", 5) != 0) {
			ERR_AT(c, at, path,
			    "must use https:// (http:// is "
			    "allowed only on loopback)");
			return;
		}
	} else {
		ERR_AT(c, at, path, "must be an https:// URL");
		return;
	}
	end = host + strcspn(host, "/?#");
	if (memchr(host, '@', (size_t)(end - host)) != NULL) {
		ERR_AT(c, at, path, "must not hold credentials; use auth");
		return;
	}
	if (end == host || host[0] == ':') {
		ERR_AT(c, at, path, "has no host");
		return;
	}
	if (*end == '?' || *end == '#' || (*end == '/' && end[1] != '\0')) {
		ERR_AT(c, at, path,
		    "must be the bare endpoint: no path, query or fragment");
		return;
	}
	n = strlen(url);
	if (n > 0 && url[n - 1] == '/')
		url[n - 1] = '\0';
}

/* Resolves p against dir unless it is absolute. */
char *
config_resolve(struct ctx *c, const char *p)
{
	struct buf b = { .max = 8192 };
	char *s;

	if (p[0] == '/' || strcmp(c->cfg->dir, ".") == 0)
		return yamlget_dup(c, p);
	buf_addf(&b, "%s/%s", c->cfg->dir, p);
	if (b.failed || (s = buf_take(&b)) == NULL) {
		buf_release(&b);
		c->nomem = 1;
		return NULL;
	}
	return s;
}

int
config_check_file(struct ctx *c, ynode *at, const char *path, const char *what,
    const char *resolved)
{
	struct stat st;

	if (stat(resolved, &st) != 0) {
		ERR_AT(c, at, path, "cannot read %s '%s': %s", what,
		    yamlget_show(at->value).s, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		ERR_AT(c, at, path, "%s '%s' is not a regular file", what,
		    yamlget_show(at->value).s);
		return -1;
	}
	return 0;
}

/* --- references ------------------------------------------------------ */

static void
undeclared(struct ctx *c, ynode *at, const char *path, const char *name)
{
	const char **names;
	const char *hint;
	size_t i;

	names = calloc(c->cfg->nresources + 1, sizeof(*names));
	if (names == NULL) {
		c->nomem = 1;
		return;
	}
	for (i = 0; i < c->cfg->nresources; i++)
		names[i] =
		    c->cfg->resources[i].name ? c->cfg->resources[i].name : "";
	hint = yamlget_closest(name, names);
	if (hint != NULL)
		ERR_AT(c, at, path,
		    "resource '%s' is not declared under resources; did you "
		    "mean '%s'?",
		    yamlget_show(name).s, hint);
	else
		ERR_AT(c, at, path,
		    "resource '%s' is not declared under resources",
		    yamlget_show(name).s);
	free(names);
}

/* A reference to a resource that must exist and be of type want. */
static void
check_ref(struct ctx *c, ynode *at, const char *path, const char *name,
    enum config_resource_type want, const char *who)
{
	const struct config_resource *r = config_resource_find(c->cfg, name);

	if (r == NULL)
		undeclared(c, at, path, name);
	else if (r->type != 0 && r->type != want)
		ERR_AT(c, at, path,
		    "%s cannot live on resource '%s': it is %s "
		    "%s resource, not %s %s resource",
		    who, yamlget_show(name).s,
		    r->type == CONFIG_RESOURCE_OPENAI ? "an" : "a",
		    config_resource_type_name(r->type),
		    want == CONFIG_RESOURCE_OPENAI ? "an" : "a",
		    config_resource_type_name(want));
}

void
config_check_project_refs(struct ctx *c, ynode *map, const char *path,
    const struct config_project *pr)
{
	ynode *v, *list;
	char who[128], *p;
	size_t i, j;

	snprintf(who, sizeof(who), "a %s project",
	    pr->kind ? config_kind_name(pr->kind) : "Language");
	if (pr->source != NULL && (v = yamltree_get(map, "source")) != NULL) {
		p = yamlget_join(c, path, "source");
		check_ref(c, v, p, pr->source, CONFIG_RESOURCE_LANGUAGE, who);
		free(p);
	}
	list = yamltree_get(map, "replicas");
	if (list == NULL || list->type != YAMLTREE_SEQ ||
	    list->n != pr->nreplicas)
		return;
	for (i = 0; i < pr->nreplicas; i++) {
		char *rp = yamlget_join(c, path, "replicas");

		p = rp ? yamlget_join_index(c, rp, i) : NULL;
		free(rp);
		v = list->items[i];
		check_ref(
		    c, v, p, pr->replicas[i], CONFIG_RESOURCE_LANGUAGE, who);
		if (pr->source != NULL &&
		    strcmp(pr->source, pr->replicas[i]) == 0)
			ERR_AT(c, v, p,
			    "a replica cannot be its own source "
			    "'%s'",
			    yamlget_show(pr->source).s);
		for (j = 0; j < i; j++)
			if (strcmp(pr->replicas[j], pr->replicas[i]) == 0)
				ERR_AT(c, v, p, "replica '%s' is listed twice",
				    yamlget_show(pr->replicas[i]).s);
		free(p);
	}
}

void
config_check_openai_refs(
    struct ctx *c, ynode *map, const char *path, const struct config_openai *o)
{
	ynode *list = yamltree_get(map, "accounts");
	char *p, *lp;
	size_t i, j;

	if (list == NULL || list->type != YAMLTREE_SEQ || list->n != o->non)
		return;
	lp = yamlget_join(c, path, "accounts");
	for (i = 0; lp != NULL && i < o->non; i++) {
		p = yamlget_join_index(c, lp, i);
		check_ref(c, list->items[i], p, o->on[i],
		    CONFIG_RESOURCE_OPENAI, "an openai deployment");
		for (j = 0; j < i; j++)
			if (strcmp(o->on[j], o->on[i]) == 0)
				ERR_AT(c, list->items[i], p,
				    "account '%s' is listed twice",
				    yamlget_show(o->on[i]).s);
		free(p);
	}
	free(lp);
}

void
config_check_routes(struct ctx *c, ynode *projects)
{
	const struct config_project *pr, *t;
	ynode *pmap, *list, *at;
	size_t i, j, k;
	char *path, *p;

	for (i = 0; i < c->cfg->nprojects; i++) {
		pr = &c->cfg->projects[i];
		if (pr->kind != CONFIG_KIND_ORCHESTRATION || pr->key == NULL)
			continue;
		pmap = yamltree_get(projects, pr->key);
		list = yamltree_get(pmap, "routes");
		if ((path = yamlget_join(c, "projects", pr->key)) == NULL)
			return;
		for (j = 0; j < pr->nroutes; j++) {
			at = list != NULL && list->type == YAMLTREE_SEQ &&
			        j < list->n
			    ? list->items[j]
			    : yamltree_get(pmap, "assets");
			if (at == NULL)
				at = projects;
			p = yamlget_join(c, path, "routes");
			t = NULL;
			for (k = 0; k < c->cfg->nprojects; k++)
				if (c->cfg->projects[k].name != NULL &&
				    strcmp(c->cfg->projects[k].name,
				        pr->routes[j]) == 0)
					t = &c->cfg->projects[k];
			if (t == NULL)
				WARN_AT(c, at, p,
				    "orchestration routes to project '%s', "
				    "which is not declared here: it must "
				    "already exist on every replica before "
				    "this project is trained",
				    yamlget_show(pr->routes[j]).s);
			else if (t == pr)
				ERR_AT(c, at, p,
				    "an orchestration cannot route to itself");
			else if (t->kind != CONFIG_KIND_CONVERSATION)
				ERR_AT(c, at, p,
				    "orchestration can route only to "
				    "conversation projects; '%s' is %s",
				    yamlget_show(t->name).s,
				    config_kind_name(t->kind));
			free(p);
		}
		free(path);
	}
}

/* Projects by name, then in the order of the array. */
static int
cmp_project_name(const void *pa, const void *pb)
{
	const struct config_project *a =
	    *(const struct config_project *const *)pa;
	const struct config_project *b =
	    *(const struct config_project *const *)pb;
	int r = strcmp(a->name, b->name);

	if (r != 0)
		return r;
	return a < b ? -1 : a > b;
}

/* a (after b in the array) and b have one project name: reports a when
 * they share a resource. */
static void
check_claim(struct ctx *c, const struct config_project *a,
    const struct config_project *b)
{
	size_t k, l;

	for (k = 0; k <= a->nreplicas; k++) {
		const char *ra = k < a->nreplicas ? a->replicas[k] : a->source;
		int clash = 0;

		if (ra == NULL)
			continue;
		for (l = 0; l <= b->nreplicas; l++) {
			const char *rb =
			    l < b->nreplicas ? b->replicas[l] : b->source;
			if (rb != NULL && strcmp(ra, rb) == 0)
				clash = 1;
		}
		if (!clash)
			continue;
		char *pp = yamlget_join(c, "projects", a->key);

		yamlget_report(c, a->pos.line, a->pos.column, pp, DIAG_ERROR,
		    "project name '%s' on resource '%s' is already claimed by "
		    "projects.%s (line %d)",
		    yamlget_show(a->name).s, yamlget_show(ra).s,
		    yamlget_show(b->key).s, b->pos.line);
		free(pp);
		break;
	}
}

/* Project names are unique per Language resource, deployment names per
 * OpenAI account: two entries claiming one would overwrite each other. */
void
config_check_claims(struct ctx *c)
{
	const struct config *cfg = c->cfg;
	const struct config_project **v;
	const struct config_openai *x, *y;
	size_t i, j, k, l, m = 0, g, e;
	char *p;

	/* Projects by name (then file order), so that only those of one
	 * name are compared: a sort, not every pair. */
	if ((v = malloc((cfg->nprojects + 1) * sizeof(*v))) == NULL) {
		c->nomem = 1;
		return;
	}
	for (i = 0; i < cfg->nprojects; i++)
		if (cfg->projects[i].name != NULL)
			v[m++] = &cfg->projects[i];
	qsort(v, m, sizeof(*v), cmp_project_name);
	for (g = 0; g < m; g = e) {
		for (e = g + 1; e < m && strcmp(v[e]->name, v[g]->name) == 0;
		     e++)
			;
		for (i = g + 1; i < e; i++)
			for (j = g; j < i; j++)
				check_claim(c, v[i], v[j]);
	}
	free(v);
	for (i = 0; i < cfg->nopenai; i++) {
		x = &cfg->openai[i];
		for (j = 0; j < i; j++) {
			y = &cfg->openai[j];
			if (x->name == NULL || y->name == NULL ||
			    strcmp(x->name, y->name) != 0)
				continue;
			for (k = 0; k < x->non; k++)
				for (l = 0; l < y->non; l++)
					if (strcmp(x->on[k], y->on[l]) == 0)
						goto clash;
			continue;
clash:
			p = yamlget_join(c, "openai", x->key);
			yamlget_report(c, x->pos.line, x->pos.column, p,
			    DIAG_ERROR,
			    "deployment name '%s' on account '%s' is already "
			    "claimed by openai.%s (line %d)",
			    yamlget_show(x->name).s, yamlget_show(x->on[k]).s,
			    yamlget_show(y->key).s, y->pos.line);
			free(p);
		}
	}
}
