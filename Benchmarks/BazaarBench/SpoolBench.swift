internal import ArgumentParser
internal import BazaarJSON
internal import BazaarLive
internal import BazaarRunners
internal import Foundation
internal import QueuePort
internal import Spool

#if canImport(Glibc)
  internal import Glibc
#endif

/// `bazaar-bench spool`: durable publish + claim + ack against a bare-syscall floor, and batch against single publish.
struct SpoolBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "spool",
    abstract: "Spool throughput against a floor probe making the same syscalls with no library around them.",
    discussion: """
      Each round runs, back to back: the floor probe (write, fsync, rename, fsync dir, rename, unlink \
      per message), the library (publish, claim, ack), 100 single publishes and one batch publish of 100. \
      Rates are messages per second; the ratios are taken per round.
      """)

  @Option(help: "Where the benchmark's queues go (a directory on the disk to measure).") var directory: String?
  @Option(help: "Messages per round.") var messages = 200
  @Option(help: "Rounds.") var rounds = 5

  func run() throws {
    let base = try directory ?? (Configuration().home + "/var/bench-spool")
    try? FileManager.default.removeItem(atPath: base)
    try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: base) }
    let body = Array(
      #"{"specversion":"1.0","id":"0190f0a2-0000-7000-8000-000000000000","source":"/orders","type":"order.placed","time":"2026-11-24T12:00:00Z","data":{"orderId":"01JD0000000000000000000000","total":125000}}"#
        .utf8)
    var results: [JSONValue] = []
    for round in 0..<rounds {
      let root = base + "/round-\(round)"
      let spool = Spool(root: root)
      // Floor and library alternate in slices of 20 messages, so both see the same disk weather.
      let probe = try FloorProbe(directory: root + "/floor", size: body.count + 110)
      let queue = try spool.queue("library")
      var floorSeconds = 0.0
      var librarySeconds = 0.0
      for slice in 0..<max(1, messages / 20) {
        floorSeconds += try probe.run(messages: 20, slice: slice)
        librarySeconds += try Self.library(queue, body: body, messages: 20)
      }
      let total = Double(max(1, messages / 20) * 20)
      let floor = total / floorSeconds
      let library = total / librarySeconds
      let single = try Self.publishes(try spool.queue("single"), body: body, count: 100, batch: false)
      let batch = try Self.publishes(try spool.queue("batch"), body: body, count: 100, batch: true)
      try? FileManager.default.removeItem(atPath: root)
      results.append([
        "floorPerSecond": .number(floor), "libraryPerSecond": .number(library),
        "libraryToFloor": .number(library / floor), "singlePublishPerSecond": .number(single),
        "batchPublishPerSecond": .number(batch), "batchToSingle": .number(batch / single),
      ])
    }
    writeLine(JSONValue.object(["messages": .integer(Int64(messages)), "rounds": .array(results)]).serialized)
  }

  /// The same system calls as publish + claim + ack, on pre-made names, with nothing else.
  final class FloorProbe {
    let tmp: Int32
    let new: Int32
    let cur: Int32
    let bytes: [UInt8]

    init(directory: String, size: Int) throws {
      for sub in ["tmp", "new", "cur"] {
        try FileManager.default.createDirectory(atPath: directory + "/" + sub, withIntermediateDirectories: true)
      }
      tmp = open(directory + "/tmp", O_RDONLY | O_DIRECTORY)
      new = open(directory + "/new", O_RDONLY | O_DIRECTORY)
      cur = open(directory + "/cur", O_RDONLY | O_DIRECTORY)
      bytes = [UInt8](repeating: 0x61, count: size)
    }

    deinit { [tmp, new, cur].forEach { close($0) } }

    /// Seconds for `messages` messages.
    func run(messages: Int, slice: Int) throws -> Double {
      let names = (0..<messages).map { "m\(slice)-\($0)" }
      let started = DispatchTime.now().uptimeNanoseconds
      for name in names {
        let file = openat(tmp, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard file >= 0, write(file, bytes, bytes.count) == bytes.count, fsync(file) == 0 else {
          throw ValidationError("floor probe: errno \(errno)")
        }
        close(file)
        guard renameat(tmp, name, new, name) == 0, fsync(new) == 0, renameat(new, name, cur, name) == 0,
          unlinkat(cur, name, 0) == 0
        else { throw ValidationError("floor probe: errno \(errno)") }
      }
      return Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
    }
  }

  /// Seconds for `messages` rounds of publish, claim and ack.
  static func library(_ queue: SpoolQueue, body: [UInt8], messages: Int) throws -> Double {
    let started = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<messages {
      try queue.publish(body)
      guard let message = try queue.claim(leaseMilliseconds: 30_000) else { throw ValidationError("nothing claimed") }
      try queue.ack(message.receipt)
    }
    return Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
  }

  static func publishes(_ queue: SpoolQueue, body: [UInt8], count: Int, batch: Bool) throws -> Double {
    let bodies = Array(repeating: body, count: count)
    let started = DispatchTime.now().uptimeNanoseconds
    if batch {
      try queue.publish(batch: bodies)
    } else {
      for body in bodies { try queue.publish(body) }
    }
    return rate(count, since: started)
  }

  static func rate(_ count: Int, since started: UInt64) -> Double {
    Double(count) / (Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
  }
}
