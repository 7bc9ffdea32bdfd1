/*
 * Steps the wall clock of the process it is preloaded into (LD_PRELOAD), and nothing else.
 *
 * CLOCK_REALTIME (and its coarse variant), gettimeofday() and time() return the real time plus
 * the whole seconds written in the file named by WALL_CLOCK_STEP_FILE ("-3600" is an hour
 * back), read again at most every 50 ms of monotonic time. The monotonic clocks, sleeps and
 * timers are not touched, as when an operator or NTP steps a machine's clock. (libfaketime does
 * more: it also rewrites absolute timer deadlines, which stalls libdispatch's monotonic timers
 * after a step, and it edits the environment before main, which hides argv from Swift.)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static long offset_seconds;
static long long last_read_ns = -1;

static long long monotonic_ns(void) {
    struct timespec now;
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
}

static long current_offset(void) {
    long long now = monotonic_ns();
    long long last = __atomic_load_n(&last_read_ns, __ATOMIC_RELAXED);
    if (last < 0 || now - last > 50000000LL) {
        __atomic_store_n(&last_read_ns, now, __ATOMIC_RELAXED);
        const char *path = getenv("WALL_CLOCK_STEP_FILE");
        FILE *file = path ? fopen(path, "re") : NULL;
        if (file) {
            long value;
            if (fscanf(file, "%ld", &value) == 1) __atomic_store_n(&offset_seconds, value, __ATOMIC_RELAXED);
            fclose(file);
        }
    }
    return __atomic_load_n(&offset_seconds, __ATOMIC_RELAXED);
}

int clock_gettime(clockid_t clock, struct timespec *time) {
    int result = (int)syscall(SYS_clock_gettime, clock, time);
    if (result == 0 && (clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE)) time->tv_sec += current_offset();
    return result;
}

int gettimeofday(struct timeval *restrict time, void *restrict zone) {
    (void)zone;
    struct timespec now;
    int result = clock_gettime(CLOCK_REALTIME, &now);
    if (result == 0 && time) {
        time->tv_sec = now.tv_sec;
        time->tv_usec = now.tv_nsec / 1000;
    }
    return result;
}

time_t time(time_t *out) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    if (out) *out = now.tv_sec;
    return now.tv_sec;
}
