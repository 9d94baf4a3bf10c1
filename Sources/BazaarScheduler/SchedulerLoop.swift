package import BazaarCore
internal import Synchronization

#if canImport(Glibc)
  internal import Glibc
#endif

/// The long-running scheduler: a pass whenever there may be work, and sleep otherwise.
///
/// Waiting is event-driven: inotify on the consumed queues' `new/` directories (a message
/// arrived) and on the database's WAL file in its directory (a commit wrote it, so the outbox
/// may have gained rows), with a periodic sweep (`sweepMilliseconds`) as the fallback for what
/// no file event announces (an order coming due, a lease expiring, a delayed retry). A pass that
/// found work is followed by another at once. Other files in a watched directory (the pass's
/// own log, beside the database) wake nothing, or every pass would wake the next.
package final class SchedulerLoop: Sendable {
  private let pass: SchedulerPass
  private let watcher: WakeWatcher
  private let sweepMilliseconds: Int
  private let log: SchedulerPassLog
  private let stopping = Atomic<Bool>(false)
  private let companion = Mutex<[@Sendable () -> Void]>([])

  /// `watching` are the directories (and, for each, the one file name, if any) whose changes
  /// wake the loop; `log` keeps the last pass.
  package init(
    pass: SchedulerPass, watching: [WakeWatcher.Watch], sweepMilliseconds: Int = 5_000, log: SchedulerPassLog
  ) {
    self.pass = pass
    self.log = log
    watcher = WakeWatcher(watching)
    self.sweepMilliseconds = sweepMilliseconds
  }

  /// Asks the loop to stop: the event in hand is finished, the rest left for the next run.
  package func stop() {
    stopping.store(true, ordering: .relaxed)
    watcher.wake()
    companion.withLock { for stop in $0 { stop() } }
  }

  /// Wakes the loop whenever `watch` reports a change (a database server's notifications),
  /// until the loop stops and calls the stop `watch` returned.
  package func wake(on watch: (@escaping @Sendable () -> Void) throws -> @Sendable () -> Void) throws {
    let stop = try watch { [weak self] in self?.wake() }
    companion.withLock { $0.append(stop) }
  }

  package var isStopping: Bool { stopping.load(ordering: .relaxed) }

  /// Wakes the loop for a pass now: what a database server's notification of a commit calls.
  package func wake() { watcher.wake() }

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
package final class WakeWatcher: Sendable {
  /// A directory to watch, and the only file name in it that counts (nil: any).
  package struct Watch: Sendable {
    package var directory: String
    package var fileName: String?

    package init(directory: String, fileName: String? = nil) {
      self.directory = directory
      self.fileName = fileName
    }
  }

  private let inotify: Int32
  private let wakeup: (read: Int32, write: Int32)
  /// Each watch descriptor's file name filter (nil: any name wakes).
  private let filters: [Int32: String?]

  init(_ watches: [Watch]) {
    inotify = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
    var ends: [Int32] = [-1, -1]
    _ = pipe(&ends)
    for end in ends where end >= 0 {
      _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
      _ = fcntl(end, F_SETFD, FD_CLOEXEC)
    }
    wakeup = (ends[0], ends[1])
    let mask = UInt32(IN_CREATE | IN_MOVED_TO | IN_MODIFY | IN_CLOSE_WRITE)
    var filters: [Int32: String?] = [:]
    for watch in watches where inotify >= 0 {
      let descriptor = inotify_add_watch(inotify, watch.directory, mask)
      if descriptor >= 0 { filters[descriptor] = watch.fileName }
    }
    self.filters = filters
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

  /// Sleeps until a watched file changes, `wake()` is called, or `milliseconds` pass.
  func wait(milliseconds: Int) {
    let deadline = ContinuousClock.now + .milliseconds(milliseconds)
    while true {
      let left = deadline - ContinuousClock.now
      guard left > .zero else { return }
      let leftMilliseconds = Int32(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)
      var descriptors = [pollfd(fd: wakeup.read, events: Int16(POLLIN), revents: 0)]
      if inotify >= 0 { descriptors.append(pollfd(fd: inotify, events: Int16(POLLIN), revents: 0)) }
      guard poll(&descriptors, nfds_t(descriptors.count), max(1, leftMilliseconds)) > 0 else { continue }
      if descriptors[0].revents != 0 {
        var bytes = [UInt8](repeating: 0, count: 64)
        _ = read(wakeup.read, &bytes, bytes.count)
        return
      }
      if readEvents() { return }
    }
  }

  /// Reads the pending inotify events; whether any names a file that counts.
  private func readEvents() -> Bool {
    var buffer = [UInt8](repeating: 0, count: 8192)
    var matched = false
    while true {
      let count = read(inotify, &buffer, buffer.count)
      guard count > 0 else { return matched }
      var offset = 0
      // struct inotify_event: wd, mask, cookie, len (4 bytes each), then `len` bytes of name.
      while offset + 16 <= count {
        let (descriptor, nameLength) = buffer.withUnsafeBytes { raw in
          (
            raw.loadUnaligned(fromByteOffset: offset, as: Int32.self),
            Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
          )
        }
        let nameBytes = buffer[(offset + 16)..<min(count, offset + 16 + nameLength)].prefix { $0 != 0 }
        switch filters[descriptor] {
        case .some(.none): matched = true
        case .some(.some(let wanted)): if nameBytes.elementsEqual(wanted.utf8) { matched = true }
        case .none: break
        }
        offset += 16 + nameLength
      }
    }
  }
}
