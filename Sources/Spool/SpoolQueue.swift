public import QueuePort
internal import Synchronization

#if canImport(Glibc)
  internal import Glibc
#elseif canImport(Darwin)
  internal import Darwin
#endif

/// One queue: `tmp/ new/ cur/ done/ dead/` under `ROOT/NAME`, and its `policy.json`.
///
/// Every method is safe to call from many threads and many processes at once: each state
/// change is one `rename` or `unlink`, which the kernel makes atomic.
public final class SpoolQueue: Sendable {
  /// The queue's name.
  public let name: String
  /// The queue's directory.
  public let path: String
  /// The settings read from `policy.json` when the queue was opened (defaults when absent).
  public let policy: QueuePolicy

  let environment: SpoolEnvironment
  let host: String
  let fault: @Sendable (SpoolFaultPoint) -> Void
  /// Open descriptors of `tmp/`, `new/`, `cur/`, `done/` and `dead/`, for `*at` calls and `fsync`.
  let directories: [Int32]
  let lastLeaseSweep = Atomic<Int64>(Int64.min)
  /// Ready names from the last listing of `new/` not yet tried, latest first (`listReady`).
  let readyNames = Mutex<[MessageName]>([])

  static let subdirectories = ["tmp", "new", "cur", "done", "dead"]
  /// How long a rewrite holds a message in `cur/` while it replaces the file's contents.
  static let rewriteLeaseMilliseconds: Int64 = 60_000
  /// Age after which a file left in `tmp/` by a crashed writer is removed.
  static let temporaryFileLifetimeMilliseconds: Int64 = 3_600_000

  init(spool: Spool, name: String) throws(QueueError) {
    self.name = name
    self.path = spool.root + "/" + name
    self.environment = spool.environment
    self.host = spool.host
    self.fault = spool.fault
    try FileSystem.makeDirectory(path)
    var opened: [Int32] = []
    do {
      for subdirectory in SpoolQueue.subdirectories {
        try FileSystem.makeDirectory(path + "/" + subdirectory)
        opened.append(try FileSystem.openDirectory(path + "/" + subdirectory))
      }
      self.policy = try SpoolQueue.loadPolicy(path + "/policy.json")
    } catch {
      opened.forEach { close($0) }
      throw error
    }
    self.directories = opened
  }

  deinit { directories.forEach { close($0) } }

  func descriptor(_ subdirectory: Subdirectory) -> Int32 { directories[subdirectory.rawValue] }

  func displayPath(_ subdirectory: Subdirectory, _ file: String = "") -> String {
    path + "/" + SpoolQueue.subdirectories[subdirectory.rawValue] + (file.isEmpty ? "" : "/" + file)
  }

  /// The queue's subdirectories, indexing `directories`.
  enum Subdirectory: Int {
    case tmp, new, cur, done, dead

    init(_ state: MessageState) {
      switch state {
      case .ready: self = .new
      case .inFlight: self = .cur
      case .done: self = .done
      case .dead: self = .dead
      }
    }
  }

  private static func loadPolicy(_ file: String) throws(QueueError) -> QueuePolicy {
    guard let bytes = try FileSystem.readFile(AT_FDCWD, file, limit: 64 * 1024, displayPath: file) else {
      return QueuePolicy()
    }
    return try QueuePolicy.decode(bytes, path: file)
  }

  /// The largest message file read: the body limit plus room for the header line.
  var messageFileLimit: Int { policy.maxMessageBytes + 64 * 1024 }

  /// Reads a message file (header and body), at most `messageFileLimit` + 1 bytes; nil when it is gone.
  func readMessageFile(_ subdirectory: Subdirectory, _ fileName: String) throws(QueueError) -> [UInt8]? {
    try FileSystem.readFile(
      descriptor(subdirectory), fileName, limit: messageFileLimit, displayPath: displayPath(subdirectory, fileName))
  }

  /// Atomically replaces `policy.json`.
  func replacePolicy(_ policy: QueuePolicy) throws(QueueError) {
    let temporary = "policy." + String(environment.random(Int.max), radix: 16)
    try FileSystem.writeNewFile(
      directory: descriptor(.tmp), name: temporary, parts: [policy.encoded], displayPath: displayPath(.tmp, temporary))
    let queueDirectory = try FileSystem.openDirectory(path)
    defer { close(queueDirectory) }
    _ = try FileSystem.rename(descriptor(.tmp), temporary, queueDirectory, "policy.json", displayPath: path)
    try FileSystem.syncDirectory(queueDirectory, path: path)
  }

  // MARK: Publishing

  /// Publishes one message durably and returns its id.
  ///
  /// The body must be a CloudEvents 1.0 JSON object within `policy.maxMessageBytes`. When this
  /// returns, the message has been written, fsynced, renamed into `new/` and the directory fsynced:
  /// it survives a crash or power loss. With a delay, it becomes ready that many milliseconds later.
  @discardableResult
  public func publish(_ body: [UInt8], delayMilliseconds: Int64 = 0) throws(QueueError) -> String {
    try publish(batch: [body], delayMilliseconds: delayMilliseconds)[0]
  }

  /// Publishes several messages with one directory fsync, all validated before any is written.
  ///
  /// Each message is durable once this returns; after a crash midway, any subset may have been published.
  @discardableResult
  public func publish(batch bodies: [[UInt8]], delayMilliseconds: Int64 = 0) throws(QueueError) -> [String] {
    for body in bodies { try validate(body) }
    guard delayMilliseconds >= 0 else { throw .invalidMessage("the delay must not be negative") }
    let now = environment.now()
    var written: [(temporary: String, name: MessageName)] = []
    do {
      for body in bodies {
        let id = newID(now: now)
        let header = MessageHeader(id: id, publishedAt: now)
        let temporary = id
        try FileSystem.writeNewFile(
          directory: descriptor(.tmp), name: temporary, parts: [header.encoded, body],
          displayPath: displayPath(.tmp, temporary), sync: bodies.count == 1)
        written.append((temporary, MessageName(time: now + delayMilliseconds, id: id, receives: 0)))
      }
      if bodies.count > 1 {
        // Several fsyncs in flight at once let the device serve them together.
        try ParallelSync.sync(
          directory: descriptor(.tmp), names: written.map(\.temporary), displayPath: displayPath(.tmp))
      }
      fault(.afterTemporaryWrite)
      for (index, entry) in written.enumerated() {
        _ = try FileSystem.rename(
          descriptor(.tmp), entry.temporary, descriptor(.new), entry.name.fileName,
          displayPath: displayPath(.new, entry.name.fileName))
        written[index].temporary = ""
      }
    } catch {
      for entry in written where !entry.temporary.isEmpty { unlinkat(descriptor(.tmp), entry.temporary, 0) }
      throw error
    }
    fault(.afterRenameIntoNew)
    try FileSystem.syncDirectory(descriptor(.new), path: displayPath(.new))
    fault(.afterDirectorySync)
    return written.map(\.name.id)
  }

  /// Throws unless `body` is an acceptable message for this queue.
  public func validate(_ body: [UInt8]) throws(QueueError) {
    guard body.count <= policy.maxMessageBytes else {
      throw .messageTooLarge(size: body.count, limit: policy.maxMessageBytes)
    }
    if let reason = CloudEvent.violation(in: body) { throw .invalidMessage(reason) }
  }

  /// A new id: publication time in microseconds (strictly increasing within this process), random bits, host.
  func newID(now: Int64) -> String {
    let floor = now * 1000
    var micros = lastIDMicros.load(ordering: .relaxed)
    while true {
      let next = max(floor, micros + 1)
      let (exchanged, original) = lastIDMicros.compareExchange(
        expected: micros, desired: next, ordering: .relaxed)
      if exchanged {
        micros = next
        break
      }
      micros = original
    }
    var generator = SystemRandomNumberGenerator()
    return MessageID.make(micros: micros, random: generator.next(), host: host)
  }
}

/// The last id timestamp this process handed out, so ids sort in publication order.
private let lastIDMicros = Atomic<Int64>(0)
