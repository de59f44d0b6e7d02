#include "check.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

#include "state/fleet.h"

struct check_test {
	const char *name;
	check_fn fn;
};

static struct check_test tests[512];
static size_t ntests;
static int current_failures;

void check_register(const char *name, check_fn fn)
{
	if (ntests < sizeof(tests) / sizeof(tests[0])) {
		tests[ntests].name = name;
		tests[ntests].fn = fn;
		ntests++;
	}
}

bool check_report(const char *file, int line, const char *expr, bool ok)
{
	if (!ok) {
		printf("  %s:%d: CHECK(%s) failed\n", file, line, expr);
		current_failures++;
	}
	return ok;
}

bool check_report_str(const char *file, int line, const char *expr,
		      const char *got, const char *want)
{
	bool ok = got != NULL && want != NULL && strcmp(got, want) == 0;

	if (!ok) {
		printf("  %s:%d: %s\n    got:  \"%s\"\n    want: \"%s\"\n",
		       file, line, expr, got ? got : "(null)",
		       want ? want : "(null)");
		current_failures++;
	}
	return ok;
}

int main(int argc, char **argv)
{
	size_t k;
	int passed = 0, failed = 0;

	/* As bvops itself (cli_main): EPIPE, not death, when a child
	 * closes the pipe it was fed through (the sink tests). */
	signal(SIGPIPE, SIG_IGN);
	for (k = 0; k < ntests; k++) {
		if (argc > 1 && strstr(tests[k].name, argv[1]) == NULL)
			continue;
		current_failures = 0;
		tests[k].fn();
		if (current_failures == 0) {
			passed++;
		} else {
			failed++;
			printf("FAIL %s\n", tests[k].name);
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}

struct fleet *check_fleet(const char *text)
{
	struct fleet_diags d;
	struct fleet *f = fleet_parse("fleet.toml", text, strlen(text), &d);

	if (f == NULL) {
		size_t k;

		for (k = 0; k < d.n; k++)
			fprintf(stderr, "test fleet: %s\n", d.lines[k]);
		fleet_diags_free(&d);
	}
	return f;
}

struct fleet *check_fleet3(const char *head)
{
	char text[2000];
	size_t k, len;

	len = (size_t)snprintf(text, sizeof(text),
			       "[fleet]\nname = \"t\"\n%s\n", head);
	for (k = 0; k < 3 && len < sizeof(text); k++)
		len += (size_t)snprintf(
		    text + len, sizeof(text) - len,
		    "[[node]]\nname = \"node-%zu\"\nindex = %zu\n"
		    "transport = \"local\"\n"
		    "ping_url = \"http://127.0.0.1:1/ping\"\n",
		    k, k);
	return check_fleet(text);
}

void check_wait_child(int timeout_ms)
{
	struct timespec ts = {timeout_ms / 1000,
			      (timeout_ms % 1000) * 1000000L};
	sigset_t chld, old;
	siginfo_t si;

	/* Blocked first, so that a child ending from now on leaves its
	 * SIGCHLD pending for sigtimedwait instead of being ignored. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &chld, &old);
	si.si_pid = 0;
	if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
	    si.si_pid == 0)
		sigtimedwait(&chld, NULL, &ts);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void check_rm_tree(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}
