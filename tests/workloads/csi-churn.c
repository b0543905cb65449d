// SPDX-License-Identifier: GPL-2.0
/*
 * A fork/exec storm from a process whose name contains "csi", so that
 * `scaletrace nodestage` follows it as a CSI node plugin (tests/integration/
 * test-churn.sh, bench/soak):
 *
 *   csi-churn [-n COUNT] [-r RATE] [-d SECS] [-j JOBS] [-m EVERY] [-w PID [-e EVERY]]
 *             [CMD [ARGS...]]
 *
 *   -n COUNT  short-lived processes to run (default 10000; 0 = until -d or a signal)
 *   -r RATE   processes started per second, paced (default 0 = as fast as possible)
 *   -d SECS   stop after this long (default 0 = no limit)
 *   -j JOBS   children running at once (default 1)
 *   -m EVERY  every EVERY-th child is a pretend staging step: CMD run with the argv of
 *             a `mount` onto a kubelet staging path, so nodestage sees an operation
 *   -w PID    print the VmRSS and VmHWM of PID (a tracer) every -e processes; up to 4 -w
 *   -e EVERY  (default 1000)
 *   CMD       what each child execs (default /bin/true)
 *
 * Stops early, cleanly, on SIGINT or SIGTERM. Prints a line per -e processes with
 * -w ("churn n=N t=SECS rate=R/s pid=P rss_kib=K hwm_kib=K ...") and a final
 * "churn done n=... failed=... secs=... rate=.../s"; exit 1 when a child failed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* VmRSS and VmHWM of @pid in KiB; -1 when unknown. */
static void read_rss(int pid, long *rss, long *hwm)
{
	char path[64], line[256];
	FILE *f;

	*rss = *hwm = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "VmRSS:", 6))
			*rss = atol(line + 6);
		else if (!strncmp(line, "VmHWM:", 6))
			*hwm = atol(line + 6);
	}
	fclose(f);
}

static int reap(int *running, long *failed, int options)
{
	int status;
	pid_t pid = waitpid(-1, &status, options);

	if (pid <= 0)
		return -1;
	(*running)--;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		(*failed)++;
	return 0;
}

int main(int argc, char **argv)
{
	static char *default_cmd[] = { "/bin/true", NULL };
	long count = 10000, every = 1000, mark = 0, n = 0, failed = 0;
	double rate = 0, secs = 0, start, t;
	int jobs = 1, watch[4], nwatch = 0, running = 0, opt, i;
	char **cmd = default_cmd;
	char staging[200], dev[64];
	struct sigaction sa;

	while ((opt = getopt(argc, argv, "+n:r:d:j:m:w:e:")) != -1) {
		switch (opt) {
		case 'n':
			count = atol(optarg);
			break;
		case 'r':
			rate = atof(optarg);
			break;
		case 'd':
			secs = atof(optarg);
			break;
		case 'j':
			jobs = atoi(optarg);
			break;
		case 'm':
			mark = atol(optarg);
			break;
		case 'w':
			if (nwatch < 4)
				watch[nwatch++] = atoi(optarg);
			break;
		case 'e':
			every = atol(optarg);
			break;
		default:
			fprintf(stderr, "usage: csi-churn [-n COUNT] [-r RATE] [-d SECS] [-j JOBS] "
					"[-m EVERY] [-w PID [-e EVERY]] [CMD [ARGS...]]\n");
			return 2;
		}
	}
	if (optind < argc)
		cmd = argv + optind;
	if (count < 0 || rate < 0 || secs < 0 || jobs < 1 || every < 1 || mark < 0) {
		fprintf(stderr, "csi-churn: invalid arguments\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	start = now_s();
	while (!stop && (!count || n < count) && (!secs || now_s() - start < secs)) {
		char *fake[] = { "mount", "-t", "ext4", dev, staging, NULL };
		char **av = cmd;
		pid_t pid;

		while (running > 0 && !reap(&running, &failed, WNOHANG))
			;
		while (running >= jobs && !stop)
			reap(&running, &failed, 0);
		if (rate > 0) {
			double due = start + (double)n / rate, wait = due - now_s();

			if (wait > 0) {
				struct timespec ts = { (time_t)wait,
						       (long)((wait - (time_t)wait) * 1e9) };

				nanosleep(&ts, NULL);
				continue; /* check stop, -d and the children again */
			}
		}
		if (mark && n % mark == mark - 1) {
			snprintf(dev, sizeof(dev), "/dev/churn-csi%ld", n);
			snprintf(
			    staging, sizeof(staging),
			    "/var/lib/kubelet/plugins/kubernetes.io/csi/churn.csi/vol-churn-%ld/"
			    "globalmount",
			    n);
			av = fake;
		}
		pid = fork();
		if (pid < 0) {
			if (errno == EAGAIN && running > 0) {
				reap(&running, &failed, 0);
				continue;
			}
			perror("csi-churn: fork");
			break;
		}
		if (pid == 0) {
			execv(cmd[0], av);
			_exit(127);
		}
		running++;
		n++;
		if (nwatch && n % every == 0) {
			long rss, hwm;

			t = now_s() - start;
			printf("churn n=%ld t=%.2f rate=%.0f/s", n, t, (double)n / t);
			for (i = 0; i < nwatch; i++) {
				read_rss(watch[i], &rss, &hwm);
				printf(" pid=%d rss_kib=%ld hwm_kib=%ld", watch[i], rss, hwm);
			}
			printf("\n");
		}
	}
	while (running > 0 && !reap(&running, &failed, 0))
		;
	t = now_s() - start;
	printf("churn done n=%ld failed=%ld secs=%.3f rate=%.0f/s\n", n, failed, t,
	       t > 0 ? (double)n / t : 0.0);
	return failed ? 1 : 0;
}
