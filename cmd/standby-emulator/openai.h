#ifndef STANDBY_EMU_OPENAI_H
#define STANDBY_EMU_OPENAI_H

/*
 * openai.h - the Azure OpenAI part of the emulator, private to
 * openai.c (ARM: accounts, deployments, operations), openai_cat.c (the
 * model catalogue, regions, quota) and openai_ft.c (the data plane:
 * files and fine-tuning).  Everything runs with emu->mu held.
 */

#include "emu.h"

#define AOAI_MAX_SKUS 5
#define AOAI_ID_MAX 200

/* One SKU a catalogue model offers: capacity range and default quota. */
struct cat_sku {
	const char *name;
	int min, max, step, def;
	int limit; /* default regional quota for its usage name */
};

/* One base model version of the built-in catalogue. */
struct cat_model {
	const char *name, *version;
	int is_default; /* the version a PUT without model.version gets */
	int finetune;   /* can be fine-tuned */
	const char *capability; /* "chatCompletion" or "embeddings" */
	struct cat_sku skus[AOAI_MAX_SKUS];
};

struct quota {
	char usage[96];
	double limit;
};

struct gone {
	char model[64], version[32], sku[40]; /* "" = any */
};

/* What the control API changed about one region. */
struct region {
	char name[EMU_NAME_MAX]; /* lower case, as ARM compares */
	struct quota *quota;
	size_t nquota;
	struct gone *gone;
	size_t ngone;
};

enum dep_state {
	DS_ACCEPTED,
	DS_CREATING,
	DS_SUCCEEDED,
	DS_FAILED,
	DS_DELETING
};

struct adep {
	char name[EMU_NAME_MAX];
	cJSON *doc; /* the Deployment as GET shows it, less provisioningState */
	enum dep_state state;
};

enum file_state {
	FS_PENDING,
	FS_RUNNING,
	FS_PROCESSED,
	FS_ERROR
};

struct afile {
	char id[48];
	char purpose[32];
	char filename[256];
	char *data;
	size_t len;
	double created, start_mono;
	struct job_timing timing;
	int polls;
	enum file_state state;
	char details[256];
};

enum ft_state {
	FT_PENDING,
	FT_RUNNING,
	FT_SUCCEEDED,
	FT_FAILED,
	FT_CANCELLED
};

struct ftjob {
	char id[48];
	const struct cat_model *base;
	char model[96]; /* as given */
	char training[48], validation[48];
	cJSON *hyper;
	char suffix[48];
	long seed;
	double created, finished, start_mono;
	struct job_timing timing;
	int polls;
	enum ft_state state;
	char ftmodel[AOAI_ID_MAX];
	char result_file[48];
	char err_code[48], err_msg[256];
	long tokens;
};

struct ftmodel {
	char id[AOAI_ID_MAX];
	const struct cat_model *base;
	char job[48];
	double created;
};

/* An openai account's state. */
struct aoai_acct {
	struct adep *deps;
	size_t ndeps;
	struct afile *files;
	size_t nfiles;
	struct ftjob *jobs;
	size_t njobs;
	struct ftmodel *models;
	size_t nmodels;
	char fail_code[64], fail_msg[512]; /* next deployment write fails */
};

enum op_kind {
	OP_CREATE,
	OP_UPDATE,
	OP_DELETE
};

/* An ARM long-running operation on one deployment. */
struct aop {
	char id[40];
	enum op_kind kind;
	struct resource *res;
	char dep[EMU_NAME_MAX];
	char region[EMU_NAME_MAX];
	double created, ended, start_mono;
	struct job_timing timing;
	int polls, done, failed, http;
	char code[64], msg[512];
};

/* The ARM endpoint's state. */
struct aoai_arm {
	struct aop *ops;
	size_t nops;
	struct region *regions;
	size_t nregions;
	long page_size;
};

/* openai_cat.c */
extern const struct cat_model aoai_catalogue[];
/* The region's settings, created on first use; NULL when out of memory. */
struct region *cat_region(struct emu *emu, const char *name);
/* The catalogue entry for name (+ version, NULL = default) that the
 * region offers with any SKU; NULL if none. */
const struct cat_model *cat_find(
    struct emu *emu, const char *region, const char *name, const char *ver);
/* Whether the region offers m with SKU sku (case-insensitive); the
 * canonical SKU, or NULL. */
const struct cat_sku *cat_sku(struct emu *emu, const char *region,
    const struct cat_model *m, const char *sku);
void cat_usage_name(
    const char *sku, const char *model, int finetune, char out[96]);
void cat_usage_label(
    const char *sku, const char *model, int finetune, char out[160]);
double cat_limit(struct emu *emu, const char *region, const char *usage);
/* Sum of capacities counted against usage in region, leaving out one
 * deployment (skip_res/skip_dep, may be NULL). */
double cat_used(struct emu *emu, const char *region, const char *usage,
    const struct resource *skip_res, const char *skip_dep);
/* The usage a deployment doc counts against and its capacity; -1 if it
 * counts against none. */
int cat_dep_usage(struct emu *emu, const struct resource *res, const cJSON *doc,
    char usage[96], double *cap);
void cat_models(
    struct emu *emu, const struct req *rq, struct resp *r, const char *region);
void cat_usages(
    struct emu *emu, const struct req *rq, struct resp *r, const char *region);
void cat_account_models(struct emu *emu, struct resource *res, struct resp *r);
/* Control calls on /_emulator/regions/R/{quota,models}. */
void cat_control(struct emu *emu, const struct req *rq, struct resp *r,
    const char *region, const char *what, const cJSON *body);
void cat_reset(struct emu *emu);

/* openai_ft.c */
const struct ftmodel *ft_find_model(const struct resource *res, const char *id);
void ft_advance(struct emu *emu, struct resource *res);
void ft_reset(struct aoai_acct *a);

/* openai.c */
struct aoai_acct *aoai_acct(struct resource *res);
void aoai_arm_error(struct resp *r, int status, const char *code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void aoai_account_id(const struct emu *emu, const char *name, struct buf *b);

#endif
