#include "GlobalPoolWatch.h"

#include <stdatomic.h>
#include <stddef.h>

// The runtime's hook (swift/Runtime/Concurrency.h): called with every job bound for the global
// executor and the runtime's own enqueue, both in Swift's calling convention.
typedef void (*global_enqueue_original)(void *job) __attribute__((swiftcall));
typedef void (*global_enqueue_hook)(void *job, global_enqueue_original original) __attribute__((swiftcall));
extern global_enqueue_hook swift_task_enqueueGlobal_hook;

enum { slots = 8 };
static _Atomic(pthread_t) watched[slots];
static atomic_long enqueues[slots];
static atomic_int used;
// 0: not yet, 1: ours, 2: another hook was there.
static atomic_int installed;

__attribute__((swiftcall)) static void count_enqueue(void *job, global_enqueue_original original) {
    pthread_t self = pthread_self();
    int count = atomic_load_explicit(&used, memory_order_acquire);
    for (int i = 0; i < count && i < slots; i++) {
        if (pthread_equal(self, atomic_load_explicit(&watched[i], memory_order_relaxed))) {
            atomic_fetch_add_explicit(&enqueues[i], 1, memory_order_relaxed);
        }
    }
    original(job);
}

int global_pool_watch(pthread_t thread) {
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&lock);
    int slot = -1;
    if (atomic_load(&installed) == 0) {
        if (swift_task_enqueueGlobal_hook != NULL) {
            atomic_store(&installed, 2);
        } else {
            swift_task_enqueueGlobal_hook = count_enqueue;
            atomic_store(&installed, 1);
        }
    }
    int count = atomic_load(&used);
    if (atomic_load(&installed) == 1 && count < slots) {
        // Filled in before it is published: the hook reads only the slots below `used`.
        slot = count;
        atomic_store(&watched[slot], thread);
        atomic_store(&enqueues[slot], 0);
        atomic_store_explicit(&used, count + 1, memory_order_release);
    }
    pthread_mutex_unlock(&lock);
    return slot;
}

long global_pool_enqueues(int watch) {
    if (watch < 0 || watch >= slots) return -1;
    return atomic_load(&enqueues[watch]);
}
