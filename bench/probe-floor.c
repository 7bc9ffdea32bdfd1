// The floor of HTTP probing on this machine: what kubelet's probes cost when nothing but the
// probing runs, written as cheaply as C and one epoll loop allow. Each target gets a GET / on
// port 80 every second on its own schedule (offsets spread over the second), a new connection
// each time with "Connection: close" (as kubelet's prober), the response read to its end (at
// most 10 KiB) and the status checked; a probe that takes over 1 s fails.
//
// Usage: probe-floor WINDOW_SECONDS IP...
// Prints one line: runs, failures, user and system CPU in % of one core, lateness p50/p99/max ms.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { IDLE, CONNECTING, READING };

struct target {
    struct sockaddr_in addr;
    char request[160];
    int request_len;
    double due;      // next scheduled run
    double started;  // when the running probe began
    int fd;
    int state;
    char head[16];   // the first bytes of the response, for the status
    int head_len;
    int body;        // bytes read
};

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu(int which) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    struct timeval tv = which ? usage.ru_stime : usage.ru_utime;
    return tv.tv_sec + tv.tv_usec / 1e6;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static long runs, failures;

static void finish(int epoll, struct target *t, int ok) {
    if (t->fd >= 0) {
        epoll_ctl(epoll, EPOLL_CTL_DEL, t->fd, NULL);
        close(t->fd);
    }
    t->fd = -1;
    t->state = IDLE;
    runs++;
    if (!ok) failures++;
}

static int status_ok(struct target *t) {
    // "HTTP/1.x NNN"
    if (t->head_len < 12 || strncmp(t->head, "HTTP/1.", 7) != 0) return 0;
    int code = atoi(t->head + 9);
    return code >= 200 && code < 400;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s WINDOW_SECONDS IP...\n", argv[0]);
        return 2;
    }
    double window = atof(argv[1]);
    int count = argc - 2;
    struct target *targets = calloc(count, sizeof *targets);
    size_t late_cap = (size_t)(window + 2) * count + 16, late_len = 0;
    double *lateness = calloc(late_cap, sizeof *lateness);
    int epoll = epoll_create1(EPOLL_CLOEXEC);
    double start = now();
    for (int i = 0; i < count; i++) {
        struct target *t = &targets[i];
        t->addr.sin_family = AF_INET;
        t->addr.sin_port = htons(80);
        if (inet_pton(AF_INET, argv[i + 2], &t->addr.sin_addr) != 1) {
            fprintf(stderr, "not an IPv4 address: %s\n", argv[i + 2]);
            return 2;
        }
        t->request_len = snprintf(t->request, sizeof t->request,
            "GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: kube-probe/floor\r\nAccept: */*\r\nConnection: close\r\n\r\n", argv[i + 2]);
        t->due = start + (double)i / count;
        t->fd = -1;
    }
    double user0 = cpu(0), system0 = cpu(1), stop = start + window;
    char buffer[10240];
    struct epoll_event events[64];
    for (;;) {
        double t_now = now();
        if (t_now >= stop) break;
        // Start what is due, fail what ran over its second, find the next deadline.
        double next = stop;
        for (int i = 0; i < count; i++) {
            struct target *t = &targets[i];
            if (t->state != IDLE && t_now - t->started >= 1.0) finish(epoll, t, 0);
            if (t->state == IDLE && t->due <= t_now) {
                if (late_len < late_cap) lateness[late_len++] = t_now - t->due;
                t->due += 1.0;
                if (t->due < t_now) t->due = t_now + 1.0;
                t->started = t_now;
                t->head_len = t->body = 0;
                t->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                int r = connect(t->fd, (struct sockaddr *)&t->addr, sizeof t->addr);
                if (r < 0 && errno != EINPROGRESS) {
                    finish(epoll, t, 0);
                } else {
                    t->state = CONNECTING;
                    struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = t};
                    epoll_ctl(epoll, EPOLL_CTL_ADD, t->fd, &ev);
                }
            }
            if (t->due < next) next = t->due;
            if (t->state != IDLE && t->started + 1.0 < next) next = t->started + 1.0;
        }
        int timeout = (int)((next - now()) * 1000 + 0.999);
        int n = epoll_wait(epoll, events, 64, timeout < 0 ? 0 : timeout);
        for (int k = 0; k < n; k++) {
            struct target *t = events[k].data.ptr;
            if (t->state == CONNECTING) {
                int error = 0;
                socklen_t len = sizeof error;
                getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &error, &len);
                if (error || send(t->fd, t->request, t->request_len, MSG_NOSIGNAL) != t->request_len) {
                    finish(epoll, t, 0);
                    continue;
                }
                t->state = READING;
                struct epoll_event ev = {.events = EPOLLIN, .data.ptr = t};
                epoll_ctl(epoll, EPOLL_CTL_MOD, t->fd, &ev);
            } else if (t->state == READING) {
                ssize_t got;
                while ((got = read(t->fd, buffer, sizeof buffer)) > 0) {
                    if (t->head_len < (int)sizeof t->head) {
                        int take = (int)sizeof t->head - t->head_len;
                        if (take > got) take = (int)got;
                        memcpy(t->head + t->head_len, buffer, take);
                        t->head_len += take;
                    }
                    t->body += (int)got;
                    if (t->body >= 10240) break;
                }
                if (got == 0 || t->body >= 10240) finish(epoll, t, status_ok(t));
                else if (got < 0 && errno != EAGAIN) finish(epoll, t, 0);
            }
        }
    }
    double elapsed = now() - start;
    double user = (cpu(0) - user0) / elapsed * 100, system = (cpu(1) - system0) / elapsed * 100;
    qsort(lateness, late_len, sizeof *lateness, compare);
    double p50 = late_len ? lateness[late_len / 2] : 0, p99 = late_len ? lateness[(size_t)(late_len * 0.99)] : 0;
    double max = late_len ? lateness[late_len - 1] : 0;
    printf("runs %ld failures %ld user %.2f system %.2f p50 %.1f p99 %.1f max %.1f\n", runs, failures, user, system,
           p50 * 1000, p99 * 1000, max * 1000);
    return 0;
}
