#ifndef GLOBAL_POOL_WATCH_H
#define GLOBAL_POOL_WATCH_H

#include <pthread.h>

/// Counts the jobs that a thread hands to Swift's global concurrent executor, through the
/// concurrency runtime's `swift_task_enqueueGlobal_hook`: for tests that a custom executor's
/// work stays on its thread. The hook is installed on first use and stays (it passes every job
/// on unchanged). Up to 8 threads are watched at once, each from its own call on.
///
/// Returns the watch's number for `global_pool_enqueues`, or -1 when another hook was already
/// installed or every slot is taken.
int global_pool_watch(pthread_t thread);

/// Jobs the thread of watch `watch` has enqueued on the global executor since it was watched.
long global_pool_enqueues(int watch);

#endif
