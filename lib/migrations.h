#ifndef STANDBY_MIGRATIONS_H
#define STANDBY_MIGRATIONS_H

/*
 * migrations.h - the state file's schema, compiled in from state/NNN_name.sql
 * by state/embed.sh.  Migration N brings a file from user_version N-1 to N.
 */

struct migration {
	int version;      /* N of state/NNN_name.sql; 0 ends the table */
	const char *name; /* "001_init" */
	const char *sql;
};

/* Ordered by version and terminated by an entry whose version is 0. */
extern const struct migration state_migrations[];

#endif
