#ifndef BAZAAR_CONCURRENCY_HOOK_H
#define BAZAAR_CONCURRENCY_HOOK_H

/// The address of Swift concurrency's global-enqueue hook (`swift_task_enqueueGlobal_hook`),
/// linked directly: a binary built with `--static-swift-stdlib` keeps the runtime's symbols
/// hidden, so `dlsym` (how swift-nio finds the hook) cannot see it there.
void *_Nullable *_Nonnull bazaar_swift_task_enqueue_global_hook(void);

#endif
