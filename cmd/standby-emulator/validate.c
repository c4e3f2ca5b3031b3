/*
 * validate.c - checks an exported-project document before import (its
 * kind, metadata, the name rules and the references inside its assets),
 * and an orchestration project's targets before training or deploying.
 * Messages name the JSON path of the problem.
 */

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "emu.h"

static const char *const conv_kinds[] = { "Conversation", "Orchestration",
	NULL };
static const char *const text_kinds[] = { "CustomSingleLabelClassification",
	"CustomMultiLabelClassification", "CustomEntityRecognition", NULL };

/* The canonical (PascalCase) kind, accepting any case as the service is
 * believed to; NULL when it is not a kind of this family. */
const char *
validate_kind(const char *kind, enum emu_family fam)
{
	const char *const *k = fam == EMU_CONV ? conv_kinds : text_kinds;

	for (; kind != NULL && *k != NULL; k++)
		if (strcasecmp(kind, *k) == 0)
			return *k;
	return NULL;
}

/* BCP-47-like: "en", "en-us", "zh-Hans". */
int
validate_language(const char *s)
{
	size_t n = 0;

	if (s == NULL)
		return 0;
	while (isalpha((unsigned char)s[n]))
		n++;
	if (n < 2 || n > 3)
		return 0;
	s += n;
	while (*s == '-') {
		s++;
		for (n = 0; isalnum((unsigned char)s[n]); n++)
			;
		if (n == 0 || n > 8)
			return 0;
		s += n;
	}
	return *s == '\0';
}

static const char *
str_of(const cJSON *o, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

static int
in_list(const cJSON *arr, const char *category)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, arr)
	{
		const char *c = str_of(it, "category");

		if (c != NULL && category != NULL && strcmp(c, category) == 0)
			return 1;
	}
	return 0;
}

/* An optional array of objects each with a string "category". */
static int
categories(const cJSON *assets, const char *name, struct buf *why)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(assets, name), *it;
	int i = 0;

	if (arr == NULL)
		return 0;
	if (!cJSON_IsArray(arr)) {
		buf_addf(why, "assets.%s must be an array", name);
		return -1;
	}
	cJSON_ArrayForEach(it, arr)
	{
		if (str_of(it, "category") == NULL) {
			buf_addf(
			    why, "assets.%s[%d].category is required", name, i);
			return -1;
		}
		i++;
	}
	return 0;
}

static int
conv_assets(const cJSON *a, int orch, struct buf *why)
{
	const cJSON *intents = cJSON_GetObjectItemCaseSensitive(a, "intents");
	const cJSON *ents = cJSON_GetObjectItemCaseSensitive(a, "entities");
	const cJSON *utts = cJSON_GetObjectItemCaseSensitive(a, "utterances");
	const cJSON *u, *e, *it;
	int i = 0, k;

	if (categories(a, "intents", why) || categories(a, "entities", why))
		return -1;
	cJSON_ArrayForEach(it, intents)
	{
		const cJSON *o =
		    cJSON_GetObjectItemCaseSensitive(it, "orchestration");
		const char *tk;

		if (o != NULL && orch) {
			tk = str_of(o, "targetProjectKind");
			if (tk == NULL ||
			    (strcmp(tk, "Conversation") &&
			        strcmp(tk, "QuestionAnswering") &&
			        strcmp(tk, "Luis"))) {
				buf_addf(why,
				    "assets.intents[%d].orchestration."
				    "targetProjectKind must be Conversation, "
				    "QuestionAnswering or Luis",
				    i);
				return -1;
			}
			if (strcmp(tk, "Conversation") == 0) {
				const cJSON *c =
				    cJSON_GetObjectItemCaseSensitive(
				        o, "conversationOrchestration");

				if (str_of(c, "projectName") == NULL ||
				    str_of(c, "deploymentName") == NULL) {
					buf_addf(why,
					    "assets.intents[%d].orchestration."
					    "conversationOrchestration needs "
					    "projectName and deploymentName",
					    i);
					return -1;
				}
			}
		}
		i++;
	}
	if (utts == NULL)
		return 0;
	if (!cJSON_IsArray(utts)) {
		buf_addstr(why, "assets.utterances must be an array");
		return -1;
	}
	i = 0;
	cJSON_ArrayForEach(u, utts)
	{
		const char *text = str_of(u, "text"), *intent;
		size_t len;

		if (text == NULL) {
			buf_addf(
			    why, "assets.utterances[%d].text is required", i);
			return -1;
		}
		intent = str_of(u, "intent");
		if (intent == NULL || !in_list(intents, intent)) {
			buf_addf(why,
			    "assets.utterances[%d].intent '%s' is not one of "
			    "assets.intents",
			    i, intent ? intent : "");
			return -1;
		}
		len = emu_utf16_len(text);
		k = 0;
		cJSON_ArrayForEach(
		    e, cJSON_GetObjectItemCaseSensitive(u, "entities"))
		{
			const cJSON *off = cJSON_GetObjectItem(e, "offset");
			const cJSON *ln = cJSON_GetObjectItem(e, "length");

			if (!in_list(ents, str_of(e, "category"))) {
				buf_addf(why,
				    "assets.utterances[%d].entities[%d]."
				    "category is not one of assets.entities",
				    i, k);
				return -1;
			}
			if (!cJSON_IsNumber(off) || !cJSON_IsNumber(ln) ||
			    off->valuedouble < 0 || ln->valuedouble < 0 ||
			    off->valuedouble + ln->valuedouble > (double)len) {
				buf_addf(why,
				    "assets.utterances[%d].entities[%d]: "
				    "offset/length outside the text",
				    i, k);
				return -1;
			}
			k++;
		}
		i++;
	}
	return 0;
}

static int
text_assets(const cJSON *a, const char *kind, struct buf *why)
{
	const cJSON *classes = cJSON_GetObjectItemCaseSensitive(a, "classes");
	const cJSON *ents = cJSON_GetObjectItemCaseSensitive(a, "entities");
	const cJSON *docs = cJSON_GetObjectItemCaseSensitive(a, "documents");
	const cJSON *d, *c, *reg, *lab;
	int i = 0, k;

	if (categories(a, "classes", why) || categories(a, "entities", why))
		return -1;
	if (docs != NULL && !cJSON_IsArray(docs)) {
		buf_addstr(why, "assets.documents must be an array");
		return -1;
	}
	cJSON_ArrayForEach(d, docs)
	{
		if (str_of(d, "location") == NULL) {
			buf_addf(why,
			    "assets.documents[%d].location is required", i);
			return -1;
		}
		if (strcmp(kind, "CustomSingleLabelClassification") == 0) {
			c = cJSON_GetObjectItemCaseSensitive(d, "class");
			if (c != NULL &&
			    !in_list(classes, str_of(c, "category"))) {
				buf_addf(why,
				    "assets.documents[%d].class.category is "
				    "not one of assets.classes",
				    i);
				return -1;
			}
		} else if (strcmp(kind, "CustomMultiLabelClassification") ==
		    0) {
			k = 0;
			cJSON_ArrayForEach(
			    c, cJSON_GetObjectItemCaseSensitive(d, "classes"))
			{
				if (!in_list(classes, str_of(c, "category"))) {
					buf_addf(why,
					    "assets.documents[%d].classes[%d]."
					    "category is not one of "
					    "assets.classes",
					    i, k);
					return -1;
				}
				k++;
			}
		} else {
			cJSON_ArrayForEach(reg,
			    cJSON_GetObjectItemCaseSensitive(d, "entities"))
			{
				k = 0;
				cJSON_ArrayForEach(lab,
				    cJSON_GetObjectItemCaseSensitive(
				        reg, "labels"))
				{
					if (!in_list(ents,
					        str_of(lab, "category"))) {
						buf_addf(why,
						    "assets.documents[%d]."
						    "entities: label %d is "
						    "not one of "
						    "assets.entities",
						    i, k);
						return -1;
					}
					k++;
				}
			}
		}
		i++;
	}
	return 0;
}

int
validate_import(
    cJSON *doc, enum emu_family fam, const char *name, struct buf *why)
{
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(doc, "metadata");
	cJSON *assets = cJSON_GetObjectItemCaseSensitive(doc, "assets");
	const char *kind, *akind, *pn;

	if (!cJSON_IsString(
	        cJSON_GetObjectItemCaseSensitive(doc, "projectFileVersion"))) {
		buf_addstr(why, "projectFileVersion is required (a string)");
		return -1;
	}
	if (!cJSON_IsString(
	        cJSON_GetObjectItemCaseSensitive(doc, "stringIndexType"))) {
		buf_addstr(why, "stringIndexType is required");
		return -1;
	}
	if (!cJSON_IsObject(meta)) {
		buf_addstr(why, "metadata is required (an object)");
		return -1;
	}
	kind = validate_kind(str_of(meta, "projectKind"), fam);
	if (kind == NULL) {
		buf_addf(why, "metadata.projectKind '%s' is not valid for %s",
		    str_of(meta, "projectKind") ? str_of(meta, "projectKind")
		                                : "",
		    lang_famseg(fam));
		return -1;
	}
	/* Store the canonical spelling of the kind. */
	cJSON_ReplaceItemInObjectCaseSensitive(
	    meta, "projectKind", cJSON_CreateString(kind));
	pn = str_of(meta, "projectName");
	if (pn != NULL && !emu_valid_name(pn)) {
		buf_addf(
		    why, "metadata.projectName '%s' breaks the name rules", pn);
		return -1;
	}
	(void)name; /* the URL names the project; metadata's is ignored */
	if (!cJSON_IsString(
	        cJSON_GetObjectItemCaseSensitive(meta, "language"))) {
		buf_addstr(why, "metadata.language is required");
		return -1;
	}
	if (fam == EMU_TEXT &&
	    str_of(meta, "storageInputContainerName") == NULL) {
		buf_addstr(why,
		    "metadata.storageInputContainerName is "
		    "required for text projects");
		return -1;
	}
	if (assets == NULL || cJSON_IsNull(assets))
		return 0;
	if (!cJSON_IsObject(assets)) {
		buf_addstr(why, "assets must be an object");
		return -1;
	}
	akind = validate_kind(str_of(assets, "projectKind"), fam);
	if (akind == NULL || strcmp(akind, kind) != 0) {
		buf_addf(why,
		    "assets.projectKind must equal "
		    "metadata.projectKind ('%s')",
		    kind);
		return -1;
	}
	cJSON_ReplaceItemInObjectCaseSensitive(
	    assets, "projectKind", cJSON_CreateString(kind));
	if (fam == EMU_CONV)
		return conv_assets(
		    assets, strcmp(kind, "Orchestration") == 0, why);
	return text_assets(assets, kind, why);
}

/* An orchestration project routes by name to projects and deployments of
 * the same resource; each Conversation target must exist there. */
int
validate_orchestration(
    struct resource *res, const struct project *p, struct buf *why)
{
	const cJSON *it;

	if (strcmp(str_of(p->meta, "projectKind"), "Orchestration") != 0)
		return 0;
	cJSON_ArrayForEach(
	    it, cJSON_GetObjectItemCaseSensitive(p->assets, "intents"))
	{
		const cJSON *o =
		    cJSON_GetObjectItemCaseSensitive(it, "orchestration");
		const cJSON *c;
		struct project *t;
		const char *tp, *td;

		if (o == NULL ||
		    strcmp(str_of(o, "targetProjectKind"), "Conversation"))
			continue;
		c = cJSON_GetObjectItemCaseSensitive(
		    o, "conversationOrchestration");
		tp = str_of(c, "projectName");
		td = str_of(c, "deploymentName");
		t = tp ? lang_find(res, tp) : NULL;
		if (t == NULL || t->family != EMU_CONV) {
			buf_addf(why,
			    "intent '%s' routes to project '%s', which does "
			    "not exist on this resource",
			    str_of(it, "category"), tp ? tp : "");
			return -1;
		}
		if (td == NULL || lang_find_dep(t, td) == NULL) {
			buf_addf(why,
			    "intent '%s' routes to deployment '%s' of project "
			    "'%s', which does not exist on this resource",
			    str_of(it, "category"), td ? td : "", tp);
			return -1;
		}
	}
	return 0;
}
