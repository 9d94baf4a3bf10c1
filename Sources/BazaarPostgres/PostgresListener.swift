package import BazaarCore
internal import CLibPQ
internal import QueuePort
internal import Synchronization

#if canImport(Glibc)
  internal import Glibc
#endif

/// A connection of its own that LISTENs on one channel and calls `notified` on its thread for
/// each burst of notifications. A lost connection is opened again (after a second), and
/// `notified` is called then too, since notifications sent meanwhile are gone.
final class PostgresListener: OutboxWatch, QueueWatch {
  private let stopping = Atomic<Bool>(false)
  private let wakeup: (read: Int32, write: Int32)

  init(url: String, channel: String, notified: @escaping @Sendable () -> Void) throws {
    var ends: [Int32] = [0, 0]
    guard pipe(&ends) == 0 else {
      throw PostgresError(sqlState: "58000", message: "cannot create a pipe (errno \(errno))")
    }
    wakeup = (ends[0], ends[1])
    for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
    let first = try PostgresConnection(url: url)
    try first.execute("LISTEN \(channel)")
    let box = ListenerThread(url: url, channel: channel, connection: first, notified: notified, wakeup: wakeup.read)
    var thread = pthread_t()
    let context = Unmanaged.passRetained(box).toOpaque()
    guard pthread_create(&thread, nil, { ListenerThread.run($0) }, context) == 0 else {
      Unmanaged<ListenerThread>.fromOpaque(context).release()
      throw PostgresError(sqlState: "58000", message: "cannot start the listener thread")
    }
    pthread_detach(thread)
  }

  func stop() {
    guard !stopping.exchange(true, ordering: .relaxed) else { return }
    var one: UInt8 = 1
    _ = write(wakeup.write, &one, 1)
  }

  deinit {
    stop()
    close(wakeup.write)
  }
}

/// What the listener's thread owns: it ends when the pipe becomes readable (`stop()` writes
/// to it) and closes the pipe's read end.
private final class ListenerThread: @unchecked Sendable {
  // Only the listener's thread touches `connection` once it has started.
  let url: String
  let channel: String
  var connection: PostgresConnection?
  let notified: @Sendable () -> Void
  let wakeup: Int32

  init(
    url: String, channel: String, connection: PostgresConnection, notified: @escaping @Sendable () -> Void,
    wakeup: Int32
  ) {
    self.url = url
    self.channel = channel
    self.connection = connection
    self.notified = notified
    self.wakeup = wakeup
  }

  static func run(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    let box = Unmanaged<ListenerThread>.fromOpaque(context!).takeRetainedValue()
    box.loop()
    close(box.wakeup)
    return nil
  }

  private func loop() {
    while true {
      guard let connection else {
        if wait(socket: -1, milliseconds: 1_000) { return }
        self.connection = try? PostgresConnection(url: url)
        if let fresh = self.connection {
          if (try? fresh.execute("LISTEN \(channel)")) == nil { self.connection = nil } else { notified() }
        }
        continue
      }
      if wait(socket: connection.socket, milliseconds: -1) { return }
      if connection.consumeNotifications() > 0 { notified() }
      if connection.isBroken { self.connection = nil }
    }
  }

  /// Waits for `socket` (if any) to be readable or the pipe to wake; true when asked to stop.
  private func wait(socket: Int32, milliseconds: Int32) -> Bool {
    var descriptors = [pollfd(fd: wakeup, events: Int16(POLLIN), revents: 0)]
    if socket >= 0 { descriptors.append(pollfd(fd: socket, events: Int16(POLLIN), revents: 0)) }
    _ = poll(&descriptors, nfds_t(descriptors.count), milliseconds)
    return descriptors[0].revents != 0
  }
}
