/* suite-child.c — one suite stage as a child process (see suite.h).
 *
 * The child runs in its own process group, so a Ctrl-C reaches it once,
 * from us: the handler forwards SIGINT/SIGTERM to the group and the child
 * ends the way it would at a terminal. When our stderr is a terminal the
 * child's stderr is a pseudo-terminal we relay, so its progress bar still
 * draws; the log keeps each line's last state (progress redraws and
 * terminal escapes collapsed). The child dies with us (PR_SET_PDEATHSIG). */
#include "suite.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "out-text.h"

#define KILL_GRACE_S 5.0    /* after a timeout's SIGTERM, before SIGKILL */
#define SIGNAL_GRACE_S 20.0 /* after a forwarded SIGINT/SIGTERM, before SIGKILL */
#define LOG_MAX (8u << 20)

static volatile sig_atomic_t g_signal;
static volatile pid_t g_pgid;

static void on_signal(int sig)
{
	int saved = errno;
	if (!g_signal)
		g_signal = sig;
	pid_t p = g_pgid;
	if (p > 0)
		kill(-p, sig);
	errno = saved;
}

void suite_signals_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

void suite_signals_restore(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
}

int suite_signal(void)
{
	return g_signal;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the log: lines as they finally looked on a terminal ---- */

struct stream {
	char line[1024];
	size_t len;
	int esc;            /* 0 text, 1 after ESC, 2 inside a CSI sequence */
	bool is_stderr;
};

struct log {
	char *buf;
	size_t len, cap;
	bool full;
	char *last_line;    /* points into the result */
	size_t last_cap;
};

static void log_put(struct log *l, const char *s, size_t n)
{
	if (l->full)
		return;
	if (l->len + n + 64 > LOG_MAX) {
		static const char cut[] = "[log cut at 8 MiB]\n";
		s = cut;
		n = sizeof(cut) - 1;
		l->full = true;
	}
	if (l->len + n + 1 > l->cap) {
		size_t cap = l->cap ? l->cap : 4096;
		while (cap < l->len + n + 1)
			cap *= 2;
		char *b = realloc(l->buf, cap);
		if (!b) {
			l->full = true;
			return;
		}
		l->buf = b;
		l->cap = cap;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	l->buf[l->len] = '\0';
}

static void stream_commit(struct stream *st, struct log *l)
{
	size_t n = st->len;
	while (n && (st->line[n - 1] == ' ' || st->line[n - 1] == '\t'))
		n--;
	if (n) {
		log_put(l, st->line, n);
		if (st->is_stderr) {
			size_t m = n < l->last_cap - 1 ? n : l->last_cap - 1;
			memcpy(l->last_line, st->line, m);
			l->last_line[m] = '\0';
		}
	}
	log_put(l, "\n", n ? 1 : 0);
	st->len = 0;
}

static void stream_feed(struct stream *st, struct log *l, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (st->esc == 1) {
			st->esc = c == '[' ? 2 : 0;
			continue;
		}
		if (st->esc == 2) {
			if (c >= 0x40 && c <= 0x7e)
				st->esc = 0;
			continue;
		}
		if (c == 0x1b) {
			st->esc = 1;
		} else if (c == '\n') {
			stream_commit(st, l);
		} else if (c == '\r') {
			st->len = 0; /* a redraw: the line starts over */
		} else if (st->len < sizeof(st->line)) {
			st->line[st->len++] = (char)c;
		}
	}
}

/* ---- running ---- */

static int open_pty(int *master, int *slave)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		return -errno;
	char name[128];
	if (grantpt(m) || unlockpt(m) || ptsname_r(m, name, sizeof(name))) {
		int e = -errno;
		close(m);
		return e;
	}
	int s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0) {
		int e = -errno;
		close(m);
		return e;
	}
	struct termios t;
	if (!tcgetattr(s, &t)) {
		cfmakeraw(&t);
		tcsetattr(s, TCSANOW, &t);
	}
	struct winsize ws;
	if (!ioctl(STDERR_FILENO, TIOCGWINSZ, &ws))
		ioctl(s, TIOCSWINSZ, &ws);
	*master = m;
	*slave = s;
	return 0;
}

static __attribute__((noreturn)) void child_exec(const struct suite_child *c, int err_fd,
						 int out_fd)
{
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	int nul = open("/dev/null", O_RDONLY);
	if (nul >= 0)
		dup2(nul, STDIN_FILENO);
	dup2(out_fd, STDOUT_FILENO);
	dup2(err_fd, STDERR_FILENO);
	execv(c->argv[0], c->argv);
	dprintf(STDERR_FILENO, "pfbench suite: exec %s: %s\n", c->argv[0], strerror(errno));
	_exit(127);
}

struct buf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void buf_put(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

/* The child's two output pipes (stderr through a pty when echoing to a
 * terminal, so its progress line redraws) and the fork. Returns the pid,
 * or -errno with nothing left open. */
static pid_t start_child(const struct suite_child *c, int *err_rd, int *out_rd, bool *pty)
{
	int err_wr = -1, out_pipe[2];
	*pty = c->echo && isatty(STDERR_FILENO) && open_pty(err_rd, &err_wr) == 0;
	if (!*pty) {
		int p[2];
		if (pipe2(p, O_CLOEXEC) < 0)
			return -errno;
		*err_rd = p[0];
		err_wr = p[1];
	}
	if (pipe2(out_pipe, O_CLOEXEC) < 0) {
		int e = errno;
		close(*err_rd);
		close(err_wr);
		return -e;
	}
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(*err_rd);
		close(err_wr);
		close(out_pipe[0]);
		close(out_pipe[1]);
		return -e;
	}
	if (pid == 0)
		child_exec(c, err_wr, out_pipe[1]);
	setpgid(pid, pid);
	g_pgid = pid;
	close(err_wr);
	close(out_pipe[1]);
	*out_rd = out_pipe[0];
	return pid;
}

/* A signal the suite got is passed on; a child past its timeout gets
 * SIGTERM; either one still there after its grace time gets SIGKILL. */
static void deadlines(const struct suite_child *c, struct suite_child_res *r, pid_t pid,
		      double t0, double *kill_at)
{
	int sig = g_signal;
	if (sig && !r->forwarded) {
		r->forwarded = sig;
		kill(-pid, sig); /* again: it may have come before g_pgid was set */
		*kill_at = now_s() + SIGNAL_GRACE_S;
	}
	double t = now_s();
	if (!r->timed_out && !r->forwarded && c->timeout_s && t - t0 > c->timeout_s) {
		r->timed_out = true;
		kill(-pid, SIGTERM);
		*kill_at = t + KILL_GRACE_S;
	}
	if (*kill_at && t > *kill_at) {
		kill(-pid, SIGKILL);
		r->sent_kill = true;
		*kill_at = 0;
	}
}

/* What the child writes while it runs: stderr echoed (when asked) and
 * logged; stdout captured to a file or logged. */
struct pump {
	struct pollfd fds[2];
	struct log log;
	struct stream serr, sout;
	struct buf captured;
};

/* Reads what poll() found ready; a pipe at EOF is closed (fd -1). */
static void pump_ready(const struct suite_child *c, struct pump *pm, int n)
{
	for (int i = 0; i < 2 && n > 0; i++) {
		if (pm->fds[i].fd < 0 || !pm->fds[i].revents)
			continue;
		char chunk[8192];
		ssize_t got = read(pm->fds[i].fd, chunk, sizeof(chunk));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) { /* EOF, or EIO from a pty whose slave closed */
			close(pm->fds[i].fd);
			pm->fds[i].fd = -1;
			continue;
		}
		if (i == 0) {
			if (c->echo)
				(void)out_write_fd(STDERR_FILENO, chunk, (size_t)got); /* best effort: the log has it all */
			stream_feed(&pm->serr, &pm->log, chunk, (size_t)got);
		} else if (c->stdout_path) {
			buf_put(&pm->captured, chunk, (size_t)got);
		} else {
			stream_feed(&pm->sout, &pm->log, chunk, (size_t)got);
		}
	}
}

/* Until the child has exited and both pipes are closed; *status gets
 * its wait status when it was reaped here. */
static bool watch(const struct suite_child *c, struct suite_child_res *r, pid_t pid, double t0,
		  struct pump *pm, int *status)
{
	double kill_at = 0;
	for (;;) {
		deadlines(c, r, pid, t0, &kill_at);
		if (pm->fds[0].fd < 0 && pm->fds[1].fd < 0) {
			if (waitpid(pid, status, WNOHANG) == pid)
				return true;
			usleep(50000);
			continue;
		}
		int n = poll(pm->fds, 2, 200);
		if (n < 0 && errno != EINTR)
			return false;
		pump_ready(c, pm, n);
	}
}

/* The captured stdout into c->stdout_path, for a child that succeeded. */
static void save_stdout(const struct suite_child *c, struct suite_child_res *r,
			const struct buf *captured)
{
	if (!c->stdout_path || r->exit_code != 0)
		return;
	if (captured->oom) {
		snprintf(r->last_line, sizeof(r->last_line), "out of memory capturing stdout");
		r->exit_code = 1;
		return;
	}
	int e = out_write_text(c->stdout_path, captured->p ? captured->p : "", captured->len);
	if (e) {
		snprintf(r->last_line, sizeof(r->last_line), "%s: %s", c->stdout_path, strerror(-e));
		r->exit_code = 1;
	}
}

int suite_child_run(const struct suite_child *c, struct suite_child_res *r)
{
	memset(r, 0, sizeof(*r));
	r->exit_code = -1;
	int err_rd = -1, out_rd = -1, status = 0;
	bool pty = false;
	double t0 = now_s();
	pid_t pid = start_child(c, &err_rd, &out_rd, &pty);
	if (pid < 0) {
		snprintf(r->last_line, sizeof(r->last_line), "cannot start %s: %s", c->argv[0],
			 strerror((int)-pid));
		return (int)pid;
	}

	struct pump pm = {
		.fds = { { .fd = err_rd, .events = POLLIN }, { .fd = out_rd, .events = POLLIN } },
		.log = { .last_line = r->last_line, .last_cap = sizeof(r->last_line) },
		.serr = { .is_stderr = true },
		.sout = { .is_stderr = false },
	};
	bool reaped = watch(c, r, pid, t0, &pm, &status);
	for (int i = 0; i < 2; i++)
		if (pm.fds[i].fd >= 0)
			close(pm.fds[i].fd);
	if (!reaped)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	g_pgid = 0;
	r->duration_s = now_s() - t0;
	if (pm.serr.len)
		stream_commit(&pm.serr, &pm.log);
	if (pm.sout.len)
		stream_commit(&pm.sout, &pm.log);
	if (pty && c->echo && pm.serr.len == 0)
		(void)out_write_fd(STDERR_FILENO, "\r\033[K", 4); /* a progress line left behind */

	if (WIFEXITED(status))
		r->exit_code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		r->term_signal = WTERMSIG(status);
	r->log = pm.log.buf;
	r->log_len = pm.log.len;
	save_stdout(c, r, &pm.captured);
	free(pm.captured.p);
	return 0;
}

void suite_child_res_free(struct suite_child_res *r)
{
	free(r->log);
	r->log = NULL;
}
