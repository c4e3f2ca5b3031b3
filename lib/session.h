#ifndef STANDBY_SESSION_H
#define STANDBY_SESSION_H

/*
 * session.h - the clients one command needs, built from the configuration:
 * one HTTP client (with the pacing of every resource), and per resource
 * its credential and its API client.  Commands create one session and pass
 * it down; nothing here is global.
 */

#include <signal.h>

#include "err.h"

struct config;
struct http;
struct language;
struct auth;
struct openai;
struct finetune;

struct session_opts {
	const char *cacert; /* --cacert; NULL = the system store */
	int insecure;       /* --insecure: loopback only */
	volatile sig_atomic_t *interrupted;
	/* Diagnostics (retries, warnings); never secrets. */
	void (*log)(void *arg, int level, const char *msg);
	void *log_arg;
	/* The first wait of an Azure OpenAI poll without Retry-After (ARM
	 * operations, fine-tuning files and jobs); 0 = the clients'
	 * defaults (5 s).  The emulator's jobs take milliseconds. */
	long oai_poll_initial_ms;
};

struct session;

/* Creates the HTTP client for cfg (timeouts and rate limits from its
 * settings).  Credentials and API clients are made on first use, so a
 * missing key only fails the resources that need it. */
int session_new(struct session **out, const struct config *cfg,
    const struct session_opts *opts, struct err *err);

void session_free(struct session *s);

/* The shared HTTP client.  Borrowed. */
struct http *session_http(struct session *s);

/* The Language client of resource name (a language resource of the
 * config), made on first use.  Borrowed.  Fails when the resource is not
 * declared, not a Language resource, or its credential cannot be read
 * (the error names the variable or file, never the value). */
int session_language(struct session *s, const char *name, struct language **out,
    struct err *err);

/* The credential of resource name, made on first use.  Borrowed. */
int session_auth(
    struct session *s, const char *name, struct auth **out, struct err *err);

/* The Azure OpenAI management client of resource name (an openai
 * resource of the config: its ARM id, settings.arm_endpoint, a
 * management-audience credential), made on first use.  Borrowed. */
int session_openai(
    struct session *s, const char *name, struct openai **out, struct err *err);

/* The fine-tuning (data plane) client of openai resource name, made on
 * first use: its endpoint (the config's, else endpoint_hint, else an
 * error), a cognitiveservices-audience credential of the same method.
 * Borrowed. */
int session_finetune(struct session *s, const char *name,
    const char *endpoint_hint, struct finetune **out, struct err *err);

#endif
