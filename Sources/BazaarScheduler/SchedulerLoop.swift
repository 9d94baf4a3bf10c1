package import BazaarCore
internal import Synchronization

#if canImport(Glibc)
  internal import Glibc
#endif

/// The long-running scheduler: a pass whenever there may be work, and sleep otherwise.
///
/// Waiting is event-driven: inotify on the consumed queues' `new/` directories (a message
/// arrived) and on the database's directory (a commit wrote the WAL, so the outbox may have
/// gained rows), with a periodic sweep (`sweepMilliseconds`) as the fallback for what no file
/// event announces (an order coming due, a lease expiring, a delayed retry). A pass that found
/// work is followed by another at once.
package final class SchedulerLoop: Sendable {
  private let pass: SchedulerPass
  private let watcher: WakeWatcher
  private let sweepMilliseconds: Int
  private let log: SchedulerPassLog
  private let stopping = Atomic<Bool>(false)

  /// `watching` are the directories whose changes wake the loop; `log` keeps the last pass.
  package init(
    pass: SchedulerPass, watching directories: [String], sweepMilliseconds: Int = 5_000, log: SchedulerPassLog
  ) {
    self.pass = pass
    self.log = log
    watcher = WakeWatcher(directories: directories)
    self.sweepMilliseconds = sweepMilliseconds
  }

  /// Asks the loop to stop: the event in hand is finished, the rest left for the next run.
  package func stop() {
    stopping.store(true, ordering: .relaxed)
    watcher.wake()
  }

  package var isStopping: Bool { stopping.load(ordering: .relaxed) }

  /// Runs passes until `stop()`; `report` hears of every pass that did something (with its
  /// duration in milliseconds), `failed` of every pass that threw (the loop carries on after a
  /// short pause: a busy store or a full disk is not a reason to stop delivering).
  package func run(
    report: (SchedulerPass.Report, Int64) -> Void, failed: (any Error) -> Void
  ) {
    while !isStopping {
      watcher.drain()
      do {
        let (done, milliseconds) = try log.run(pass, shouldStop: { self.isStopping })
        if done.didWork {
          report(done, milliseconds)
          continue
        }
      } catch {
        failed(error)
        watcher.wait(milliseconds: 1_000)
        continue
      }
      watcher.wait(milliseconds: sweepMilliseconds)
    }
  }
}

/// inotify on a few directories, and a pipe to wake a waiter from another thread.
final class WakeWatcher: Sendable {
  private let inotify: Int32
  private let wakeup: (read: Int32, write: Int32)

  init(directories: [String]) {
    inotify = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
    var ends: [Int32] = [-1, -1]
    _ = pipe(&ends)
    for end in ends where end >= 0 {
      _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
      _ = fcntl(end, F_SETFD, FD_CLOEXEC)
    }
    wakeup = (ends[0], ends[1])
    let mask = UInt32(IN_CREATE | IN_MOVED_TO | IN_MODIFY | IN_CLOSE_WRITE)
    for directory in directories where inotify >= 0 {
      _ = inotify_add_watch(inotify, directory, mask)
    }
  }

  deinit {
    for descriptor in [inotify, wakeup.read, wakeup.write] where descriptor >= 0 { close(descriptor) }
  }

  /// Wakes a `wait` in progress (or the next one).
  func wake() {
    var one: UInt8 = 1
    _ = write(wakeup.write, &one, 1)
  }

  /// Forgets the changes seen so far (the pass about to run will see them anyway).
  func drain() {
    var buffer = [UInt8](repeating: 0, count: 4096)
    if inotify >= 0 { while read(inotify, &buffer, buffer.count) > 0 {} }
  }

  /// Sleeps until a watched directory changes, `wake()` is called, or `milliseconds` pass.
  func wait(milliseconds: Int) {
    var descriptors = [pollfd(fd: wakeup.read, events: Int16(POLLIN), revents: 0)]
    if inotify >= 0 { descriptors.append(pollfd(fd: inotify, events: Int16(POLLIN), revents: 0)) }
    _ = poll(&descriptors, nfds_t(descriptors.count), Int32(milliseconds))
    var bytes = [UInt8](repeating: 0, count: 64)
    _ = read(wakeup.read, &bytes, bytes.count)
  }
}
