/*
 * rss.c - runs a command and writes its peak resident set size, in KiB,
 * to a file: the benchmarks' /usr/bin/time -f %M without the package.
 *
 * Usage: rss OUTFILE COMMAND [ARG...]
 * Exits with the command's status (128 + N when signal N ended it; 127
 * when it could not be started).
 */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct rusage ru;
	FILE *fp;
	pid_t pid;
	int st;

	if (argc < 3) {
		fprintf(stderr, "usage: rss OUTFILE COMMAND [ARG...]\n");
		return 2;
	}
	pid = fork();
	if (pid < 0) {
		perror("rss: fork");
		return 127;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) < 0) {
		perror("rss: wait4");
		return 127;
	}
	fp = fopen(argv[1], "w");
	if (fp == NULL || fprintf(fp, "%ld\n", ru.ru_maxrss) < 0 ||
	    fclose(fp) != 0) {
		perror(argv[1]);
		return 127;
	}
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}
