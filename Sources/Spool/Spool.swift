public import QueuePort

#if canImport(Glibc)
  internal import Glibc
#elseif canImport(Darwin)
  internal import Darwin
#endif

/// Time and randomness for a spool, injected so tests can drive leases, delays and backoff.
public struct SpoolEnvironment: Sendable {
  /// Milliseconds since the Unix epoch.
  public var now: @Sendable () -> Int64
  /// A number in `0..<upperBound`.
  public var random: @Sendable (_ upperBound: Int) -> Int

  public init(now: @escaping @Sendable () -> Int64, random: @escaping @Sendable (Int) -> Int) {
    self.now = now
    self.random = random
  }

  /// The system's real-time clock and random numbers.
  public static let live = SpoolEnvironment(
    now: {
      var time = timespec()
      clock_gettime(CLOCK_REALTIME, &time)
      return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    },
    random: { Int.random(in: 0..<max(1, $0)) })
}

/// A steps in publishing and claiming where tests may stop the process, to check crash safety.
package enum SpoolFaultPoint: String, CaseIterable, Sendable {
  case afterTemporaryWrite = "after-temporary-write"
  case afterRenameIntoNew = "after-rename-into-new"
  case afterDirectorySync = "after-directory-sync"
  case afterClaimRename = "after-claim-rename"
  case afterClaimRead = "after-claim-read"
  case afterAck = "after-ack"
}

/// A spool: a directory holding one directory per queue.
///
/// ```swift
/// let spool = Spool(root: "/srv/shop/queues")
/// let orders = try spool.queue("orders")
/// let id = try orders.publish(Array(eventJSON.utf8))
/// if let message = try orders.claim() {
///   try handle(message.body)
///   try orders.ack(message.receipt)
/// }
/// ```
public struct Spool: Sendable {
  /// The spool's root directory.
  public let root: String
  let environment: SpoolEnvironment
  let host: String
  let fault: @Sendable (SpoolFaultPoint) -> Void

  /// A spool rooted at `root`, created on first use.
  public init(root: String, environment: SpoolEnvironment = .live, host: String? = nil) {
    self.init(root: root, environment: environment, host: host, fault: { _ in })
  }

  package init(
    root: String, environment: SpoolEnvironment, host: String?, fault: @escaping @Sendable (SpoolFaultPoint) -> Void
  ) {
    self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
    self.environment = environment
    self.host = MessageID.sanitizedHost(host ?? FileSystem.hostName())
    self.fault = fault
  }

  /// Opens the queue `name`, creating its directories (and the root) when missing.
  public func queue(_ name: String) throws(QueueError) -> SpoolQueue {
    try QueueName.validate(name)
    try FileSystem.makeDirectory(root)
    return try SpoolQueue(spool: self, name: name)
  }

  /// Opens the queue `name` if it exists; throws `QueueError.queueNotFound` (creating nothing)
  /// when it does not. For commands that only read or settle messages.
  public func existingQueue(_ name: String) throws(QueueError) -> SpoolQueue {
    try QueueName.validate(name)
    guard FileSystem.isDirectory(root + "/" + name + "/new") else { throw .queueNotFound(name) }
    return try SpoolQueue(spool: self, name: name)
  }

  /// Writes `policy` for the queue `name` (creating the queue) and returns the queue.
  public func configure(_ name: String, policy: QueuePolicy) throws(QueueError) -> SpoolQueue {
    try policy.validate()
    let queue = try queue(name)
    try queue.replacePolicy(policy)
    return try SpoolQueue(spool: self, name: name)
  }

  /// The names of the queues under the root, sorted.
  public func queueNames() throws(QueueError) -> [String] {
    guard FileSystem.isDirectory(root) else { return [] }
    return try FileSystem.list(root).filter { name in
      (try? QueueName.validate(name)) != nil && FileSystem.isDirectory(root + "/" + name + "/new")
    }.sorted()
  }
}
