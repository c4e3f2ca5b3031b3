#ifndef STANDBY_ERR_H
#define STANDBY_ERR_H

/*
 * err.h - the one error type of lib/.  A function that can fail returns
 * int (0 ok, -1 failed) and fills a caller-owned struct err; there is no
 * hidden "last error".
 */

enum err_code {
	ERR_NONE = 0,
	ERR_NOMEM,
	ERR_IO,          /* a system call failed; msg has strerror() */
	ERR_SPEC,        /* the desired-state files are invalid */
	ERR_HTTP,        /* transport failure or unexpected status */
	ERR_CONFLICT,    /* the remote changed after we planned */
	ERR_STATEFILE,   /* the state file is corrupt, foreign or too new */
	ERR_NOTFOUND,    /* the object asked for does not exist */
	ERR_LOCKED,      /* another process holds the lock */
	ERR_INTERRUPTED, /* a signal asked us to stop */
};

struct err {
	enum err_code code;
	char msg[512];
};

/* Fills err from a printf format and returns -1, so that
 * "return err_set(...);" reads well.  err may be NULL. */
int err_set(struct err *err, enum err_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Fills err with "what: strerror(errno)", code ERR_IO; returns -1. */
int err_errno(struct err *err, const char *what);

/* Prepends "context: " to the message already in err; returns -1. */
int err_wrap(struct err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Resets err to ERR_NONE with an empty message. */
void err_clear(struct err *err);

#endif
