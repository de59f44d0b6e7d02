/* runcmd: a helper command run to its end, its output kept. */
#include "lib/runcmd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/childenv.h"
#include "lib/clock.h"

static void runcmd_child(char *const argv[], int out, int err, char **env)
{
	int devnull = open("/dev/null", O_RDONLY);
	sigset_t none;

	if (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0 ||
	    dup2(out, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0)
		_exit(126);
	/* bvops watch blocks its signals for sigwait: not the child. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	execvpe(argv[0], argv, env);
	_exit(errno == ENOENT ? 127 : 126);
}

int runcmd_capture(char *const argv[], int64_t timeout_ms, struct buf *out,
		   char *err, size_t errsize)
{
	int op[2], ep[2], fds[2], status = -1, open_fds = 2;
	int64_t deadline = clock_mono_ms() + timeout_ms;
	size_t elen = 0;
	bool killed = false;
	char **env;
	pid_t pid;

	err[0] = '\0';
	if (pipe2(op, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(ep, O_CLOEXEC) < 0) {
		close(op[0]);
		close(op[1]);
		return -1;
	}
	env = childenv_new(); /* before the fork: the child only execs */
	pid = fork();
	if (pid == 0)
		runcmd_child(argv, op[1], ep[1], env);
	free(env);
	close(op[1]);
	close(ep[1]);
	if (pid < 0) {
		close(op[0]);
		close(ep[0]);
		snprintf(err, errsize, "fork: %s", strerror(errno));
		return -1;
	}
	fds[0] = op[0];
	fds[1] = ep[0];
	while (open_fds > 0) {
		struct pollfd p[2] = {{.fd = fds[0], .events = POLLIN},
				      {.fd = fds[1], .events = POLLIN}};
		int64_t left = deadline - clock_mono_ms();
		char chunk[4096];
		int i;

		if (left <= 0) {
			kill(pid, SIGKILL);
			killed = true;
			break;
		}
		if (poll(p, 2, (int)left) < 0 && errno != EINTR)
			break;
		for (i = 0; i < 2; i++) {
			ssize_t got;

			if (fds[i] < 0 || !(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			got = read(fds[i], chunk, sizeof(chunk));
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0) {
				close(fds[i]);
				fds[i] = -1;
				open_fds--;
			} else if (i == 0) {
				buf_append(out, chunk, (size_t)got);
			} else if (elen + 1 < errsize) {
				size_t n = (size_t)got < errsize - elen - 1
					       ? (size_t)got
					       : errsize - elen - 1;

				memcpy(err + elen, chunk, n);
				elen += n;
				err[elen] = '\0';
			}
		}
	}
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (killed) {
		snprintf(err, errsize, "killed after %lld s",
			 (long long)(timeout_ms / 1000));
		return -1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
