internal import ArgumentParser
internal import BazaarJSON
internal import Foundation
internal import QueuePort
internal import Spool
internal import Synchronization

/// `bazaar-bench spool-latency`: the floor of the scheduler's latency benchmark. One thread
/// publishes a message every few milliseconds (each stamped with its publish time); another
/// waits for messages with a blocking claim (inotify) and acks them. Prints one JSON line with
/// the median and p99 of publish-to-claim, in milliseconds.
struct SpoolLatencyBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "spool-latency", abstract: "Publish-to-claim latency of the spool (the scheduler benchmark's floor).")

  @Option(help: "Messages to time.") var messages = 1000
  @Option(help: "Milliseconds between publishes.") var gap = 2
  @Option(help: "Spool root (a temporary directory by default).") var root: String?

  func run() throws {
    let directory =
      root ?? FileManager.default.temporaryDirectory.appendingPathComponent("spool-latency-\(UUID())").path
    defer { if root == nil { try? FileManager.default.removeItem(atPath: directory) } }
    let queue = try Spool(root: directory).queue("latency")
    let latencies = Mutex<[Double]>([])
    let total = messages
    let consumer = Thread {
      var seen = 0
      while seen < total {
        guard let message = try? queue.claim(leaseMilliseconds: 30_000, waitMilliseconds: 5_000) else { continue }
        let claimed = Date().timeIntervalSince1970 * 1000
        if let sent = (try? JSONValue.parse(message.body))?["data"]?["sentAt"]?.doubleValue {
          latencies.withLock { $0.append(claimed - sent) }
        }
        try? queue.ack(message.receipt)
        seen += 1
      }
    }
    consumer.start()
    for index in 0..<total {
      let event: JSONValue = [
        "specversion": "1.0", "id": .string("evt_\(index)"), "source": "/bench", "type": "bench",
        "data": ["sentAt": .number(Date().timeIntervalSince1970 * 1000)],
      ]
      _ = try queue.publish(Array(event.serialized.utf8))
      Thread.sleep(forTimeInterval: Double(gap) / 1000)
    }
    while !consumer.isFinished { Thread.sleep(forTimeInterval: 0.01) }
    let sorted = latencies.withLock { $0 }.sorted()
    func percentile(_ fraction: Double) -> Double {
      sorted[min(sorted.count - 1, Int(fraction * Double(sorted.count - 1)))]
    }
    print(
      JSONValue.object([
        "messages": .integer(Int64(sorted.count)), "medianMs": .number(percentile(0.5)),
        "p99Ms": .number(percentile(0.99)),
      ]).serialized)
  }
}
