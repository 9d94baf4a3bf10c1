internal import ArgumentParser
internal import BazaarJSON
internal import Foundation
internal import QueuePort
internal import Spool

/// `bazaar-bench spool-backlog`: claim+ack per second with a small and a large number of ready
/// messages, in the same run, rounds interleaved. The small queue is refilled (untimed) with
/// `small` messages whenever it is empty; the large one is topped up to `large` before each
/// round. Only claims and acks are timed. Prints one JSON line per round and a summary.
struct SpoolBacklogBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "spool-backlog", abstract: "Claim+ack per second with 10 and with 100,000 ready messages.")

  @Option(help: "Ready messages in the small queue.") var small = 10
  @Option(help: "Ready messages in the large queue.") var large = 100_000
  @Option(help: "Claims (each acked) timed per queue and round.") var claims = 30_000
  @Option(help: "Rounds.") var rounds = 3
  @Option(help: "Spool root (a temporary directory by default).") var root: String?

  func run() throws {
    let directory =
      root ?? FileManager.default.temporaryDirectory.appendingPathComponent("spool-backlog-\(UUID())").path
    defer { if root == nil { try? FileManager.default.removeItem(atPath: directory) } }
    let spool = Spool(root: directory)
    let smallQueue = try spool.queue("small")
    let largeQueue = try spool.queue("large")
    var published = 0
    func fill(_ queue: SpoolQueue, to count: Int, has: Int) throws {
      var remaining = count - has
      while remaining > 0 {
        let batch = (0..<min(1000, remaining)).map { _ in
          published += 1
          return Array(#"{"specversion":"1.0","id":"evt_\#(published)","source":"/bench","type":"bench"}"#.utf8)
        }
        _ = try queue.publish(batch: batch)
        remaining -= batch.count
      }
    }
    /// Seconds spent in `claims` claim+ack pairs, refilling (untimed) to `size` when the queue
    /// runs dry; `ready` is how many the queue holds, before and after.
    func timed(_ queue: SpoolQueue, size: Int, ready: inout Int) throws -> Double {
      var spent: Double = 0
      var done = 0
      while done < claims {
        if ready == 0 {
          try fill(queue, to: size, has: 0)
          ready = size
        }
        let started = DispatchTime.now().uptimeNanoseconds
        guard let message = try queue.claim() else { throw ValidationError("the queue ran dry") }
        try queue.ack(message.receipt)
        spent += Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        ready -= 1
        done += 1
      }
      return spent
    }
    try fill(smallQueue, to: small, has: 0)
    var smallReady = small
    var largeReady = 0
    var ratios: [Double] = []
    for round in 1...rounds {
      try fill(largeQueue, to: large, has: largeReady)
      largeReady = large
      let smallRate = Double(claims) / (try timed(smallQueue, size: small, ready: &smallReady))
      let largeRate = Double(claims) / (try timed(largeQueue, size: large, ready: &largeReady))
      ratios.append(largeRate / smallRate)
      print(
        JSONValue.object([
          "round": .integer(Int64(round)), "smallPerSecond": .number(smallRate.rounded()),
          "largePerSecond": .number(largeRate.rounded()),
          "ratio": .number((largeRate / smallRate * 1000).rounded() / 1000),
        ]).serialized)
    }
    let sorted = ratios.sorted()
    print(
      JSONValue.object([
        "small": .integer(Int64(small)), "large": .integer(Int64(large)), "claims": .integer(Int64(claims)),
        "medianRatio": .number((sorted[sorted.count / 2] * 1000).rounded() / 1000),
      ]).serialized)
  }
}
